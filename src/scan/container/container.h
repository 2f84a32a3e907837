// Containers scan opens: everything libarchive reads, and Electron asar archives. (MSI packages
// are read by src/formats/msi; msi_expansion.h hands their streams to the same visitor.)
// Contract between the scan engine (src/scan/scanner.cc) and the readers in this directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"
#include "scan/container/expansion_memory.h"

namespace cascade::scan {

enum class ContainerKind {
  kNone,
  kArchive,  // zip (JAR/APK/NuGet/VSIX), 7z, tar and compressed tars, cab, xar/pkg, iso, cpio,
             // ar/deb, rpm
  kAsar,     // Electron app.asar
};

// Safety caps for expanding untrusted archives; one budget is shared by a whole nesting tree.
struct ContainerLimits {
  int max_depth = 8;                                        // nesting levels below the scanned file
  std::uint64_t max_entry_size = std::uint64_t{512} << 20;  // one entry's expanded bytes
  std::uint64_t max_total_size = std::uint64_t{4} << 30;    // all expanded bytes of one top file
  std::uint64_t max_entries = 200000;                       // entries of one top file, all levels
  double max_ratio = 250.0;  // expanded bytes / container bytes, per container; whole 4 KiB
                             // blocks of zeros are inert and count only against the size caps
  // Entry buffers of all workers together (the ExpansionMemory a scan creates).
  std::uint64_t max_memory = std::uint64_t{1} << 30;
};

// What one top-level file's expansion has used so far (not thread-safe: one per top file), and
// the memory pool shared by the whole scan (none: buffers are not limited beyond max_entry_size).
struct ContainerBudget {
  std::uint64_t expanded = 0;
  std::uint64_t entries = 0;
  ExpansionMemory* memory = nullptr;
  ExpansionMemory::Account memory_held;
};

// How an entry's bytes relate to other entries of its container: asar headers may point many
// names at one range, which is then scanned once and reported under every name.
enum class EntrySharing {
  kUnique,  // no other entry names these bytes (or the reader does not know)
  kShared,  // later entries will name the same bytes: keep this entry's result for them
  kRepeat,  // the same bytes (the same span of memory) as an earlier kShared entry
};

// One regular file inside a container. `data` is valid only during the visitor call.
struct ContainerEntry {
  std::string name;  // path inside the container, '/'-separated, as stored (never interpreted)
  Bytes data;
  EntrySharing sharing = EntrySharing::kUnique;
};

enum class NoteKind {
  kMalformed,     // damaged or unreadable content: `container.malformed`
  kEntrySkipped,  // one entry over max_entry_size skipped, the rest examined: `container.limit`
  kIncomplete,    // a cap left part of the container unexamined: `container.incomplete` (high)
  kAmbiguous,     // two readings of the container disagree: `container.ambiguous` (high): an
                  // entry one view has and the other lacks (a zip's central directory against
                  // its local headers, an MSI's File table against its cabinets, asar data no
                  // header entry covers)
};

// What a reader could not do: the engine turns each note into a finding on the container. A
// kIncomplete note names what was left unexamined.
struct ContainerNote {
  NoteKind kind = NoteKind::kMalformed;
  std::string message;
};

using EntryVisitor = std::function<void(const ContainerEntry&)>;

// By content (magic), never by name: kNone for anything that is not a container scan opens.
// A PE, ELF or Mach-O file is never kArchive (its overlay may be; the engine asks separately).
ContainerKind detect_container(Bytes data);
// The two halves of detect_container, which asks about asar first.
bool looks_like_asar_container(Bytes data);
bool looks_like_archive_container(Bytes data);

// True if libarchive recognises `data` as an archive format it can list (used on PE overlays:
// self-extracting zip/7z/cab installers).
bool archive_recognised(Bytes data);

// Calls `visit` for every regular file in the container, in stored order, within `limits` and
// `budget`; directories, links and devices are skipped. Never throws; problems are appended to
// `notes` and the expansion stops or skips as the note says. Returns the number of entries
// visited.
std::uint64_t expand_container(ContainerKind kind, Bytes data, const ContainerLimits& limits,
                               ContainerBudget& budget, const EntryVisitor& visit,
                               std::vector<ContainerNote>& notes);

}  // namespace cascade::scan
