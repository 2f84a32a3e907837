// The MSI database: string pool, table catalogue and column-major tables (the layout Wine and
// msitools document: every value of column 1, then every value of column 2, and so on).
#include <glib.h>

#include <algorithm>
#include <set>

#include "formats/msi/msi_internal.h"

namespace cascade::msi {

namespace {

constexpr std::uint16_t kTypeValid = 0x0100;
constexpr std::uint16_t kTypeString = 0x0800;
constexpr std::uint16_t kTypeNullable = 0x1000;
constexpr std::size_t kMaxStrings = std::size_t{1} << 21;
constexpr std::size_t kMaxCatalogueRows = std::size_t{1} << 16;
constexpr std::size_t kMaxColumns = 32;  // Windows Installer's own limit

// Bytes one value of a column takes in its table stream.
std::optional<std::uint32_t> column_width(std::uint16_t type, std::uint32_t ref_width) {
  if ((type & ~kTypeNullable) == (kTypeString | kTypeValid)) return 2;  // stream (binary) column
  if (type & kTypeString) return ref_width;
  if ((type & 0xff) <= 2) return 2;
  if ((type & 0xff) == 4) return 4;
  return std::nullopt;
}

bool is_ascii(Bytes b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c < 0x80; });
}

// Bytes in the database code page to UTF-8 (U+FFFD for what cannot be converted).
std::string to_utf8(Bytes b, std::uint32_t codepage) {
  const auto* chars = reinterpret_cast<const char*>(b.data());
  const auto length = static_cast<gssize>(b.size());
  if (is_ascii(b)) return std::string(chars, b.size());
  gchar* converted = nullptr;
  if (codepage == 65001) {
    converted = g_utf8_make_valid(chars, length);
  } else {
    const std::string from = "CP" + std::to_string(codepage == 0 ? 1252 : codepage);
    converted = g_convert(chars, length, "UTF-8", from.c_str(), nullptr, nullptr, nullptr);
  }
  if (converted == nullptr) {
    std::string out;
    for (std::uint8_t c : b)
      out += c < 0x80 ? std::string(1, static_cast<char>(c)) : "\xEF\xBF\xBD";
    return out;
  }
  std::string out(converted);
  g_free(converted);
  return out;
}

}  // namespace

StringPool StringPool::read(Bytes pool, Bytes data, std::vector<std::string>& anomalies) {
  StringPool sp;
  sp.data_ = data;
  sp.spans_.emplace_back(0, 0);  // id 0 is the null string
  if (pool.size() < 4) return sp;
  const std::uint16_t flags = *load_u16le(pool, 2);
  sp.ref_width_ = (flags & 0x8000) != 0 ? 3 : 2;
  sp.codepage_ = *load_u16le(pool, 0) | (std::uint32_t{flags & 0x7fffU} << 16);
  const std::size_t count = pool.size() / 4;
  std::uint64_t offset = 0;
  for (std::size_t i = 1; i < count;) {
    if (sp.spans_.size() > kMaxStrings) {
      anomalies.push_back("string pool: more than " + std::to_string(kMaxStrings) +
                          " strings; the rest were not read");
      break;
    }
    const std::uint16_t length = *load_u16le(pool, 4 * i);
    const std::uint16_t refs = *load_u16le(pool, 4 * i + 2);
    std::uint32_t len = length;
    if (length == 0 && refs == 0) {  // an unused id
      sp.spans_.emplace_back(0, 0);
      ++i;
      continue;
    }
    if (length == 0) {
      // A string of 64 KiB or more: its length spans the next entry (as Wine reads it).
      if (i + 1 >= count) {
        anomalies.push_back("string pool: a long string's length is cut off");
        break;
      }
      len = (std::uint32_t{*load_u16le(pool, 4 * (i + 1) + 2)} << 16) |
            *load_u16le(pool, 4 * (i + 1));
      i += 2;
    } else {
      i += 1;
    }
    if (len > data.size() - offset) {
      anomalies.push_back("string pool: string " + std::to_string(sp.spans_.size()) +
                          " runs past the end of _StringData");
      break;
    }
    sp.spans_.emplace_back(static_cast<std::uint32_t>(offset), len);
    offset += len;
  }
  return sp;
}

std::optional<std::string> StringPool::get(std::uint32_t id) const {
  if (id == 0 || id >= spans_.size() || spans_[id].second == 0) return std::nullopt;
  auto bytes = slice(data_, spans_[id].first, spans_[id].second);
  if (!bytes) return std::nullopt;
  return to_utf8(*bytes, codepage_);
}

std::optional<std::size_t> Table::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> Table::raw(std::size_t row, std::size_t column) const {
  if (row >= rows_ || column >= columns_.size()) return std::nullopt;
  const std::uint32_t width = columns_[column].width;
  const std::uint64_t at = starts_[column] + std::uint64_t{row} * width;
  const Bytes bytes = data_.bytes();
  if (width == 4) return load_u32le(bytes, at);
  auto low = load_u16le(bytes, at);
  if (!low) return std::nullopt;
  if (width == 2) return *low;
  auto high = slice(bytes, at + 2, 1);
  if (!high) return std::nullopt;
  return *low | (std::uint32_t{(*high)[0]} << 16);
}

std::optional<std::string> Table::text(std::size_t row, std::size_t column) const {
  if (column >= columns_.size() || (columns_[column].type & kTypeString) == 0) return std::nullopt;
  auto id = raw(row, column);
  if (!id) return std::nullopt;
  return strings_->get(*id);
}

std::optional<std::int32_t> Table::integer(std::size_t row, std::size_t column) const {
  if (column >= columns_.size() || (columns_[column].type & kTypeString) != 0) return std::nullopt;
  auto v = raw(row, column);
  if (!v || *v == 0) return std::nullopt;  // stored 0 is NULL; values carry a sign-bit bias
  if (columns_[column].width == 2) return static_cast<std::int32_t>(*v) - 0x8000;
  return static_cast<std::int32_t>(*v ^ 0x80000000U);
}

Database Database::read(const OleFile& file, std::vector<std::string>& anomalies) {
  Database db;
  db.file_ = &file;
  const OleDirectory& dir = file.directory();
  for (std::uint32_t child : dir.entries[0].children) {
    if (dir.entries[child].type != kOleStream) continue;
    const StreamName n = decode_stream_name(dir.entries[child].name);
    auto& index = n.table ? db.table_streams_ : db.streams_;
    if (!index.emplace(n.name, child).second) {
      anomalies.push_back("two streams decode to the name '" + display_name(n) + "'");
    }
  }
  StreamView pool;
  auto pool_it = db.table_streams_.find("_StringPool");
  auto data_it = db.table_streams_.find("_StringData");
  if (pool_it != db.table_streams_.end() && data_it != db.table_streams_.end()) {
    auto p = file.stream(pool_it->second);
    auto d = file.stream(data_it->second);
    if (p && d) {
      pool = std::move(p).value();
      db.string_data_ = std::move(d).value();
    } else {
      anomalies.push_back("string pool unreadable: " + (p ? d.error() : p.error()).message);
    }
  } else if (!db.table_streams_.empty()) {
    anomalies.push_back("database tables without a string pool");
  }
  db.strings_ = std::make_unique<StringPool>(
      StringPool::read(pool.bytes(), db.string_data_.bytes(), anomalies));

  // _Columns has a layout of its own that no table describes: Table, Number, Name, Type.
  const std::uint32_t w = db.strings_->ref_width();
  db.columns_["_Columns"] = {{"Table", kTypeString | kTypeValid, w},
                             {"Number", kTypeValid | 2, 2},
                             {"Name", kTypeString | kTypeValid, w},
                             {"Type", kTypeValid | 2, 2}};
  db.columns_["_Tables"] = {{"Name", kTypeString | kTypeValid, w}};
  std::map<std::string, std::map<std::int32_t, Table::Column>> numbered;
  if (auto columns = db.table("_Columns", anomalies)) {
    if (columns->rows() > kMaxCatalogueRows) {
      anomalies.push_back("_Columns has " + std::to_string(columns->rows()) + " rows");
    }
    for (std::size_t r = 0; r < std::min(columns->rows(), kMaxCatalogueRows); ++r) {
      auto table = columns->text(r, 0);
      auto number = columns->integer(r, 1);
      auto name = columns->text(r, 2);
      auto type = columns->integer(r, 3);
      if (!table || !number || !name || !type) {
        anomalies.push_back("_Columns row " + std::to_string(r + 1) + " is incomplete");
        continue;
      }
      if (*table == "_Columns" || *table == "_Tables") continue;  // fixed layouts
      const auto t = static_cast<std::uint16_t>(*type);
      auto width = column_width(t, w);
      if (!width || !numbered[*table].emplace(*number, Table::Column{*name, t, *width}).second) {
        anomalies.push_back("table " + *table + ": column " + *name + " is invalid or repeated");
      }
    }
  }
  for (auto& [table, cols] : numbered) {
    // Columns are numbered 1..n; a gap or an excess makes the row layout unknowable.
    if (cols.size() > kMaxColumns || cols.begin()->first != 1 ||
        cols.rbegin()->first != static_cast<std::int32_t>(cols.size())) {
      anomalies.push_back("table " + table + ": columns are not numbered 1.." +
                          std::to_string(cols.size()));
      continue;
    }
    auto& out = db.columns_[table];
    for (auto& [number, column] : cols) out.push_back(std::move(column));
  }
  std::set<std::string> catalogued;
  if (auto tables = db.table("_Tables", anomalies)) {
    for (std::size_t r = 0; r < std::min(tables->rows(), kMaxCatalogueRows); ++r) {
      if (auto name = tables->text(r, 0)) catalogued.insert(*name);
    }
  }
  for (const auto& [name, entry] : db.table_streams_) {
    // A table Windows Installer's catalogue does not list is data it never reads.
    if (!name.starts_with("_") && !catalogued.contains(name)) {
      anomalies.push_back("table stream !" + name + " is not listed in _Tables");
    }
  }
  return db;
}

std::optional<Table> Database::table(const std::string& name,
                                     std::vector<std::string>& anomalies) const {
  auto stream = table_streams_.find(name);
  if (stream == table_streams_.end()) return std::nullopt;
  auto columns = columns_.find(name);
  if (columns == columns_.end()) {
    anomalies.push_back("table " + name + " has no columns in _Columns");
    return std::nullopt;
  }
  Table t;
  t.strings_ = strings_.get();
  t.columns_ = columns->second;
  std::uint64_t row_size = 0;
  for (const auto& c : t.columns_) row_size += c.width;
  auto view = file_->stream(stream->second);
  if (!view) {
    anomalies.push_back("table " + name + ": " + view.error().message);
    return std::nullopt;
  }
  const std::uint64_t size = view->bytes().size();
  if (row_size == 0 || size % row_size != 0) {
    anomalies.push_back("table " + name + ": " + std::to_string(size) +
                        " bytes is not a whole number of " + std::to_string(row_size) +
                        "-byte rows");
    return std::nullopt;
  }
  t.rows_ = static_cast<std::size_t>(size / row_size);
  std::uint64_t start = 0;
  for (const auto& c : t.columns_) {
    t.starts_.push_back(start);
    start += std::uint64_t{c.width} * t.rows_;
  }
  t.data_ = std::move(view).value();
  return t;
}

}  // namespace cascade::msi
