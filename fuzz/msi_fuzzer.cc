// Windows Installer packages: read_msi (OLE directory checks, then libgsf, string pool, tables,
// install paths), expand_msi under tiny caps, and the Authenticode digest over the streams.
#include <cstddef>
#include <cstdint>

#include "formats/msi/msi.h"
#include "formats/msi/msi_signature.h"
#include "scan/container/msi_expansion.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cascade::Bytes file(data, size);
  (void)cascade::msi::looks_like_ole(file);
  auto package = cascade::msi::read_msi(file);
  cascade::scan::ContainerLimits limits;
  limits.max_entry_size = 8192;
  limits.max_total_size = 16384;
  limits.max_entries = 8;
  cascade::scan::ContainerBudget budget;
  std::vector<cascade::scan::ContainerNote> notes;
  volatile std::uint8_t sink = 0;
  cascade::scan::expand_msi(
      file, limits, budget,
      [&](const cascade::scan::ContainerEntry& e) {
        for (std::uint8_t b : e.data) sink = sink ^ b;  // every visited byte must be readable
      },
      notes);
  if (package.ok() && package->has_signature) {
    static const auto trust = cascade::authenticode::TrustStore::create({.builtin = false});
    (void)cascade::msi::verify_msi_signatures(file, trust.value(), 1800000000);
  }
  return 0;
}
