// rebuild-compare: two builds of one binary, compared after normalising what reproducible
// builds may legitimately vary (docs/rebuild.md lists each field and why).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/finding.h"
#include "core/result.h"
#include "rebuild/layout.h"
#include "rebuild/regions.h"

namespace cascade::rebuild {

struct Region {
  std::optional<std::uint64_t> offset;  // in A; none for bytes only B has
  std::uint64_t size = 0;
  std::optional<std::uint64_t> b_offset;  // in B, when the two layouts differ
  std::string section;
  std::string export_name;
  std::string import_name;
  std::string note;  // e.g. "only in b", "a's section is longer"
};

struct Comparison {
  bool identical = false;
  std::string reason;  // why it differs; empty when identical
  LayoutFormat format_a = LayoutFormat::kPe, format_b = LayoutFormat::kPe;
  std::vector<Normalised> normalised_a, normalised_b;
  std::uint64_t compared_a = 0, compared_b = 0;  // bytes compared after cutting
  std::vector<Region> regions;
  std::uint64_t regions_omitted = 0;  // regions past max_regions
  std::uint64_t differing_bytes = 0;  // in the regions listed and omitted
  std::vector<Finding> findings;      // one: rebuild.identical or rebuild.differs
};

struct CompareOptions {
  bool include_build_id = false;
  std::size_t max_regions = kMaxRegions;
};

// Errors (prefixed "a: " or "b: ") when an input is not a PE, ELF or Mach-O file whose
// mandatory headers parse.
Result<Comparison> compare_builds(Bytes a, Bytes b, const CompareOptions& options);

}  // namespace cascade::rebuild
