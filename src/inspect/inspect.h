// inspect: everything cascade can tell about one file, from one read of it.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "authenticode/catalog.h"
#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/digest.h"
#include "core/finding.h"
#include "formats/elf/elf_image.h"
#include "formats/macho/macho_image.h"
#include "formats/msi/msi.h"
#include "formats/pe/pe_certificate_table.h"
#include "formats/pe/pe_image.h"
#include "inspect/file_format.h"

namespace cascade {

struct InspectOptions {
  bool legacy_hashes = false;  // also MD5 and SHA-1 of the whole file
  const authenticode::TrustStore* trust = nullptr;
  std::time_t now = 0;  // the time signatures without a trusted timestamp are judged at
  // Per-section entropy (PE, ELF, Mach-O) costs a byte histogram per section; a scan whose
  // output shows none of it (the text summary, SARIF) turns it off. Overlay entropy, which
  // findings quote, is always measured.
  bool section_entropy = true;
  // Signed catalogs whose members count as signed (the file's catalog signatures); optional.
  const authenticode::CatalogIndex* catalogs = nullptr;
};

// What an inspected catalog file holds.
struct CatalogFacts {
  std::size_t members = 0;  // files it lists by hash
  std::size_t named = 0;    // ...of which it names
  std::string this_update;  // when it was made, as it claims (RFC 3339)
};

// One Mach-O image: the whole file when thin, one slice of a fat file otherwise.
struct MachoSliceReport {
  macho::FatSlice slice;  // offset 0 and the file size for a thin file
  std::optional<macho::MachoImage> image;
  std::string error;  // this slice could not be parsed
};

struct FileReport {
  std::string path;
  std::uint64_t size = 0;
  FileFormat format = FileFormat::kUnknown;
  FileHashes hashes;
  std::optional<pe::PeImage> pe;
  std::optional<elf::ElfImage> elf;
  std::vector<MachoSliceReport> macho_slices;
  std::optional<msi::MsiPackage> msi;
  std::optional<CatalogFacts> catalog;
  std::string imphash;
  std::optional<pe::Region> overlay;  // bytes past the format's last structure
  double overlay_entropy = 0.0;
  std::optional<authenticode::CertificateTable> certificate_table;
  std::vector<authenticode::Signature> signatures;
  std::vector<Finding> findings;  // most severe first
  std::string error;              // set when the file could not be read or parsed
};

FileReport inspect_bytes(const std::string& path, Bytes data, const InspectOptions& options);
FileReport inspect_file(const std::string& path, const InspectOptions& options);

// The one read of a file's bytes every format's inspection shares: fills report.hashes, the
// byte histograms, and returns the digests of `extra_jobs` (in order) and the PE dword sum.
struct SinglePass {
  std::vector<Digest> extra_digests;
  std::uint64_t dword_sum = 0;
};
SinglePass single_pass(Bytes data, const InspectOptions& options, std::vector<HashJob> extra_jobs,
                       std::vector<RangeHistogram>& histograms, bool dword_sum, FileReport& report);

// The highest severity among the report's findings, if any.
std::optional<Severity> worst_severity(const FileReport& report);

}  // namespace cascade
