// ELF header, program and section headers, dynamic table, dynamic symbols with versions, notes,
// section entropy.
#include <cstddef>
#include <cstdint>

#include "formats/elf/elf_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cascade::Bytes file(data, size);
  (void)cascade::elf::looks_like_elf(file);
  auto image = cascade::elf::parse_elf(file);
  if (image.ok()) {
    cascade::elf::measure_contents(file, image.value());
    for (const auto& s : image->sections) (void)cascade::elf::section_bytes(file, s);
    for (const auto& p : image->segments) (void)cascade::elf::segment_type_name(p.type);
    (void)cascade::elf::machine_name(image->machine);
    (void)cascade::elf::type_name(image->type);
  }
  return 0;
}
