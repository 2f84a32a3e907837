// The cabinet file list an MSI's File table is checked against (formats/msi/cabinet_files.h).
#include <cstddef>
#include <cstdint>

#include "formats/msi/cabinet_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto names = cascade::msi::cabinet_file_names(cascade::Bytes(data, size));
  volatile std::size_t sink = names.ok() ? names->size() : names.error().message.size();
  (void)sink;
  return 0;
}
