// The PE attribute certificate table: WIN_CERTIFICATE entries, and whatever else hides there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "formats/pe/pe_image.h"

namespace cascade::authenticode {

inline constexpr std::uint16_t kCertTypePkcsSignedData = 0x0002;

struct CertificateEntry {
  std::uint64_t offset = 0;  // file offset of the WIN_CERTIFICATE header
  std::uint32_t length = 0;  // dwLength: header plus certificate bytes
  std::uint16_t revision = 0;
  std::uint16_t type = 0;
  pe::Region certificate;  // bCertificate: the length - 8 bytes after the header
  // Set for PKCS#7 entries once the DER object inside has been measured.
  std::optional<std::uint64_t> der_size;
  // Bytes between the end of the DER object and the next entry (or the table's end) that are
  // more than the zero bytes 8-byte alignment needs: CVE-2013-3900 padding.
  std::optional<pe::Region> padding;
  double padding_entropy = 0.0;
  std::string error;  // why the entry could not be used, if it could not
};

struct CertificateTable {
  pe::Region region;  // as the security directory states it, clamped to the file
  std::vector<CertificateEntry> entries;
  std::optional<pe::Region> trailing;  // file bytes after the table
  std::vector<std::string> errors;     // structural damage of the table itself
};

// nullopt when the file has no (non-empty) security directory.
std::optional<CertificateTable> read_certificate_table(Bytes file, const pe::PeImage& image);

// Measures the DER object at the start of each PKCS#7 entry and locates padding after it.
// `file` must be the bytes read_certificate_table() was given.
void measure_entries(Bytes file, CertificateTable& table);

}  // namespace cascade::authenticode
