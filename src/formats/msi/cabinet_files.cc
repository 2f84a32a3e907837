#include "formats/msi/cabinet_files.h"

namespace cascade::msi {

namespace {

constexpr std::uint32_t kSignature = 0x4643534d;  // "MSCF"
// CFFILE names are at most 256 bytes by the specification; a little slack for odd writers.
constexpr std::size_t kMaxName = 1024;

Error truncated(const std::string& what) {
  return make_error(ErrorCode::kTruncated, "cabinet " + what + " is cut short");
}

}  // namespace

Result<std::vector<std::string>> cabinet_file_names(Bytes cabinet) {
  ByteReader r(cabinet);
  auto signature = r.u32le();
  if (!signature || *signature != kSignature) {
    return make_error(ErrorCode::kMalformed, "not a cabinet (no MSCF signature)");
  }
  if (!r.skip(12)) return truncated("header");  // reserved1, cbCabinet, reserved2
  auto files_offset = r.u32le();
  if (!files_offset || !r.skip(6)) return truncated("header");  // reserved3, version
  auto folders = r.u16le();
  auto count = r.u16le();
  if (!folders || !count) return truncated("header");
  // The optional fields after the header (reserve sizes, chained cabinet names) are not needed:
  // coffFiles locates the records.
  auto records_bytes = tail(cabinet, *files_offset);
  if (!records_bytes) return truncated("file list");
  ByteReader records(*records_bytes);
  std::vector<std::string> names;
  names.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    if (!records.skip(16)) return truncated("file record " + std::to_string(i + 1));
    auto name = records.cstring(kMaxName);
    if (!name) return truncated("file name " + std::to_string(i + 1));
    names.push_back(std::move(*name));
  }
  return names;
}

}  // namespace cascade::msi
