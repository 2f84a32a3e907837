// The Windows Installer database inside the OLE file: stream names, the string pool and the
// column-major tables (internal to src/formats/msi).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/msi/msi.h"
#include "formats/msi/ole_file.h"

namespace cascade::msi {

// A stream name with MSI's name compression undone: each code unit in 0x3800..0x47FF packs two
// characters of [0-9A-Za-z._], 0x4800..0x483F one; a leading 0x4840 marks a database table,
// which cascade spells with a '!' prefix ("!File", "!_StringPool").
struct StreamName {
  std::string name;    // table names without the '!'
  bool table = false;  // the name began with 0x4840
};
StreamName decode_stream_name(const std::u16string& raw);
std::string display_name(const StreamName& n);  // "!" + name for tables

// "short|long" -> "long"; the part before ':' of "target:source" first when `directory`.
std::string long_name(std::string_view value, bool directory);

inline constexpr char16_t kDigitalSignature[] =
    u"\x05"
    u"DigitalSignature";
inline constexpr char16_t kDigitalSignatureEx[] =
    u"\x05"
    u"MsiDigitalSignatureEx";

// Index of the root stream named `name` (raw UTF-16), if any.
std::optional<std::uint32_t> root_stream(const OleDirectory& dir, std::u16string_view name);

// The string pool: !_StringPool holds (length, refcount) pairs, !_StringData the bytes.
class StringPool {
 public:
  // Damage is reported in `anomalies`; whatever could be read stays usable.
  static StringPool read(Bytes pool, Bytes data, std::vector<std::string>& anomalies);

  std::uint32_t ref_width() const { return ref_width_; }  // 2, or 3 for large pools
  // String `id` (1-based) in UTF-8; nullopt for 0 (null) or an unknown id.
  std::optional<std::string> get(std::uint32_t id) const;

 private:
  Bytes data_;
  std::uint32_t codepage_ = 0;
  std::uint32_t ref_width_ = 2;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;  // offset, length; index = id
};

// One table, columns in order, read from its stream (column-major: each column's values for
// every row, one column after the other).
class Table {
 public:
  struct Column {
    std::string name;
    std::uint16_t type = 0;  // the _Columns Type value (MSITYPE_* bits and size)
    std::uint32_t width = 0;
  };

  std::size_t rows() const { return rows_; }
  std::optional<std::size_t> column(std::string_view name) const;
  std::optional<std::string> text(std::size_t row, std::size_t column) const;
  std::optional<std::int32_t> integer(std::size_t row, std::size_t column) const;

 private:
  friend class Database;
  std::optional<std::uint32_t> raw(std::size_t row, std::size_t column) const;

  const StringPool* strings_ = nullptr;
  std::vector<Column> columns_;
  std::vector<std::uint64_t> starts_;  // byte offset of each column's block
  StreamView data_;
  std::size_t rows_ = 0;
};

class Database {
 public:
  // Reads the stream index, the string pool and the table catalogue (_Tables, _Columns).
  static Database read(const OleFile& file, std::vector<std::string>& anomalies);

  bool has_tables() const { return !table_streams_.empty(); }
  const std::map<std::string, std::uint32_t>& streams() const { return streams_; }
  // nullopt when the table is absent; damage is added to `anomalies`.
  std::optional<Table> table(const std::string& name, std::vector<std::string>& anomalies) const;

 private:
  const OleFile* file_ = nullptr;
  std::map<std::string, std::uint32_t> table_streams_;  // table name -> entry
  std::map<std::string, std::uint32_t> streams_;        // other root streams by decoded name
  StreamView string_data_;                              // the bytes strings_ points into
  std::unique_ptr<StringPool> strings_;                 // stable address: tables point at it
  std::map<std::string, std::vector<Table::Column>> columns_;
};

// Length of the DER SEQUENCE at the start of `blob` (tag, length and value), if it is one.
std::optional<std::uint64_t> der_length(Bytes blob);

// Fills custom_actions from the CustomAction table and the sequence tables.
void read_custom_actions(const Database& db, MsiPackage& package);

// Fills install_names from the File, Component and Directory tables.
void resolve_install_names(const Database& db, MsiPackage& package);

}  // namespace cascade::msi
