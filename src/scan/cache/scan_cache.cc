#include "scan/cache/scan_cache.h"

#include <fcntl.h>
#include <link.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "core/digest.h"
#include "core/sqlite_handles.h"

namespace cascade::scan {

namespace {

constexpr const char* kSchemaVersion = "4";  // 4: facts in a table of their own
// Written in the SQLite header (PRAGMA application_id, "CASC"): what marks a file as a scan
// cache, so a mistyped --cache naming a file or another program's database is refused, never
// overwritten.
constexpr std::uint32_t kApplicationId = 0x43415343;
constexpr std::size_t kApplicationIdOffset = 68;  // of the database header (SQLite file format)
constexpr std::size_t kPendingRows = 256;

using sqlite::Db;
using sqlite::exec_retrying;
using sqlite::Statement;

constexpr const char* kCreateTables =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    // A rowid table: its rows (about a kilobyte) fit in a page, where a WITHOUT ROWID table's
    // would spill to overflow pages that every lookup reads. The facts, most of the bytes and
    // read only for JSON records, are in a table of their own.
    "CREATE TABLE files (path BLOB NOT NULL UNIQUE, device INTEGER NOT NULL,"
    " inode INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " ctime_ns INTEGER NOT NULL, context TEXT NOT NULL, rules TEXT NOT NULL,"
    " legacy INTEGER NOT NULL, judged_after INTEGER NOT NULL, judged_before INTEGER NOT NULL,"
    " containers INTEGER NOT NULL, entries TEXT NOT NULL);"
    "CREATE TABLE facts (path BLOB PRIMARY KEY, facts BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE yara (sha256 TEXT NOT NULL, rules TEXT NOT NULL, variables TEXT NOT NULL,"
    " findings TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (sha256, rules, variables))"
    " WITHOUT ROWID;";

// A file's facts are NULL when their row is missing, which the type check takes for damage.
constexpr const char* kFileColumns =
    "SELECT device, inode, size, mtime_ns, ctime_ns, context, rules, legacy, judged_after,"
    " judged_before, containers, entries,"
    " (SELECT facts FROM facts WHERE facts.path = files.path) FROM files";
constexpr const char* kFileColumnsWithoutFacts =
    "SELECT device, inode, size, mtime_ns, ctime_ns, context, rules, legacy, judged_after,"
    " judged_before, containers, entries FROM files";

Statement prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return Statement();
  return Statement(raw);
}

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  return data == nullptr ? std::string()
                         : std::string(data, sqlite3_column_bytes(statement, column));
}

void bind_text(sqlite3_stmt* statement, int index, const std::string& value) {
  sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
}
void bind_blob(sqlite3_stmt* statement, int index, const std::string& value) {
  sqlite3_bind_blob(statement, index, value.data(), static_cast<int>(value.size()),
                    SQLITE_TRANSIENT);
}

std::string findings_text(const std::vector<Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : findings) {
    list.push_back({{"id", f.id},
                    {"severity", std::string(severity_name(f.severity))},
                    {"message", f.message}});
  }
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::vector<Finding>> read_findings_text(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_array()) return std::nullopt;
  std::vector<Finding> out;
  for (const auto& item : parsed) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_string() ||
        !item.contains("severity") || !item["severity"].is_string() || !item.contains("message") ||
        !item["message"].is_string()) {
      return std::nullopt;
    }
    const auto severity = severity_from_name(item["severity"].get<std::string>());
    if (!severity) return std::nullopt;
    out.push_back({item["id"].get<std::string>(), *severity, item["message"].get<std::string>()});
  }
  return out;
}

// A cache is what the scan trusts: only its owner may read or change it.
Status check_private(int fd, const std::string& path) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    return make_error(ErrorCode::kUsage, path + " is not a regular file");
  }
  if (status.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kUsage,
                      "refusing the scan cache " + path + ": another user owns it");
  }
  if ((status.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    return make_error(ErrorCode::kUsage, "refusing the scan cache " + path + ": its mode is " +
                                             mode + ", not 0600 (others could read or change it)");
  }
  return ok_status();
}

// Creates the file 0600 when missing (fchmod: the umask cannot widen or narrow it), then checks
// it is private.
Status prepare_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return make_error(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) == 0 && status.st_size == 0) ::fchmod(fd, 0600);
  Status checked = check_private(fd, path);
  ::close(fd);
  return checked;
}

// Whether the file's first page says it is a scan cache: the SQLite header's magic and this
// application id, read from the bytes, for a file SQLite itself no longer opens.
bool header_marks_a_cache(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::array<char, kApplicationIdOffset + 4> header{};
  if (!file.read(header.data(), header.size())) return false;
  constexpr std::string_view kMagic("SQLite format 3\0", 16);
  if (std::string_view(header.data(), kMagic.size()) != kMagic) return false;
  std::uint32_t id = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    id = id << 8 | static_cast<std::uint8_t>(header[kApplicationIdOffset + i]);
  }
  return id == kApplicationId;
}

Error not_a_cache(const std::string& path, const std::string& what) {
  return make_error(ErrorCode::kUsage, path + " is not a cascade scan cache (" + what +
                                           "): it is left as it is; remove it, or give --cache "
                                           "another file");
}

}  // namespace

struct ScanCache::Database {
  Db db;
  // Prepared once: a re-scan looks up every file, and preparing cost as much as the lookup.
  Statement find_file;
  Statement find_file_without_facts;
  Statement find_yara;
  // Lookups share one read transaction until the next write: each statement in a transaction
  // of its own took and dropped the file's read lock and checked the file again, which cost a
  // re-scan as much as the lookups themselves.
  bool reading = false;

  void begin_reading() {
    if (!reading) reading = sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  // Before a write, which a read transaction of this connection would block.
  void end_reading() {
    if (reading) sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
    reading = false;
  }
};

namespace {

// Resets a reused statement however the scope is left, so it holds no read lock afterwards.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
  ~StatementUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
};

// A file's row as read, before its entries are decoded (outside the lock).
struct FileRow {
  bool typed = true;
  CachedFile file;  // without entries
  std::string entries;
  std::optional<std::string> facts;
};

}  // namespace

FileIdentity file_identity(const struct stat& status) {
  return {static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino),
          static_cast<std::uint64_t>(status.st_size),
          std::int64_t{status.st_mtim.tv_sec} * 1000000000 + status.st_mtim.tv_nsec,
          std::int64_t{status.st_ctim.tv_sec} * 1000000000 + status.st_ctim.tv_nsec};
}

std::string scanner_build_id() {
  std::string id;
  // The first object dl_iterate_phdr reports is the executable itself.
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) -> int {
        auto& found = *static_cast<std::string*>(out);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& header = info->dlpi_phdr[i];
          if (header.p_type != PT_NOTE) continue;
          // The loader gives the executable's base address as an integer.
          const ElfW(Addr) address = info->dlpi_addr + header.p_vaddr;
          // NOLINTNEXTLINE(performance-no-int-to-ptr)
          const auto* note = reinterpret_cast<const std::uint8_t*>(address);
          std::size_t offset = 0;
          while (offset + sizeof(ElfW(Nhdr)) <= header.p_memsz) {
            const auto* nhdr = reinterpret_cast<const ElfW(Nhdr)*>(note + offset);
            const std::size_t name = (nhdr->n_namesz + 3) & ~std::size_t{3};
            const std::size_t desc = (nhdr->n_descsz + 3) & ~std::size_t{3};
            const std::uint8_t* payload = note + offset + sizeof(ElfW(Nhdr)) + name;
            if (nhdr->n_type == NT_GNU_BUILD_ID && nhdr->n_namesz == 4 &&
                offset + sizeof(ElfW(Nhdr)) + name + nhdr->n_descsz <= header.p_memsz) {
              found = "gnu-build-id:" + to_hex(Bytes(payload, nhdr->n_descsz));
              return 1;
            }
            offset += sizeof(ElfW(Nhdr)) + name + desc;
          }
        }
        return 1;
      },
      &id);
  if (!id.empty()) return id;
  // Linked without a build-id note: the executable's own digest tells builds apart instead.
  std::ifstream exe("/proc/self/exe", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(exe)), std::istreambuf_iterator<char>());
  return "sha256:" +
         to_hex(digest(DigestAlgorithm::kSha256,
                       Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
}

ScanCache::ScanCache(std::unique_ptr<Database> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

ScanCache::~ScanCache() {
  const std::lock_guard lock(mutex_);
  (void)flush_locked();
  db_->end_reading();
}

Result<std::unique_ptr<ScanCache>> ScanCache::open(const std::string& path,
                                                   const std::string& build_id,
                                                   std::vector<std::string>& notes) {
  if (auto prepared = prepare_file(path); !prepared) return prepared.error();
  auto connect = [&]() -> Result<Db> {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) {
      return make_error(ErrorCode::kIo, "cannot open " + path + ": " +
                                            (raw != nullptr ? sqlite3_errmsg(raw) : "no memory"));
    }
    sqlite3_busy_timeout(db.get(), 30000);
    return db;
  };
  auto db = connect();
  if (!db) return db.error();
  // Why the cache cannot be used as it is; empty when it can.
  // A file that is not marked as a cache is only ever used when it holds nothing.
  std::optional<Error> foreign;
  auto problem = [&](sqlite3* handle) -> std::string {
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}) {
      if (exec_retrying(handle, pragma) != SQLITE_OK) {
        return std::string("it is not a SQLite database (") + sqlite3_errmsg(handle) + ")";
      }
    }
    Statement marker = prepare(handle, "PRAGMA application_id");
    Statement tables = prepare(handle, "SELECT count(*) FROM sqlite_schema");
    if (!marker || sqlite3_step(marker.get()) != SQLITE_ROW || !tables ||
        sqlite3_step(tables.get()) != SQLITE_ROW) {
      return std::string("it cannot be read (") + sqlite3_errmsg(handle) + ")";
    }
    if (static_cast<std::uint32_t>(sqlite3_column_int(marker.get(), 0)) != kApplicationId) {
      if (sqlite3_column_int(tables.get(), 0) == 0) return "new";
      foreign = not_a_cache(path, "a SQLite database of another program");
      return "foreign";
    }
    Statement meta = prepare(handle, "SELECT key, value FROM meta");
    if (!meta) return "it does not hold a scan cache's tables";
    std::string schema, build;
    while (sqlite3_step(meta.get()) == SQLITE_ROW) {
      const std::string key = column_text(meta.get(), 0);
      if (key == "schema") schema = column_text(meta.get(), 1);
      if (key == "build") build = column_text(meta.get(), 1);
    }
    if (schema != kSchemaVersion) return "its schema version is not " + std::string(kSchemaVersion);
    if (build != build_id) return "another build of cascade wrote it";
    if (!prepare(handle, kFileColumns) ||
        !prepare(handle, "SELECT sha256, rules, variables, findings, used FROM yara")) {
      return "it does not hold a scan cache's tables";
    }
    return "";
  };
  std::string why = problem(db->get());
  if (foreign) return *foreign;
  const bool unreadable = why.starts_with("it is not a SQLite") || why.starts_with("it cannot be");
  if (unreadable && !header_marks_a_cache(path)) {
    return not_a_cache(path, "not a SQLite database");
  }
  if (!why.empty()) {
    if (why != "new") notes.push_back("scan cache " + path + ": " + why + "; rebuilt");
    if (unreadable) {
      // A damaged cache: start the file again (still private).
      db->reset();
      if (::truncate(path.c_str(), 0) != 0) {
        return make_error(ErrorCode::kIo, "cannot rebuild " + path + ": " + std::strerror(errno));
      }
      for (const char* suffix : {"-wal", "-shm"}) ::unlink((path + suffix).c_str());
      db = connect();
      if (!db) return db.error();
      if (exec_retrying(db->get(), "PRAGMA journal_mode=WAL") != SQLITE_OK) {
        return make_error(ErrorCode::kIo, path + ": " + sqlite3_errmsg(db->get()));
      }
    }
    // The build id is bound, not spliced into SQL: run the statements one by one.
    if (exec_retrying(db->get(), "BEGIN IMMEDIATE") != SQLITE_OK) {
      return make_error(ErrorCode::kIo, path + ": " + sqlite3_errmsg(db->get()));
    }
    const std::string create =
        std::string("PRAGMA application_id = ") + std::to_string(kApplicationId) +
        "; DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS facts;"
        " DROP TABLE IF EXISTS yara;" +
        kCreateTables + "INSERT INTO meta VALUES ('schema', '" + kSchemaVersion + "');";
    bool built = sqlite3_exec(db->get(), create.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    if (built) {
      Statement insert = prepare(db->get(), "INSERT INTO meta VALUES ('build', ?1)");
      built = insert != nullptr;
      if (built) {
        bind_text(insert.get(), 1, build_id);
        built = sqlite3_step(insert.get()) == SQLITE_DONE;
      }
    }
    if (!built || sqlite3_exec(db->get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error error =
          make_error(ErrorCode::kIo, "cannot rebuild " + path + ": " + sqlite3_errmsg(db->get()));
      sqlite3_exec(db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
      return error;
    }
  }
  auto database = std::make_unique<Database>();
  database->db = std::move(*db);
  return std::unique_ptr<ScanCache>(new ScanCache(std::move(database), path));
}

std::optional<CachedFile> ScanCache::find(const std::string& path, Facts facts) {
  FileRow found;
  const bool with_facts = facts == Facts::kRead;
  {
    const std::lock_guard lock(mutex_);
    seen_.insert(path);
    db_->begin_reading();
    Statement& statement = with_facts ? db_->find_file : db_->find_file_without_facts;
    if (!statement) {
      statement = prepare(
          db_->db.get(),
          (std::string(with_facts ? kFileColumns : kFileColumnsWithoutFacts) + " WHERE path = ?1")
              .c_str());
      if (!statement) return std::nullopt;
    }
    sqlite3_stmt* row = statement.get();
    const StatementUse use(row);
    bind_blob(row, 1, path);
    if (sqlite3_step(row) != SQLITE_ROW) return std::nullopt;
    for (int column = 0; column < 12; ++column) {
      const bool text = column == 5 || column == 6 || column == 11;
      found.typed =
          found.typed && sqlite3_column_type(row, column) == (text ? SQLITE_TEXT : SQLITE_INTEGER);
    }
    if (with_facts) {
      found.typed = found.typed && sqlite3_column_type(row, 12) == SQLITE_BLOB;
      found.facts = column_text(row, 12);
    }
    CachedFile& file = found.file;
    file.identity = {static_cast<std::uint64_t>(sqlite3_column_int64(row, 0)),
                     static_cast<std::uint64_t>(sqlite3_column_int64(row, 1)),
                     static_cast<std::uint64_t>(sqlite3_column_int64(row, 2)),
                     sqlite3_column_int64(row, 3), sqlite3_column_int64(row, 4)};
    file.context = column_text(row, 5);
    file.rules = column_text(row, 6);
    file.legacy_hashes = sqlite3_column_int64(row, 7) != 0;
    file.judged_after = sqlite3_column_int64(row, 8);
    file.judged_before = sqlite3_column_int64(row, 9);
    file.containers = static_cast<std::uint64_t>(sqlite3_column_int64(row, 10));
    found.entries = column_text(row, 11);
  }
  // Decoding (a digest of the facts and the entries' JSON) needs no lock: workers overlap it.
  auto entries = found.typed ? decode_entries(found.entries, found.facts)
                             : Result<std::vector<CachedEntry>>(make_error(
                                   ErrorCode::kMalformed, "a column has the wrong type"));
  if (!entries) {
    const std::lock_guard lock(mutex_);
    notes_.push_back("scan cache " + path_ + ": the row of a file is damaged (" +
                     entries.error().message + "): dropped, and the file read again");
    db_->end_reading();
    for (const char* sql :
         {"DELETE FROM files WHERE path = ?1", "DELETE FROM facts WHERE path = ?1"}) {
      Statement drop = prepare(db_->db.get(), sql);
      if (drop) {
        bind_blob(drop.get(), 1, path);
        sqlite3_step(drop.get());
      }
    }
    return std::nullopt;
  }
  found.file.entries = std::move(*entries);
  return std::move(found.file);
}

void ScanCache::store(const std::string& path, CachedFile file) {
  const std::lock_guard lock(mutex_);
  seen_.insert(path);
  pending_files_.emplace_back(path, std::move(file));
  if (pending_files_.size() >= kPendingRows) (void)flush_locked();
}

std::optional<std::vector<Finding>> ScanCache::find_yara(const std::string& sha256,
                                                         const std::string& rules,
                                                         const std::string& variables) {
  const std::lock_guard lock(mutex_);
  const std::string key = sha256 + ' ' + rules + ' ' + variables;
  if (auto it = pending_yara_.find(key); it != pending_yara_.end()) return it->second;
  if (!db_->find_yara) {
    db_->find_yara = prepare(
        db_->db.get(),
        "SELECT findings, used FROM yara WHERE sha256 = ?1 AND rules = ?2 AND variables = ?3");
    if (!db_->find_yara) return std::nullopt;
  }
  db_->begin_reading();
  sqlite3_stmt* select = db_->find_yara.get();
  const StatementUse use(select);
  bind_text(select, 1, sha256);
  bind_text(select, 2, rules);
  bind_text(select, 3, variables);
  if (sqlite3_step(select) != SQLITE_ROW) return std::nullopt;
  auto findings = sqlite3_column_type(select, 0) == SQLITE_TEXT
                      ? read_findings_text(column_text(select, 0))
                      : std::nullopt;
  if (!findings) {
    notes_.push_back("scan cache " + path_ + ": a YARA result is damaged: the rules run again");
    return std::nullopt;
  }
  // Kept from ageing out while it is used; refreshed at most daily.
  if (sqlite3_column_int64(select, 1) < std::time(nullptr) - 86400) {
    pending_yara_[key] = *findings;
  }
  return findings;
}

void ScanCache::store_yara(const std::string& sha256, const std::string& rules,
                           const std::string& variables, const std::vector<Finding>& findings) {
  const std::lock_guard lock(mutex_);
  pending_yara_[sha256 + ' ' + rules + ' ' + variables] = findings;
  if (pending_yara_.size() >= kPendingRows) (void)flush_locked();
}

Status ScanCache::flush_locked() {
  if (pending_files_.empty() && pending_yara_.empty()) return ok_status();
  db_->end_reading();
  sqlite3* db = db_->db.get();
  if (exec_retrying(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
    return make_error(ErrorCode::kIo, path_ + ": " + sqlite3_errmsg(db));
  }
  Statement put_file = prepare(db,
                               "INSERT OR REPLACE INTO files VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                               " ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  Statement put_facts = prepare(db, "INSERT OR REPLACE INTO facts VALUES (?1, ?2)");
  Statement put_yara = prepare(db, "INSERT OR REPLACE INTO yara VALUES (?1, ?2, ?3, ?4, ?5)");
  bool ok = put_file && put_facts && put_yara;
  for (const auto& [path, file] : pending_files_) {
    if (!ok) break;
    sqlite3_stmt* s = put_file.get();
    sqlite3_reset(s);
    bind_blob(s, 1, path);
    sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(file.identity.device));
    sqlite3_bind_int64(s, 3, static_cast<std::int64_t>(file.identity.inode));
    sqlite3_bind_int64(s, 4, static_cast<std::int64_t>(file.identity.size));
    sqlite3_bind_int64(s, 5, file.identity.mtime_ns);
    sqlite3_bind_int64(s, 6, file.identity.ctime_ns);
    bind_text(s, 7, file.context);
    bind_text(s, 8, file.rules);
    sqlite3_bind_int64(s, 9, file.legacy_hashes ? 1 : 0);
    sqlite3_bind_int64(s, 10, file.judged_after);
    sqlite3_bind_int64(s, 11, file.judged_before);
    sqlite3_bind_int64(s, 12, static_cast<std::int64_t>(file.containers));
    const EncodedEntries encoded = encode_entries(file.entries);
    bind_text(s, 13, encoded.list);
    ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_stmt* f = put_facts.get();
    sqlite3_reset(f);
    bind_blob(f, 1, path);
    bind_blob(f, 2, encoded.facts);
    ok = ok && sqlite3_step(f) == SQLITE_DONE;
  }
  const std::int64_t now = std::time(nullptr);
  for (const auto& [key, findings] : pending_yara_) {
    if (!ok) break;
    const auto first = key.find(' ');
    const auto second = key.find(' ', first + 1);
    sqlite3_stmt* s = put_yara.get();
    sqlite3_reset(s);
    bind_text(s, 1, key.substr(0, first));
    bind_text(s, 2, key.substr(first + 1, second - first - 1));
    bind_text(s, 3, key.substr(second + 1));
    bind_text(s, 4, findings_text(findings));
    sqlite3_bind_int64(s, 5, now);
    ok = sqlite3_step(s) == SQLITE_DONE;
  }
  pending_files_.clear();
  pending_yara_.clear();
  if (!ok || exec_retrying(db, "COMMIT") != SQLITE_OK) {
    Error error = make_error(ErrorCode::kIo, path_ + ": " + sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  return ok_status();
}

Status ScanCache::finish(const std::vector<std::string>& roots) {
  const std::lock_guard lock(mutex_);
  if (auto flushed = flush_locked(); !flushed) return flushed;
  db_->end_reading();
  sqlite3* db = db_->db.get();
  if (exec_retrying(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
    return make_error(ErrorCode::kIo, path_ + ": " + sqlite3_errmsg(db));
  }
  std::vector<std::string> gone;
  {
    Statement paths = prepare(db, "SELECT path FROM files");
    while (paths && sqlite3_step(paths.get()) == SQLITE_ROW) {
      std::string path = column_text(paths.get(), 0);
      if (seen_.contains(path)) continue;
      for (const auto& root : roots) {
        const std::string prefix = root.ends_with('/') ? root : root + '/';
        if (path == root || path.starts_with(prefix)) {
          gone.push_back(std::move(path));
          break;
        }
      }
    }
  }
  Statement drop_file = prepare(db, "DELETE FROM files WHERE path = ?1");
  Statement drop_facts = prepare(db, "DELETE FROM facts WHERE path = ?1");
  bool ok = drop_file && drop_facts;
  for (const auto& path : gone) {
    for (sqlite3_stmt* drop : {drop_file.get(), drop_facts.get()}) {
      if (!ok) break;
      sqlite3_reset(drop);
      bind_blob(drop, 1, path);
      ok = sqlite3_step(drop) == SQLITE_DONE;
    }
  }
  Statement age = prepare(db, "DELETE FROM yara WHERE used < ?1");
  ok = ok && age != nullptr;
  if (ok) {
    sqlite3_bind_int64(age.get(), 1,
                       std::int64_t{std::time(nullptr)} - std::int64_t{kYaraRetentionDays} * 86400);
    ok = sqlite3_step(age.get()) == SQLITE_DONE;
  }
  seen_.clear();  // the next run (of a caller that keeps the cache open) counts afresh
  if (!ok || exec_retrying(db, "COMMIT") != SQLITE_OK) {
    Error error = make_error(ErrorCode::kIo, path_ + ": " + sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  return ok_status();
}

std::vector<std::string> ScanCache::take_notes() {
  const std::lock_guard lock(mutex_);
  return std::exchange(notes_, {});
}

}  // namespace cascade::scan
