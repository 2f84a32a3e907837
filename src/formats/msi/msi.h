// Windows Installer packages: an OLE compound file (read through libgsf) holding the database
// tables, embedded cabinets and the Authenticode signature streams.
// Contract between src/inspect, the scan engine and the reader in this directory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::msi {

class OleFile;

struct MsiStream {
  std::string name;  // decoded (MSI's base-64 name compression undone); "\x05..." kept as is
  std::uint64_t size = 0;
};

// Where a custom action is scheduled: a row of one of the sequence tables.
struct MsiSequenceStep {
  std::string table;                     // "InstallExecuteSequence", "InstallUISequence", ...
  std::optional<std::int32_t> sequence;  // absent: the action is not run by that sequence
  std::string condition;                 // empty: always
};

// A CustomAction table row: code the installer runs, with the sequences that schedule it.
struct MsiCustomAction {
  std::string action;
  std::int32_t type = 0;  // msidbCustomActionType* bits: source, target and scheduling
  std::string source;
  std::string target;
  std::vector<MsiSequenceStep> scheduled;  // by table name, then sequence number
};

struct MsiPackage {
  std::string product_name;  // Property table, when readable
  std::string product_version;
  std::string manufacturer;
  std::vector<MsiStream> streams;
  // Cabinets the Media table embeds ("#name" cabinets), by stream name.
  std::vector<std::string> cabinets;
  // File table key (the name a cabinet stores a file under) -> install path relative to the
  // target directory (Directory table resolved when possible, else the long file name).
  std::map<std::string, std::string> install_names;
  std::vector<MsiCustomAction> custom_actions;  // by action name
  bool has_signature = false;                   // \x05DigitalSignature present
  bool has_signature_ex = false;                // \x05MsiDigitalSignatureEx present
  // Bytes inside the \x05DigitalSignature stream after the DER PKCS#7 blob.
  std::uint64_t signature_padding = 0;
  std::vector<std::string> anomalies;  // damage seen while reading; parsing went on
};

// OLE compound file magic (D0 CF 11 E0 A1 B1 1A E1); read_msi decides whether it is an MSI.
bool looks_like_ole(Bytes data);

// Reads the package: the compound file (kMalformed / kTruncated / kLimit when it is damaged),
// then the database tables it needs. A sound compound file that holds no Windows Installer
// database (a Word document, say) is kUnsupported. Damage inside the database does not fail
// the read; it is listed in `anomalies`.
Result<MsiPackage> read_msi(Bytes data);

// One stream of a package that carries a file.
struct MsiFileStream {
  std::string name;  // decoded stream name, e.g. "app.cab", "Binary.CustomAction"
  std::uint64_t size = 0;
  std::uint32_t entry = 0;  // its index in the compound file's directory
};

// The streams of a package that carry files, for whoever unpacks it (scan): embedded cabinets
// first, in Media order, then every other stream by name ("Binary.*", "Icon.*"); the database
// tables and the property and signature streams ("\x05...") are not files. Nothing is read
// until read() is called, so the caller can apply its caps stream by stream.
class MsiFileStreams {
 public:
  // Fails (kMalformed / kTruncated / kLimit) only when the compound file itself is damaged.
  // `data` must outlive the result: streams are read from it in place.
  static Result<MsiFileStreams> open(Bytes data);

  MsiFileStreams(MsiFileStreams&&) noexcept;
  MsiFileStreams& operator=(MsiFileStreams&&) noexcept;
  ~MsiFileStreams();

  const std::vector<MsiFileStream>& streams() const { return streams_; }
  // Files only one of the package's two views has (its File table against the contents of its
  // embedded cabinets), found before any stream is read so no cap can hide them.
  const std::vector<std::string>& disagreements() const { return disagreements_; }
  // Damage seen in the database while listing the streams; listing went on.
  const std::vector<std::string>& anomalies() const { return anomalies_; }

  // Calls `use` with the stream's bytes, which are valid only during the call (libgsf copies a
  // fragmented stream); the error when the stream cannot be read.
  std::optional<Error> read(const MsiFileStream& stream,
                            const std::function<void(Bytes)>& use) const;

 private:
  MsiFileStreams() = default;

  std::unique_ptr<OleFile> file_;
  std::vector<MsiFileStream> streams_;
  std::vector<std::string> disagreements_;
  std::vector<std::string> anomalies_;
};

}  // namespace cascade::msi
