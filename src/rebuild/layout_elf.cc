// ELF: the GNU build-id note. ld derives it from the linked content, so a differing build-id
// with otherwise equal bytes means only the inputs' hash seed or a --build-id=0x... differed;
// it is normalised unless --include-build-id asks to compare it.
#include <algorithm>

#include "formats/elf/elf_image.h"
#include "rebuild/layout.h"

namespace cascade::rebuild {
namespace {

constexpr std::uint32_t kNoteGnuBuildId = 3;
constexpr std::size_t kMaxNotes = 4096;

std::optional<std::uint64_t> load(Bytes file, std::uint64_t offset, int width, bool little) {
  auto bytes = slice(file, offset, static_cast<std::uint64_t>(width));
  if (!bytes) return std::nullopt;
  ByteReader r(*bytes);
  switch (width) {
    case 2:
      return little ? r.u16le() : r.u16be();
    case 4:
      return little ? r.u32le() : r.u32be();
    default:
      return little ? r.u64le() : r.u64be();
  }
}

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
  return value + (alignment - value % alignment) % alignment;
}

// Appends the descriptor of each NT_GNU_BUILD_ID note in [offset, offset+size).
void find_build_ids(Bytes file, std::uint64_t offset, std::uint64_t size, std::uint64_t alignment,
                    bool little, std::vector<Range>& out) {
  if (offset >= file.size()) return;
  auto notes = slice(file, offset, std::min<std::uint64_t>(size, file.size() - offset));
  if (!notes) return;
  std::uint64_t at = 0;
  for (std::size_t n = 0; n < kMaxNotes && at + 12 <= notes->size(); ++n) {
    auto namesz = load(*notes, at, 4, little);
    auto descsz = load(*notes, at + 4, 4, little);
    auto type = load(*notes, at + 8, 4, little);
    if (!namesz || !descsz || !type) return;
    const std::uint64_t name_at = at + 12;
    const std::uint64_t desc_at = align_up(name_at + *namesz, alignment);
    if (desc_at > notes->size() || *descsz > notes->size() - desc_at) return;
    auto name = slice(*notes, name_at, *namesz);
    static constexpr std::uint8_t kGnu[] = {'G', 'N', 'U', 0};
    if (*type == kNoteGnuBuildId && name && name->size() == 4 &&
        std::equal(name->begin(), name->end(), kGnu)) {
      out.push_back({offset + desc_at, *descsz});
    }
    at = align_up(desc_at + *descsz, alignment);
  }
}

}  // namespace

Result<Layout> analyse_elf(Bytes file, const LayoutOptions& options) {
  auto parsed = elf::parse_elf(file);
  if (!parsed) return parsed.error();
  const elf::ElfImage& image = *parsed;
  Layout layout;
  layout.format = LayoutFormat::kElf;
  layout.compared_size = file.size();
  layout.end_of_content = std::min<std::uint64_t>(image.end_of_content, file.size());

  const bool little = image.little_endian;
  const int word = image.is_64 ? 8 : 4;
  const std::uint64_t phoff = load(file, image.is_64 ? 0x20 : 0x1c, word, little).value_or(0);
  const std::uint64_t shoff = load(file, image.is_64 ? 0x28 : 0x20, word, little).value_or(0);
  const std::uint64_t fields = image.is_64 ? 0x34 : 0x28;  // e_ehsize and the table geometry
  const std::uint64_t ehsize = load(file, fields, 2, little).value_or(0);
  const std::uint64_t phentsize = load(file, fields + 2, 2, little).value_or(0);
  const std::uint64_t phnum = load(file, fields + 4, 2, little).value_or(0);
  const std::uint64_t shentsize = load(file, fields + 6, 2, little).value_or(0);
  const std::uint64_t shnum = load(file, fields + 8, 2, little).value_or(0);
  layout.areas = {
      {"(elf header)", 0, ehsize},
      {"(program headers)", phoff, phentsize * phnum},
      {"(section headers)", shoff, shentsize * shnum},
  };
  for (const auto& s : image.sections) {
    if (s.type == elf::kShtNobits || s.size == 0 || s.offset >= file.size() || s.offset == 0) {
      continue;
    }
    const bool mapped = (s.flags & elf::kShfAlloc) != 0;
    layout.sections.push_back({s.name, s.offset,
                               std::min<std::uint64_t>(s.size, file.size() - s.offset), mapped,
                               s.addr});
  }
  std::vector<Symbol> exports;
  exports.reserve(image.exports.size());
  for (const auto& e : image.exports) {
    if (e.defined && e.value != 0) exports.push_back({e.value, e.name});
  }
  assign_exports(layout.sections, exports);

  std::vector<Range> build_ids;
  bool have_note_sections = false;
  for (const auto& s : image.sections) {
    if (s.type != elf::kShtNote) continue;
    have_note_sections = true;
    find_build_ids(file, s.offset, s.size, 4, little, build_ids);
  }
  if (!have_note_sections) {  // no section headers: the loader's view
    for (const auto& p : image.segments) {
      if (p.type != elf::kPtNote) continue;
      find_build_ids(file, p.offset, p.filesz, p.align == 8 ? 8 : 4, little, build_ids);
    }
  }
  if (!options.include_build_id) {
    for (const auto& r : build_ids) layout.normalised.push_back({"elf.build-id", r.offset, r.size});
  }
  std::stable_sort(layout.normalised.begin(), layout.normalised.end(),
                   [](const Normalised& x, const Normalised& y) { return x.offset < y.offset; });
  return layout;
}

}  // namespace cascade::rebuild
