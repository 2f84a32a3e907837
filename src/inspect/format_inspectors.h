// Per-format inspection, called through the format table (format_table.h) once the format is
// known by its magic. Each sets report.format.
#pragma once

#include "inspect/inspect.h"

namespace cascade {

// A file that starts like a PE image; one too damaged to parse gets an error.
void inspect_pe(Bytes data, const InspectOptions& options, FileReport& report);
void inspect_elf(Bytes data, const InspectOptions& options, FileReport& report);
void inspect_macho(Bytes data, const InspectOptions& options, FileReport& report);
// Any OLE compound file: kMsi when it holds an installer database, else kUnknown.
void inspect_msi(Bytes data, const InspectOptions& options, FileReport& report);

// A signed catalog (.cat) as a file of its own: its members and its own signature.
void inspect_catalog(Bytes data, const InspectOptions& options, FileReport& report);

// The catalog signatures of a file whose digests are `digests` (PE image hashes when
// `pe_image`, else hashes of the whole file), from options.catalogs; a catalog that names the
// file but lists another hash gives signature.catalog-mismatch.
void add_catalog_signatures(const std::vector<std::pair<DigestAlgorithm, Digest>>& digests,
                            bool pe_image, const InspectOptions& options, FileReport& report);

// The whole-file hashes options.catalogs needs for files that are not PE images.
std::vector<HashJob> catalog_flat_jobs(const InspectOptions& options);

// A histogram over [offset, offset + size) clamped to the file, with no arithmetic that can
// wrap whatever a hostile header says.
RangeHistogram file_range(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size);

// The trust store to judge signatures with: the caller's, else an empty one.
const authenticode::TrustStore& trust_or_empty(const InspectOptions& options);

}  // namespace cascade
