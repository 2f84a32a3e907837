// Windows Installer packages: an OLE compound file (read through libgsf) holding the database
// tables, embedded cabinets and the Authenticode signature streams.
// Contract between src/inspect, the scan engine and the reader in this directory.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"
#include "scan/container/container.h"

namespace cascade::msi {

struct MsiStream {
  std::string name;  // decoded (MSI's base-64 name compression undone); "\x05..." kept as is
  std::uint64_t size = 0;
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
  bool has_signature = false;     // \x05DigitalSignature present
  bool has_signature_ex = false;  // \x05MsiDigitalSignatureEx present
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

// Every stream of an MSI, for scan: embedded cabinets are visited under their stream name
// (e.g. "app.cab"), other streams ("Binary.*", "Icon.*") too; the database tables and the
// signature streams are not. Shares the caps and budget of the container readers.
std::uint64_t expand_msi(Bytes data, const scan::ContainerLimits& limits,
                         scan::ContainerBudget& budget, const scan::EntryVisitor& visit,
                         std::vector<scan::ContainerNote>& notes);

}  // namespace cascade::msi
