// Pieces shared by the PE directory parsers; not part of the public model.
#pragma once

#include <optional>
#include <string>

#include "formats/pe/pe_image.h"

namespace cascade::pe::detail {

// Caps that keep a crafted file from costing unbounded time or memory.
inline constexpr std::size_t kMaxDlls = 4096;
inline constexpr std::size_t kMaxImportsPerDll = 0x10000;
// Shared by regular and delay-load imports: ~40 bytes each, so the cap bounds memory at ~10 MB.
inline constexpr std::size_t kMaxImportsTotal = 0x40000;
inline constexpr std::size_t kMaxExports = 0x10000;
inline constexpr std::size_t kMaxNameLength = 0x200;
inline constexpr std::size_t kMaxResourceEntries = 0x4000;

// Maps RVAs to file bytes the way the loader lays the image out.
class RvaMapper {
 public:
  RvaMapper(Bytes file, const PeImage& image) : file_(file), image_(image) {}

  // File offset of `rva`, when it falls in the headers or in a section's raw data.
  std::optional<std::uint64_t> offset_of(std::uint64_t rva) const;
  // `length` bytes at `rva`, wholly backed by the file.
  std::optional<Bytes> bytes_at(std::uint64_t rva, std::uint64_t length) const;
  // Every file byte from `rva` to the end of the section (or headers) holding it.
  std::optional<Bytes> bytes_from(std::uint64_t rva) const;
  std::optional<std::string> cstring_at(std::uint64_t rva, std::size_t max_len) const;

 private:
  Bytes file_;
  const PeImage& image_;
};

void parse_imports(Bytes file, PeImage& image);
void parse_delay_imports(Bytes file, PeImage& image);
void parse_exports(Bytes file, PeImage& image);
void parse_version_resource(Bytes file, PeImage& image);

bool is_valid_function_name(const std::string& name);

}  // namespace cascade::pe::detail
