// Electron asar archives (app.asar): a Chromium Pickle holding a JSON tree of the files, followed
// by the files' bytes.
//
//   u32le 4            payload size of the size pickle
//   u32le H            byte length of the header pickle that follows
//   header pickle      u32le payload size P, then at H - P: i32le length L, L bytes of JSON,
//                      padding to 4 bytes
//   file data          a file's bytes start at 8 + H + its "offset"
//
// The JSON: {"files": {NAME: NODE, ...}}, where a NODE is a directory {"files": {...}}, a link
// {"link": "target"}, or a file {"offset": "decimal string", "size": N, "unpacked"?: bool,
// "executable"?: bool, "integrity"?: {...}}. Unpacked files live beside the archive in
// app.asar.unpacked/, not in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scan/container/container.h"
#include "scan/container/expansion_guard.h"

namespace cascade::scan::detail {

// Above this the header is not parsed (real ones are a few MiB at most).
inline constexpr std::uint64_t kMaxAsarHeader = std::uint64_t{64} << 20;
// Directory levels below the root; deeper subtrees are skipped with a note.
inline constexpr std::size_t kMaxAsarDepth = 64;

struct AsarLayout {
  std::uint64_t header_size = 0;  // H
  std::string_view json;          // the header string, inside the input
  std::uint64_t data_offset = 0;  // 8 + H, where offset 0 of the file data lies
};

// The pickle framing around the JSON header, checked against the input; nullopt (and `why`) when
// it is not asar framing.
std::optional<AsarLayout> read_asar_layout(Bytes data, std::string* why);

// Framing parses and the JSON starts as asar's does: {"files"
bool looks_like_asar(Bytes data);

void expand_asar(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit);

}  // namespace cascade::scan::detail
