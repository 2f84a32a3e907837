#include "formats/pe/pe_certificate_table.h"

#include <openssl/pkcs7.h>

#include <algorithm>

#include "core/der.h"
#include "core/entropy.h"
#include "core/openssl_handles.h"

namespace cascade::authenticode {

namespace {
constexpr std::size_t kMaxEntries = 64;
std::uint64_t align8(std::uint64_t n) {
  return (n + 7) & ~std::uint64_t{7};
}

// Size of the ASN.1 object at the start of `blob`: from its DER header, or, for the
// indefinite-length BER some signers emit, from how much OpenSSL's decoder consumes.
std::optional<std::uint64_t> der_length(Bytes blob) {
  ByteReader r(blob);
  if (auto element = der::expect(r, der::kSequence)) return element->encoded.size();
  const unsigned char* p = blob.data();
  ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(blob.size())));
  ossl::take_errors();
  if (!p7) return std::nullopt;
  return static_cast<std::uint64_t>(p - blob.data());
}
}  // namespace

std::optional<CertificateTable> read_certificate_table(Bytes file, const pe::PeImage& image) {
  const pe::DataDirectory* dir = image.directory(pe::kDirSecurity);
  if (dir == nullptr || dir->rva == 0 || dir->size == 0) return std::nullopt;
  CertificateTable table;
  table.region = {dir->rva, dir->size};
  if (dir->rva >= file.size()) {
    table.errors.push_back("certificate table starts past the end of the file");
    table.region = {dir->rva, 0};
    return table;
  }
  if (std::uint64_t{dir->rva} + dir->size > file.size()) {
    table.errors.push_back("certificate table extends past the end of the file");
    table.region.size = file.size() - dir->rva;
  }
  if (dir->rva < image.end_of_sections)
    table.errors.push_back("certificate table overlaps the headers or section data");
  if (dir->rva % 8 != 0) table.errors.push_back("certificate table is not 8-byte aligned");
  const std::uint64_t table_end = table.region.offset + table.region.size;
  if (table_end < file.size()) table.trailing = pe::Region{table_end, file.size() - table_end};

  Bytes bytes = *slice(file, table.region.offset, table.region.size);
  std::uint64_t pos = 0;
  while (pos + 8 <= bytes.size()) {
    if (table.entries.size() == kMaxEntries) {
      table.errors.push_back("more certificate entries than cascade reads");
      break;
    }
    ByteReader r(bytes.subspan(pos));
    CertificateEntry entry;
    entry.offset = table.region.offset + pos;
    entry.length = *r.u32le();
    entry.revision = *r.u16le();
    entry.type = *r.u16le();
    if (entry.length < 8 || entry.length > bytes.size() - pos) {
      table.errors.push_back("certificate entry at offset " + std::to_string(entry.offset) +
                             " has an impossible length " + std::to_string(entry.length));
      break;
    }
    entry.certificate = pe::Region{entry.offset + 8, entry.length - 8u};
    table.entries.push_back(entry);
    pos = align8(pos + entry.length);
  }
  if (pos < bytes.size() && table.errors.empty()) {
    table.errors.push_back(std::to_string(bytes.size() - pos) +
                           " bytes at the end of the certificate table belong to no entry");
  }
  return table;
}

void measure_entries(Bytes file, CertificateTable& table) {
  const std::uint64_t table_end = table.region.offset + table.region.size;
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    auto& entry = table.entries[i];
    if (entry.type != kCertTypePkcsSignedData) {
      entry.error = "certificate type " + std::to_string(entry.type) + " is not PKCS#7";
      continue;
    }
    Bytes blob = *slice(file, entry.certificate.offset, entry.certificate.size);
    entry.der_size = der_length(blob);
    if (!entry.der_size) {
      entry.error = "PKCS#7 blob does not parse";
      continue;
    }
    const std::uint64_t der_end = entry.offset + 8 + *entry.der_size;
    const std::uint64_t next =
        i + 1 < table.entries.size() ? table.entries[i + 1].offset : table_end;
    if (next <= der_end) continue;
    // Up to seven zero bytes that reach the next 8-byte boundary are alignment, not padding.
    std::uint64_t extra_begin = der_end;
    Bytes alignment = *slice(file, der_end, std::min(align8(der_end), next) - der_end);
    if (std::all_of(alignment.begin(), alignment.end(), [](auto b) { return b == 0; })) {
      extra_begin += alignment.size();
    }
    if (extra_begin >= next) continue;
    entry.padding = pe::Region{extra_begin, next - extra_begin};
    entry.padding_entropy = shannon_entropy(*slice(file, extra_begin, next - extra_begin));
  }
}

}  // namespace cascade::authenticode
