// The documentation catalogues every finding id the code can emit.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/finding.h"

namespace cascade {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(CASCADE_SOURCE_DIR) + "/docs/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Docs, EveryFindingIdHasACatalogueEntry) {
  const std::string doc = read_doc("findings.md");
  ASSERT_FALSE(doc.empty()) << "docs/findings.md is missing";
  for (const auto& kind : finding_catalogue()) {
    const std::string heading = "### `" + std::string(kind.id) + "`";
    EXPECT_NE(doc.find(heading), std::string::npos) << kind.id << " is not documented";
    // The documented severity must be the one the code uses.
    const auto at = doc.find(heading);
    if (at == std::string::npos) continue;
    const auto next = doc.find("### ", at + heading.size());
    const std::string entry =
        doc.substr(at, next == std::string::npos ? std::string::npos : next - at);
    EXPECT_NE(entry.find(std::string(severity_name(kind.severity))), std::string::npos)
        << kind.id << " documents another severity";
  }
}

TEST(Docs, SchemaDocumentNamesTheSchemaVersion) {
  EXPECT_NE(read_doc("json-schema.md").find("cascade.inspect/1"), std::string::npos);
}

}  // namespace
}  // namespace cascade
