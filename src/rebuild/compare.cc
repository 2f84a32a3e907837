#include "rebuild/compare.h"
#include "core/finding_catalogue.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace cascade::rebuild {
namespace {

std::string hex(std::uint64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

std::vector<std::uint64_t> boundaries_of(const Layout& layout) {
  std::vector<std::uint64_t> cuts;
  for (const auto* list : {&layout.sections, &layout.areas}) {
    for (const auto& area : *list) {
      cuts.push_back(area.offset);
      cuts.push_back(area.offset + area.size);
    }
  }
  cuts.push_back(layout.end_of_content);
  return cuts;
}

Region located(const Layout& layout, std::uint64_t offset, std::uint64_t size) {
  Location where = locate(layout, offset, size);
  Region r;
  r.size = size;
  r.section = std::move(where.section);
  r.export_name = std::move(where.export_name);
  r.import_name = std::move(where.import_name);
  return r;
}

// A compared unit: a section, or the header bytes before the first section, or what follows
// the last one. Units pair by name and occurrence when the two files' layouts differ.
struct Unit {
  std::string name;
  std::uint64_t offset = 0, size = 0;
};

std::vector<Unit> units_of(const Layout& layout) {
  std::vector<Unit> units;
  std::uint64_t first = layout.compared_size;
  std::uint64_t last = 0;
  for (const auto& s : layout.sections) {
    if (s.offset >= layout.compared_size) continue;
    const std::uint64_t size = std::min(s.size, layout.compared_size - s.offset);
    units.push_back({s.name, s.offset, size});
    first = std::min(first, s.offset);
    last = std::max(last, s.offset + size);
  }
  units.insert(units.begin(), {"(headers)", 0, first});
  if (last < layout.compared_size)
    units.push_back({"(trailing)", last, layout.compared_size - last});
  return units;
}

void compare_same_size(Bytes a, const Layout& la, Bytes b, const Layout& lb,
                       const CompareOptions& options, Comparison& out) {
  RunCollector runs(boundaries_of(la), options.max_regions);
  compare_masked(a, mask_ranges(la), 0, b, mask_ranges(lb), 0, la.compared_size, runs);
  runs.flush();
  for (const auto& run : runs.runs()) {
    Region r = located(la, run.offset, run.size);
    r.offset = run.offset;
    out.regions.push_back(std::move(r));
  }
  out.regions_omitted = runs.omitted();
  out.differing_bytes = runs.differing_bytes();
}

void compare_by_unit(Bytes a, const Layout& la, Bytes b, const Layout& lb,
                     const CompareOptions& options, Comparison& out) {
  const auto ua = units_of(la);
  const auto ub = units_of(lb);
  std::map<std::pair<std::string, std::size_t>, std::size_t> in_b;  // (name, occurrence) -> index
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < ub.size(); ++i) in_b[{ub[i].name, seen[ub[i].name]++}] = i;
  seen.clear();
  std::set<std::size_t> paired;
  const auto masks_a = mask_ranges(la);
  const auto masks_b = mask_ranges(lb);
  RunCollector runs(boundaries_of(la), options.max_regions);
  std::uint64_t extra_bytes = 0;
  for (const auto& u : ua) {
    auto match = in_b.find({u.name, seen[u.name]++});
    if (match == in_b.end()) {
      if (u.size == 0) continue;
      Region r = located(la, u.offset, u.size);
      r.offset = u.offset;
      r.note = "only in a";
      extra_bytes += u.size;
      out.regions.push_back(std::move(r));
      continue;
    }
    const Unit& v = ub[match->second];
    paired.insert(match->second);
    const std::uint64_t common = std::min(u.size, v.size);
    const std::size_t before = runs.runs().size();
    compare_masked(a, masks_a, u.offset, b, masks_b, v.offset, common, runs);
    runs.flush();
    for (std::size_t i = before; i < runs.runs().size(); ++i) {
      const Range& run = runs.runs()[i];
      Region r = located(la, run.offset, run.size);
      r.offset = run.offset;
      r.b_offset = run.offset - u.offset + v.offset;
      out.regions.push_back(std::move(r));
    }
    if (u.size > common) {
      Region r = located(la, u.offset + common, u.size - common);
      r.offset = u.offset + common;
      r.note = "a's " + u.name + " is longer";
      extra_bytes += r.size;
      out.regions.push_back(std::move(r));
    } else if (v.size > common) {
      Region r = located(lb, v.offset + common, v.size - common);
      r.b_offset = v.offset + common;
      r.note = "b's " + v.name + " is longer";
      extra_bytes += r.size;
      out.regions.push_back(std::move(r));
    }
  }
  for (std::size_t i = 0; i < ub.size(); ++i) {
    if (paired.contains(i) || ub[i].size == 0) continue;
    Region r = located(lb, ub[i].offset, ub[i].size);
    r.b_offset = ub[i].offset;
    r.note = "only in b";
    extra_bytes += r.size;
    out.regions.push_back(std::move(r));
  }
  out.regions_omitted = runs.omitted();
  if (out.regions.size() > options.max_regions) {
    out.regions_omitted += out.regions.size() - options.max_regions;
    out.regions.resize(options.max_regions);
  }
  out.differing_bytes = runs.differing_bytes() + extra_bytes;
}

std::string what_list(const std::vector<Normalised>& a, const std::vector<Normalised>& b) {
  std::set<std::string> names;
  for (const auto* list : {&a, &b}) {
    for (const auto& n : *list) names.insert(n.what);
  }
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "nothing" : out;
}

std::string describe(const Region& r) {
  std::string text = "at " + (r.offset ? hex(*r.offset) : "b:" + hex(r.b_offset.value_or(0)));
  text += " in " + r.section;
  if (!r.export_name.empty()) text += " near export " + r.export_name;
  if (!r.import_name.empty()) text += " (import " + r.import_name + ")";
  return text;
}

}  // namespace

Result<Comparison> compare_builds(Bytes a, Bytes b, const CompareOptions& options) {
  LayoutOptions layout_options;
  layout_options.include_build_id = options.include_build_id;
  auto la = analyse(a, layout_options);
  if (!la) return make_error(la.error().code, "a: " + la.error().message);
  auto lb = analyse(b, layout_options);
  if (!lb) return make_error(lb.error().code, "b: " + lb.error().message);

  if (la->format == lb->format) match_signing_padding(*la, *lb);

  Comparison out;
  out.format_a = la->format;
  out.format_b = lb->format;
  out.normalised_a = la->normalised;
  out.normalised_b = lb->normalised;
  out.compared_a = la->compared_size;
  out.compared_b = lb->compared_size;
  if (la->format != lb->format) {
    out.reason = "formats differ: a is " + std::string(layout_format_name(la->format)) + ", b is " +
                 std::string(layout_format_name(lb->format));
  } else if (la->compared_size == lb->compared_size) {
    compare_same_size(a, *la, b, *lb, options, out);
    if (out.differing_bytes != 0) {
      const std::uint64_t count = out.regions.size() + out.regions_omitted;
      out.reason = std::to_string(out.differing_bytes) +
                   (out.differing_bytes == 1 ? " byte differs in " : " bytes differ in ") +
                   std::to_string(count) + (count == 1 ? " region" : " regions");
    }
  } else {
    out.reason = "sizes differ after normalisation: a " + std::to_string(la->compared_size) +
                 " bytes, b " + std::to_string(lb->compared_size) + " bytes";
    compare_by_unit(a, *la, b, *lb, options, out);
  }
  // What the certificate table hides is a difference even when every compared byte matches.
  const std::pair<const char*, const Layout*> sides[] = {{"a", &*la}, {"b", &*lb}};
  for (const auto& [which, layout] : sides) {
    if (layout->unsigned_content.empty()) continue;
    out.reason = std::string(which) + ": " + layout->unsigned_content +
                 (out.reason.empty() ? std::string() : "; " + out.reason);
  }
  out.identical = out.reason.empty();
  if (out.identical) {
    out.findings.push_back(make_finding(
        findings::kRebuildIdentical,
        "identical after normalising " + what_list(out.normalised_a, out.normalised_b)));
  } else {
    std::string message = out.reason;
    if (!out.regions.empty()) message += "; first " + describe(out.regions.front());
    out.findings.push_back(make_finding(findings::kRebuildDiffers, std::move(message)));
  }
  return out;
}

}  // namespace cascade::rebuild
