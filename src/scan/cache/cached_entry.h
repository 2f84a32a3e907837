// What the scan cache keeps of one scanned file (on disk or inside a container): everything a
// report prints of it except what the run's feeds and rules add, which is recomputed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/signature.h"
#include "core/result.h"
#include "inspect/inspect.h"
#include "scan/packages/installed_package.h"

namespace cascade::scan {

struct CachedEntry {
  std::string path;  // the full nested path
  int depth = 0;
  std::uint64_t size = 0;
  FileFormat format = FileFormat::kUnknown;
  FileHashes hashes;  // MD5 and SHA-1 too when the run that read it computed them
  std::string error;
  // The file's JSON object (file_report_json) without "findings", "sha1" and "md5": the
  // inspection facts, printed as they are, as JSON text. Kept as text, because only JSON
  // output needs them, and parsing every reused file's facts was most of a re-scan's time.
  std::string facts = "{}";
  // The findings of inspection, containers and manifests; not those of feeds and rules.
  std::vector<Finding> findings;
  // Every certificate indicator feeds match signers by (signers, chains, timestamp signers).
  std::vector<authenticode::CertificateInfo> certificates;
  ManifestFacts manifest;
  // The YARA run's file variables (digest) and findings; empty when the scan had no rules.
  std::string yara_variables;
  std::vector<Finding> yara;
};

// The report's facts of `report` as a cache entry keeps them (see CachedEntry::facts).
std::string cacheable_facts(const FileReport& report);

// The JSON object of a file record rebuilt from cached facts: facts, the legacy hashes when
// `hashes` has them, the findings of `report` (this run's) and "cached": true. Facts that do
// not parse (decode_entries checked their digest, so only a bug could store such) give a
// record with the report's path, findings and an error saying so.
nlohmann::json cached_file_json(std::string_view facts, const FileReport& report);

// The serialised form stored in the cache, and its strict reading: a row that does not read
// back as exactly this shape is an error, never a partial entry. `list` is the entries as JSON
// without their facts, giving each one's facts size and the SHA-256 of them all; `facts` is
// every entry's facts text in order, stored apart so that a run printing findings only never
// reads them, and a damaged row is found without parsing them.
struct EncodedEntries {
  std::string list;
  std::string facts;
};
EncodedEntries encode_entries(const std::vector<CachedEntry>& entries);
// Without `facts`, the entries come without their facts (empty, and not checked).
Result<std::vector<CachedEntry>> decode_entries(std::string_view list,
                                                std::optional<std::string_view> facts);

}  // namespace cascade::scan
