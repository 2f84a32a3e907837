// Mach-O: detection, fat headers, then every slice's header, load commands, symbols, code
// signature blobs, section entropy and signature verification (as inspect runs them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "formats/macho/macho_image.h"

namespace {

const cascade::authenticode::TrustStore& trust() {
  static const auto store = cascade::authenticode::TrustStore::create({.builtin = false});
  if (!store) std::abort();
  return store.value();
}

void run_slice(cascade::Bytes slice) {
  auto image = cascade::macho::parse_macho(slice);
  if (!image.ok()) return;
  cascade::macho::measure_contents(slice, image.value());
  cascade::macho::verify_code_signature(slice, image.value(), trust(), 1800000000);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cascade::Bytes file(data, size);
  if (cascade::macho::detect(file) != cascade::macho::Kind::kFat) {
    run_slice(file);
    return 0;
  }
  (void)cascade::macho::parse_fat(file);
  // The lenient reader inspect uses: every slice inside the file, damaged header or not.
  const auto table = cascade::macho::read_fat(file);
  for (const auto& s : table.slices) {
    (void)cascade::macho::cpu_name(s.cputype, s.cpusubtype);
    if (auto bytes = cascade::macho::slice_bytes(file, s)) run_slice(*bytes);
  }
  return 0;
}
