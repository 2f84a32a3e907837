#include "rebuild/layout.h"

#include <algorithm>

#include "formats/elf/elf_image.h"
#include "formats/macho/macho_image.h"
#include "formats/pe/pe_image.h"

namespace cascade::rebuild {

Result<Layout> analyse(Bytes file, const LayoutOptions& options) {
  if (pe::looks_like_pe(file)) return analyse_pe(file);
  if (elf::looks_like_elf(file)) return analyse_elf(file, options);
  if (macho::detect(file) != macho::Kind::kNone) return analyse_macho(file);
  return make_error(ErrorCode::kUnsupported, "not a PE, ELF or Mach-O file");
}

namespace {

void cut_signing_padding(Layout& signed_build, const Layout& other) {
  const std::uint64_t cut = signed_build.compared_size;
  if (other.compared_size >= cut || cut - other.compared_size > signed_build.signing_padding) {
    return;
  }
  const std::uint64_t padding = cut - other.compared_size;
  for (auto& n : signed_build.normalised) {
    if (n.what == "pe.certificate-table" && n.offset == cut) {
      n.offset -= padding;
      n.size += padding;
    }
  }
  signed_build.compared_size = other.compared_size;
  signed_build.signing_padding -= padding;
}

}  // namespace

void match_signing_padding(Layout& a, Layout& b) {
  cut_signing_padding(a, b);
  cut_signing_padding(b, a);
}

std::vector<Range> mask_ranges(const Layout& layout) {
  std::vector<Range> ranges;
  ranges.reserve(layout.normalised.size());
  for (const auto& n : layout.normalised) {
    if (n.size != 0) ranges.push_back({n.offset, n.size});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& x, const Range& y) { return x.offset < y.offset; });
  std::vector<Range> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.offset <= merged.back().end()) {
      merged.back().size = std::max(merged.back().end(), r.end()) - merged.back().offset;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

void assign_exports(std::vector<Area>& sections, const std::vector<Symbol>& symbols) {
  // Binary search over mapped areas by address: ELF files may have 65535 sections and a
  // million dynamic symbols.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].mapped && sections[i].size != 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return sections[x].address < sections[y].address;
  });
  for (const auto& sym : symbols) {
    auto it =
        std::upper_bound(order.begin(), order.end(), sym.address,
                         [&](std::uint64_t a, std::size_t i) { return a < sections[i].address; });
    // Walk back over areas starting at or below the address; the first that holds it wins.
    while (it != order.begin()) {
      --it;
      Area& area = sections[*it];
      if (sym.address - area.address < area.size) {
        area.exports.push_back(sym);
        break;
      }
      if (it == order.begin() || sections[*(it - 1)].address != area.address) break;
    }
  }
  for (auto& area : sections) {
    std::stable_sort(area.exports.begin(), area.exports.end(),
                     [](const Symbol& x, const Symbol& y) { return x.address < y.address; });
  }
}

namespace {

const Area* area_at(const std::vector<Area>& areas, std::uint64_t offset) {
  for (const auto& a : areas) {
    if (offset >= a.offset && offset - a.offset < a.size) return &a;
  }
  return nullptr;
}

}  // namespace

Location locate(const Layout& layout, std::uint64_t offset, std::uint64_t size) {
  Location where;
  const Area* area = area_at(layout.sections, offset);
  if (area == nullptr) area = area_at(layout.areas, offset);
  if (area == nullptr) {
    where.section = offset >= layout.end_of_content ? "(overlay)" : "(unmapped)";
    return where;
  }
  where.section = area->name;
  if (!area->mapped) return where;
  const std::uint64_t address = area->address + (offset - area->offset);
  auto it = std::upper_bound(area->exports.begin(), area->exports.end(), address,
                             [](std::uint64_t a, const Symbol& s) { return a < s.address; });
  if (it != area->exports.begin()) where.export_name = std::prev(it)->name;
  const std::uint64_t last = size == 0 ? address : address + (size - 1);
  for (const auto& span : area->imports) {
    if (span.begin <= last && address < span.end) {
      where.import_name = span.name;
      break;
    }
  }
  return where;
}

}  // namespace cascade::rebuild
