// The embedded code signature alone: SuperBlob index, CodeDirectories, special slots and the
// CMS blob, parsed and verified over a synthetic slice. Input: a little-endian u32 giving the
// signature's offset in the slice, then the slice (seeds: signed fixtures, the offset being
// their LC_CODE_SIGNATURE dataoff, so page hashes start out matching).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "formats/macho/codesign.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto trust = cascade::authenticode::TrustStore::create({.builtin = false});
  if (!trust) std::abort();
  auto offset = cascade::load_u32le(cascade::Bytes(data, size), 0);
  if (!offset) return 0;
  const cascade::Bytes slice(data + 4, size - 4);
  const std::uint64_t at = *offset < slice.size() ? *offset : slice.size();
  cascade::macho::MachoImage image;
  image.code_signature = cascade::macho::parse_code_signature(slice, at, slice.size() - at);
  cascade::macho::verify_code_signature(slice, image, trust.value(), 1800000000);
  return 0;
}
