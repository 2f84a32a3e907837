// JSON for the ELF, Mach-O and MSI parts of a file report (internal to file_report_json, and the
// trust command's certificate listing).
#pragma once

#include <nlohmann/json.hpp>

#include "inspect/inspect.h"

namespace cascade::json_detail {

// Adds the ELF keys to a file object: the `elf` detail object and the top-level summaries
// (`needed`, `soname`, `build_id`, `interpreter`).
void add_elf(nlohmann::json& file, const elf::ElfImage& image);

// Adds the Mach-O keys: for a thin file the slice's keys on the file object itself, for a fat
// file a `slices` list of them (`cpu`, `offset`, `size`, `macho`, `dylibs`, `uuid`, `codesign`).
void add_macho(nlohmann::json& file, const FileReport& report);

// Adds the `msi` object: the package's identity, streams, cabinets and install paths. (Its
// signatures go under the file's `signatures` key, as a PE file's do.)
void add_msi(nlohmann::json& file, const msi::MsiPackage& package);

nlohmann::json certificate_json(const authenticode::CertificateInfo& c);
nlohmann::json chain_json(const authenticode::ChainResult& chain);
// The JSON name of why a chain is not trusted ("no-anchor", "spoofed-anchor", ...).
std::string_view chain_problem_name(authenticode::ChainProblem problem);

}  // namespace cascade::json_detail
