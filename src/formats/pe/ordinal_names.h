#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cascade::pe {

// The exported name behind an ordinal of the few system DLLs that programs commonly import by
// ordinal (ws2_32/wsock32, oleaut32); `dll` is lower case with its extension. The table is
// generated from those DLLs' own export tables by scripts/gen-ordinal-names.
std::optional<std::string> ordinal_name(const std::string& dll, std::uint16_t ordinal);

}  // namespace cascade::pe
