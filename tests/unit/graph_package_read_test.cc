// Packages from documents: CycloneDX components and dependencies, SPDX packages and their
// relationships, several digests of one entry, weak digests, a document with nothing readable,
// hostile dependency graphs, and the packages of scan reports (both forms).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time.h"
#include "graph/facts.h"
#include "graph/readers.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

const std::string kMs512(128, '4');
const std::string kDebug512(128, '6');
const std::string kFile256(64, '5');
const std::string kFile1(40, '1');

Document read_ok(const json& document) {
  const std::string text = document.dump();
  auto read =
      read_document(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), "test");
  EXPECT_TRUE(read) << read.error().message;
  return read ? std::move(read).value() : Document{};
}
Document read_lines(const std::string& text) {
  auto read =
      read_document(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), "test");
  EXPECT_TRUE(read) << read.error().message;
  return read ? std::move(read).value() : Document{};
}

NodeRef node(std::string_view text) {
  auto parsed = parse_node(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : NodeRef{};
}

bool has(const Document& document, EdgeKind kind, std::string_view src, std::string_view dst) {
  const NodeRef a = node(src);
  const NodeRef b = node(dst);
  return std::any_of(document.edges.begin(), document.edges.end(), [&](const EdgeFact& edge) {
    return edge.kind == kind && edge.src == a && edge.dst == b;
  });
}
std::size_t count(const Document& document, EdgeKind kind) {
  return static_cast<std::size_t>(std::count_if(document.edges.begin(), document.edges.end(),
                                                [&](const EdgeFact& e) { return e.kind == kind; }));
}
std::string problems(const Document& document) {
  std::string text;
  for (const auto& problem : document.problems) text += problem.message + "\n";
  return text;
}

// The shape `npm sbom --sbom-format cyclonedx` writes, with a nested component, a component
// with several digests and one with only a SHA-1 added.
json cyclonedx() {
  return {{"bomFormat", "CycloneDX"},
          {"specVersion", "1.5"},
          {"version", 1},
          {"metadata",
           {{"timestamp", "2024-05-01T12:00:00Z"},
            {"component",
             {{"bom-ref", "app@1.0.0"},
              {"type", "library"},
              {"name", "app"},
              {"version", "1.0.0"},
              {"purl", "pkg:npm/app@1.0.0"}}}}},
          {"components",
           {{{"bom-ref", "debug@2.6.9"},
             {"type", "library"},
             {"name", "debug"},
             {"purl", "pkg:npm/debug@2.6.9"},
             {"hashes", {{{"alg", "SHA-512"}, {"content", kDebug512}}}},
             {"components",
              {{{"bom-ref", "ms@2.0.0"},
                {"type", "library"},
                {"name", "ms"},
                {"purl", "pkg:NPM/ms@2.0.0"},
                {"hashes", {{{"alg", "SHA-512"}, {"content", kMs512}}}}}}}},
            {{"bom-ref", "file"},
             {"type", "file"},
             {"name", "lib.so"},
             {"hashes",
              {{{"alg", "SHA-1"}, {"content", kFile1}},
               {{"alg", "SHA-512"}, {"content", std::string(128, '7')}},
               {{"alg", "SHA-256"}, {"content", kFile256}},
               {{"alg", "BLAKE3"}, {"content", std::string(64, '8')}}}}},
            {{"bom-ref", "old"},
             {"type", "file"},
             {"name", "old.dll"},
             {"hashes", {{{"alg", "SHA-1"}, {"content", std::string(40, '2')}}}}}}},
          {"dependencies",
           {{{"ref", "app@1.0.0"}, {"dependsOn", {"debug@2.6.9", "ms@2.0.0"}}},
            {{"ref", "debug@2.6.9"}, {"dependsOn", {"ms@2.0.0"}}},
            {{"ref", "ms@2.0.0"}, {"dependsOn", json::array()}}}}};
}

TEST(GraphPackageCycloneDx, PackagesDigestsAndDependencies) {
  const Document document = read_ok(cyclonedx());
  EXPECT_TRUE(document.problems.empty()) << problems(document);
  const std::string release = "release:app@1.0.0";
  // Each entry by its first identity: the package, else the SHA-256; weak digests alone.
  for (const std::string& content :
       {std::string("pkg:npm/app@1.0.0"), std::string("pkg:npm/debug@2.6.9"),
        std::string("pkg:npm/ms@2.0.0"), "sha256:" + kFile256, "sha1:" + std::string(40, '2')}) {
    EXPECT_TRUE(has(document, EdgeKind::kContains, release, content)) << content;
  }
  EXPECT_EQ(count(document, EdgeKind::kContains), 5u);
  EXPECT_TRUE(has(document, EdgeKind::kSameAs, "pkg:npm/ms@2.0.0", "sha512:" + kMs512));
  EXPECT_TRUE(has(document, EdgeKind::kSameAs, "sha512:" + kMs512, "pkg:npm/ms@2.0.0"));
  EXPECT_TRUE(
      has(document, EdgeKind::kSameAs, "sha256:" + kFile256, "sha512:" + std::string(128, '7')));
  // The SHA-1 beside stronger digests is not kept: it could join nothing.
  for (const EdgeFact& edge : document.edges) {
    EXPECT_NE(edge.dst, node("sha1:" + kFile1));
    EXPECT_EQ(edge.time, std::nullopt);  // containment from the release's creation
  }
  EXPECT_EQ(count(document, EdgeKind::kSameAs), 6u);  // debug, ms, lib.so's SHA-512, both ways
  EXPECT_TRUE(has(document, EdgeKind::kDependsOn, "pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0"));
  EXPECT_TRUE(has(document, EdgeKind::kDependsOn, "pkg:npm/app@1.0.0", "pkg:npm/debug@2.6.9"));
  EXPECT_EQ(count(document, EdgeKind::kDependsOn), 3u);
  const auto named = std::find(document.names.begin(), document.names.end(),
                               NameFact{node("pkg:npm/ms@2.0.0"), "ms"});
  EXPECT_NE(named, document.names.end());
}

TEST(GraphPackageCycloneDx, HostileDependencyGraphsAndBadPurls) {
  json bom = cyclonedx();
  bom["components"][0]["components"][0]["purl"] = "pkg:npm/ms@%zz";
  bom["dependencies"] = {
      {{"ref", "debug@2.6.9"}, {"dependsOn", {"debug@2.6.9", "nowhere", "app@1.0.0", 5}}},
      {{"ref", "app@1.0.0"}, {"dependsOn", {"debug@2.6.9"}}},  // a cycle
      {{"ref", "ghost"}, {"dependsOn", {"debug@2.6.9"}}},
      {{"ref", "file"}, {"dependsOn", {"debug@2.6.9"}}},  // not a package: no fact
      {{"ref", "app@1.0.0"}, {"dependsOn", "x"}},
      {{"dependsOn", json::array()}}};
  const Document document = read_ok(bom);
  // The bad purl (ms is then known by its digest), "nowhere", 5, "ghost", "x", no ref.
  EXPECT_EQ(document.problems.size(), 6u) << problems(document);
  EXPECT_TRUE(has(document, EdgeKind::kContains, "release:app@1.0.0", "sha512:" + kMs512));
  EXPECT_TRUE(has(document, EdgeKind::kDependsOn, "pkg:npm/debug@2.6.9", "pkg:npm/app@1.0.0"));
  EXPECT_TRUE(has(document, EdgeKind::kDependsOn, "pkg:npm/app@1.0.0", "pkg:npm/debug@2.6.9"));
  EXPECT_EQ(count(document, EdgeKind::kDependsOn), 2u);  // no self-loop
}

TEST(GraphPackageCycloneDx, NothingReadableIsAProblemNamingWhy) {
  json bom = cyclonedx();
  bom["metadata"]["component"].erase("purl");
  bom["components"] = {{{"type", "library"}, {"name", "by-name-only"}, {"version", "1"}}};
  bom.erase("dependencies");
  const Document document = read_ok(bom);
  ASSERT_EQ(document.problems.size(), 1u) << problems(document);
  EXPECT_NE(document.problems[0].message.find("nothing could be read"), std::string::npos);
  EXPECT_EQ(document.nodes, (std::vector<NodeRef>{node("release:app@1.0.0")}));
}

json spdx_package(const std::string& id, const std::string& name, const std::string& purl,
                  const json& checksums = json::array()) {
  json package = {{"SPDXID", id},
                  {"name", name},
                  {"versionInfo", "1"},
                  {"downloadLocation", "NOASSERTION"},
                  {"checksums", checksums}};
  if (!purl.empty()) {
    package["externalRefs"] = {{{"referenceCategory", "PACKAGE-MANAGER"},
                                {"referenceType", "purl"},
                                {"referenceLocator", purl}}};
  }
  return package;
}

json relationship(const std::string& from, const std::string& type, const std::string& to) {
  return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

TEST(GraphPackageSpdx, EveryDependencyRelationship) {
  json packages = {spdx_package("SPDXRef-app", "app", "pkg:npm/app@1"),
                   spdx_package("SPDXRef-ms", "ms", "pkg:npm/ms@2.0.0",
                                {{{"algorithm", "SHA512"}, {"checksumValue", kMs512}}})};
  json relationships = {relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-app")};
  const std::vector<std::string> kinds = {"DEPENDS_ON",
                                          "DEPENDENCY_OF",
                                          "DEV_DEPENDENCY_OF",
                                          "OPTIONAL_DEPENDENCY_OF",
                                          "RUNTIME_DEPENDENCY_OF",
                                          "BUILD_DEPENDENCY_OF",
                                          "TEST_DEPENDENCY_OF",
                                          "PROVIDED_DEPENDENCY_OF"};
  for (const std::string& kind : kinds) {
    const std::string id = "SPDXRef-" + kind;
    const std::string purl = "pkg:pypi/" + kind + "@1";
    packages.push_back(spdx_package(id, kind, purl));
    // DEPENDS_ON: app depends on it; X_OF: it is a dependency of app.
    relationships.push_back(kind == "DEPENDS_ON" ? relationship("SPDXRef-app", kind, id)
                                                 : relationship(id, kind, "SPDXRef-app"));
  }
  relationships.push_back(relationship("SPDXRef-ms", "DEPENDENCY_OF", "SPDXRef-DEPENDS_ON"));
  relationships.push_back(relationship("SPDXRef-app", "CONTAINS", "SPDXRef-file"));
  relationships.push_back(relationship("SPDXRef-file", "CONTAINED_BY", "SPDXRef-app"));
  relationships.push_back(relationship("SPDXRef-ms", "GENERATED_FROM", "SPDXRef-app"));
  relationships.push_back(relationship("SPDXRef-ms", "DEPENDS_ON", "SPDXRef-nowhere"));
  relationships.push_back(relationship("SPDXRef-ms", "DEPENDS_ON", "SPDXRef-ms"));
  const json document = {{"spdxVersion", "SPDX-2.3"},
                         {"SPDXID", "SPDXRef-DOCUMENT"},
                         {"name", "app"},
                         {"creationInfo", {{"created", "2024-05-01T12:00:00Z"}}},
                         {"packages", packages},
                         {"files",
                          {{{"SPDXID", "SPDXRef-file"},
                            {"fileName", "./index.js"},
                            {"checksums",
                             {{{"algorithm", "SHA1"}, {"checksumValue", kFile1}},
                              {{"algorithm", "SHA256"}, {"checksumValue", kFile256}}}}}}},
                         {"relationships", relationships}};
  const Document read = read_ok(document);
  ASSERT_EQ(read.problems.size(), 1u) << problems(read);  // SPDXRef-nowhere
  for (const std::string& kind : kinds) {
    EXPECT_TRUE(has(read, EdgeKind::kDependsOn, "pkg:npm/app@1", "pkg:pypi/" + kind + "@1"))
        << kind;
    EXPECT_TRUE(has(read, EdgeKind::kContains, "release:app@1", "pkg:pypi/" + kind + "@1"));
  }
  EXPECT_TRUE(has(read, EdgeKind::kDependsOn, "pkg:pypi/depends-on@1", "pkg:npm/ms@2.0.0"));
  EXPECT_EQ(count(read, EdgeKind::kDependsOn), kinds.size() + 1);
  EXPECT_TRUE(has(read, EdgeKind::kContains, "release:app@1", "pkg:npm/app@1"));
  EXPECT_TRUE(has(read, EdgeKind::kContains, "release:app@1", "sha256:" + kFile256));
  EXPECT_TRUE(has(read, EdgeKind::kSameAs, "pkg:npm/ms@2.0.0", "sha512:" + kMs512));
  EXPECT_EQ(count(read, EdgeKind::kSameAs), 2u);
}

TEST(GraphPackageSpdx, NothingReadableIsAProblem) {
  const json document = {{"spdxVersion", "SPDX-2.3"},
                         {"SPDXID", "SPDXRef-DOCUMENT"},
                         {"documentDescribes", {"SPDXRef-app"}},
                         {"packages", {spdx_package("SPDXRef-app", "app", "")}}};
  const Document read = read_ok(document);
  ASSERT_EQ(read.problems.size(), 1u) << problems(read);
  EXPECT_NE(read.problems[0].message.find("nothing could be read"), std::string::npos);
}

json scan_report() {
  return {{"schema", "cascade.scan/1"},
          {"host", "ws01"},
          {"started", "2024-05-01T10:00:00Z"},
          {"roots", {"/"}},
          {"files", {{{"path", "/app/node_modules/ms/index.js"}, {"sha256", kFile256}}}},
          {"packages",
           {{{"purl", "pkg:npm/ms@2.0.0"},
             {"ecosystem", "npm"},
             {"name", "ms"},
             {"version", "2.0.0"},
             {"source", "/app/node_modules/ms/package.json"}},
            {{"purl", "pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64"},
             {"ecosystem", "deb"},
             {"name", "xz-utils"},
             {"version", "5.6.1-1"},
             {"source", "/var/lib/dpkg/status"}},
            {{"purl", "not a purl"}, {"name", "x"}},
            5}},
          {"summary", {{"packages", 4}}}};
}

TEST(GraphPackageScan, PackagesAreInstalledOnTheHostWhenScanned) {
  const Document document = read_ok(scan_report());
  EXPECT_EQ(document.problems.size(), 2u) << problems(document);  // the bad purl, the 5
  const auto started = parse_rfc3339("2024-05-01T10:00:00Z");
  for (const char* purl : {"pkg:npm/ms@2.0.0", "pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64"}) {
    ASSERT_TRUE(has(document, EdgeKind::kInstalledOn, purl, "host:ws01")) << purl;
  }
  for (const EdgeFact& edge : document.edges) EXPECT_EQ(edge.time, *started);
  EXPECT_EQ(count(document, EdgeKind::kInstalledOn), 2u);
  EXPECT_NE(std::find(document.names.begin(), document.names.end(),
                      NameFact{node("pkg:npm/ms@2.0.0"), "ms"}),
            document.names.end());

  // A report written before packages were recognised reads as before.
  json old = scan_report();
  old.erase("packages");
  EXPECT_TRUE(read_ok(old).problems.empty());
}

TEST(GraphPackageScan, JsonLinesPackageRecords) {
  json head = scan_report();
  head.erase("files");
  head.erase("packages");
  head.erase("summary");
  head["schema"] = "cascade.scan-jsonl/1";
  head["record"] = "scan";
  json package = scan_report()["packages"][0];
  package["record"] = "package";
  const std::string text = head.dump() + "\n" + package.dump() + "\n" +
                           R"({"record":"package","purl":"pkg:"})" + "\n" +
                           R"({"record":"summary","summary":{"packages":2}})" + "\n";
  const Document document = read_lines(text);
  ASSERT_EQ(document.problems.size(), 1u) << problems(document);
  EXPECT_EQ(document.problems[0].line, 3u);
  EXPECT_TRUE(has(document, EdgeKind::kInstalledOn, "pkg:npm/ms@2.0.0", "host:ws01"));
}

// The advisories' findings on a package (scan --ioc with OSV feeds) are signals on the package,
// as a file's ioc.* findings are on its artifact; "not evaluated" is no known-bad signal.
TEST(GraphPackageScan, PackageFindingsAreSignalsOnThePackage) {
  json report = scan_report();
  report["packages"][0]["findings"] = {
      {{"id", "ioc.package"}, {"severity", "high"}, {"message", "feed: MAL-0000-0001"}}};
  report["packages"][1]["findings"] = {
      {{"id", "ioc.package-unevaluated"}, {"severity", "low"}, {"message", "feed: CVE-0000-0002"}},
      {{"id", "ioc.package"}, {"severity", "high"}, {"message", "feed: MAL-0000-0003"}}};
  const Document document = read_ok(report);
  EXPECT_EQ(document.problems.size(), 2u) << problems(document);  // the bad purl, the 5
  const std::vector<SignalFact> expected = {
      {node("pkg:npm/ms@2.0.0"), "ioc.package", "high"},
      {node("pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64"), "ioc.package", "high"}};
  EXPECT_TRUE(document.signals == expected) << document.signals.size() << " signals";

  json head = scan_report();
  head.erase("files");
  head.erase("packages");
  head.erase("summary");
  head["schema"] = "cascade.scan-jsonl/1";
  head["record"] = "scan";
  json package = report["packages"][0];
  package["record"] = "package";
  json bad = package;
  bad["findings"] = "not a list";
  const Document lines = read_lines(head.dump() + "\n" + package.dump() + "\n" + bad.dump() + "\n" +
                                    R"({"record":"summary","summary":{"packages":2}})" + "\n");
  ASSERT_EQ(lines.problems.size(), 1u) << problems(lines);
  EXPECT_EQ(lines.problems[0].line, 3u);
  EXPECT_NE(lines.problems[0].message.find("findings is not a list"), std::string::npos);
  ASSERT_EQ(lines.signals.size(), 1u);
  EXPECT_EQ(lines.signals[0].node, node("pkg:npm/ms@2.0.0"));
  EXPECT_EQ(lines.signals[0].finding, "ioc.package");
}

}  // namespace
}  // namespace cascade::graph
