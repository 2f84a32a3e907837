// JSON for the ELF and Mach-O parts of a file report (internal to src/report).
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

nlohmann::json certificate_json(const authenticode::CertificateInfo& c);
nlohmann::json chain_json(const authenticode::ChainResult& chain);

}  // namespace cascade::json_detail
