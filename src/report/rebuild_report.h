// The outputs of `cascade rebuild-compare`: one JSON document (cascade.rebuild/1, see
// docs/schema/cascade.rebuild-1.schema.json) or a verdict line and a region table.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "rebuild/compare.h"

namespace cascade::rebuild {

inline constexpr const char* kRebuildSchema = "cascade.rebuild/1";

struct InputFile {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
};

struct RebuildRun {
  std::string version;
  InputFile a, b;
  bool include_build_id = false;
};

nlohmann::json rebuild_document(const RebuildRun& run, const Comparison& result);

void write_rebuild_text(std::ostream& out, const RebuildRun& run, const Comparison& result,
                        bool color);

}  // namespace cascade::rebuild
