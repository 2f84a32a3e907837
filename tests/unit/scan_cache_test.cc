// The scan cache: its file (private, versioned, rebuilt when damaged or from another build, safe
// with two writers) and its promise: a cached re-scan reports what a fresh scan reports, file by
// file, after edits a fleet sees, and reads only what changed.
#include "scan/cache/scan_cache.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "inspect/file_report_json.h"
#include "scan/cache/cached_entry.h"
#include "scan/scanner.h"
#include "temp_dir.h"
#include "test_support.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

CachedFile sample_file(const std::string& path, std::uint64_t inode) {
  CachedFile file;
  file.identity = {1, inode, 10, 20, 30};
  file.context = "context";
  CachedEntry entry;
  entry.path = path;
  entry.hashes.sha256 = std::string(64, 'a');
  entry.findings.push_back({"pe.checksum", Severity::kLow, "bad \xff byte"});
  entry.certificates.push_back({"CN=signer", "CN=ca", "01", "aa", "bb", "t0", "t1", 5, 6});
  entry.manifest.packages.push_back({PackageEcosystem::kNpm, "left-pad", "1.0.0", "", path, {}});
  file.entries.push_back(std::move(entry));
  return file;
}

std::unique_ptr<ScanCache> open_cache(const std::string& path, const std::string& build,
                                      std::vector<std::string>& notes) {
  auto opened = ScanCache::open(path, build, notes);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(ScanCacheStore, CreatedPrivateWhateverTheUmask) {
  testing::TempDir dir;
  const mode_t old = ::umask(0);
  std::vector<std::string> notes;
  auto cache = open_cache(dir / "c.sqlite", "b1", notes);
  ::umask(old);
  ASSERT_NE(cache, nullptr);
  struct stat status {};
  ASSERT_EQ(::stat((dir / "c.sqlite").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  EXPECT_TRUE(notes.empty());
}

TEST(ScanCacheStore, RefusesACacheOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.write("c.sqlite", "not yet a cache");
  ::chmod(path.c_str(), 0644);
  std::vector<std::string> notes;
  auto opened = ScanCache::open(path, "b1", notes);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("0644"), std::string::npos) << opened.error().message;
}

TEST(ScanCacheStore, KeepsFilesAndYaraAcrossOpens) {
  testing::TempDir dir;
  std::vector<std::string> notes;
  {
    auto cache = open_cache(dir / "c.sqlite", "b1", notes);
    cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
    cache->store_yara(std::string(64, 'a'), "rules", "vars", {{"ioc.yara", Severity::kHigh, "r"}});
    ASSERT_TRUE(cache->finish({"/t"}).ok());
  }
  auto cache = open_cache(dir / "c.sqlite", "b1", notes);
  EXPECT_TRUE(notes.empty());
  auto file = cache->find("/t/a.dll");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->identity, (FileIdentity{1, 7, 10, 20, 30}));
  ASSERT_EQ(file->entries.size(), 1u);
  EXPECT_EQ(file->entries[0].findings, sample_file("/t/a.dll", 7).entries[0].findings);
  EXPECT_EQ(file->entries[0].certificates[0].subject, "CN=signer");
  EXPECT_EQ(file->entries[0].manifest.packages[0].name, "left-pad");
  auto yara = cache->find_yara(std::string(64, 'a'), "rules", "vars");
  ASSERT_TRUE(yara.has_value());
  EXPECT_EQ(yara->at(0).message, "r");
  EXPECT_FALSE(cache->find_yara(std::string(64, 'a'), "other rules", "vars").has_value());
}

TEST(ScanCacheStore, AnotherBuildOrSchemaIsRebuiltAndSaidOnce) {
  testing::TempDir dir;
  std::vector<std::string> notes;
  {
    auto cache = open_cache(dir / "c.sqlite", "b1", notes);
    cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
  }
  auto cache = open_cache(dir / "c.sqlite", "b2", notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("another build"), std::string::npos) << notes[0];
  EXPECT_FALSE(cache->find("/t/a.dll").has_value());
  cache.reset();
  notes.clear();
  cache = open_cache(dir / "c.sqlite", "b2", notes);
  EXPECT_TRUE(notes.empty());
}

std::string file_text(const std::string& path) {
  const auto bytes = testing::TempDir::read_path(path);
  return {bytes.begin(), bytes.end()};
}

TEST(ScanCacheStore, AFileThatIsNotACacheIsRefusedAndLeftAsItIs) {
  // `--cache` takes a value, so `scan --cache report.pdf` names report.pdf as the cache.
  testing::TempDir dir;
  const std::string contents(4096, 'x');
  const std::string path = dir.write("report.pdf", contents);
  ::chmod(path.c_str(), 0600);
  std::vector<std::string> notes;
  auto opened = ScanCache::open(path, "b1", notes);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("is not a cascade scan cache"), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(file_text(path), contents);
}

TEST(ScanCacheStore, AnotherProgramsDatabaseIsRefusedAndLeftAsItIs) {
  testing::TempDir dir;
  const std::string path = dir / "places.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db,
               "CREATE TABLE meta (key TEXT, value TEXT); CREATE TABLE files (x);"
               "INSERT INTO files VALUES ('keep me')",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ::chmod(path.c_str(), 0600);
  std::vector<std::string> notes;
  auto opened = ScanCache::open(path, "b1", notes);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("another program"), std::string::npos)
      << opened.error().message;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT x FROM files", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "keep me");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(ScanCacheStore, ADamagedCacheIsReportedAndRebuilt) {
  testing::TempDir dir;
  const std::string path = dir / "c.sqlite";
  std::vector<std::string> notes;
  {
    auto cache = open_cache(path, "b1", notes);
    cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
    ASSERT_TRUE(cache->finish({"/t"}).ok());
  }
  // Everything after the database header (and its marker) is overwritten.
  std::string bytes = file_text(path);
  ASSERT_GT(bytes.size(), 100u);
  std::fill(bytes.begin() + 100, bytes.end(), '\xa5');
  ASSERT_EQ(bytes.substr(0, 16), std::string("SQLite format 3\0", 16));
  dir.write("c.sqlite", bytes);
  ::chmod(path.c_str(), 0600);
  auto cache = open_cache(path, "b1", notes);
  ASSERT_NE(cache, nullptr);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("rebuilt"), std::string::npos) << notes[0];
  EXPECT_FALSE(cache->find("/t/a.dll").has_value());
  cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
  ASSERT_TRUE(cache->finish({}).ok());
  EXPECT_TRUE(cache->find("/t/a.dll").has_value());
}

TEST(ScanCacheStore, ADamagedRowIsDroppedAndReported) {
  testing::TempDir dir;
  const std::string path = dir / "c.sqlite";
  std::vector<std::string> notes;
  {
    auto cache = open_cache(path, "b1", notes);
    cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
    cache->store("/t/b.dll", sample_file("/t/b.dll", 8));
    cache->store("/t/c.dll", sample_file("/t/c.dll", 9));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // A row that is not JSON, one whose entry misses a member, one with a column of another type.
  sqlite3_exec(db,
               "UPDATE files SET entries = '[{\"path\":' WHERE inode = 7;"
               "UPDATE files SET entries = replace(entries, '\"depth\":0,', '') WHERE inode = 8;"
               "UPDATE files SET size = 'ten' WHERE inode = 9;",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto cache = open_cache(path, "b1", notes);
  for (const char* name : {"/t/a.dll", "/t/b.dll", "/t/c.dll"}) {
    EXPECT_FALSE(cache->find(name).has_value()) << name;
  }
  EXPECT_EQ(cache->take_notes().size(), 3u);
  EXPECT_FALSE(cache->find("/t/a.dll").has_value());
  EXPECT_TRUE(cache->take_notes().empty());  // dropped: not reported twice
}

TEST(ScanCacheStore, DecodeRejectsWhatIsNotAnEntryList) {
  for (const char* text : {"", "{}", "[]", "[1]", "[{\"path\":\"a\"}]", "[{}]"}) {
    EXPECT_FALSE(decode_entries(text, std::string_view("{}")).ok()) << text;
    EXPECT_FALSE(decode_entries(text, std::nullopt).ok()) << text;
  }
  CachedFile file = sample_file("a", 1);
  const EncodedEntries encoded = encode_entries(file.entries);
  ASSERT_TRUE(decode_entries(encoded.list, encoded.facts).ok());
  // A finding's severity that names none, a format that is none.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"low\"", "\"dire\""}, {"\"format\":\"unknown\"", "\"format\":\"exe\""}}) {
    std::string bad = encoded.list;
    ASSERT_NE(bad.find(from), std::string::npos) << from;
    bad.replace(bad.find(from), from.size(), to);
    EXPECT_FALSE(decode_entries(bad, encoded.facts).ok()) << bad;
    EXPECT_FALSE(decode_entries(bad, std::nullopt).ok()) << bad;
  }
  // Facts that are not what the list says: other bytes, more, fewer. Unread facts go unchecked.
  std::string other = encoded.facts;
  other[1] = other[1] == 'x' ? 'y' : 'x';
  for (const std::string& facts : {other, encoded.facts + " ", encoded.facts.substr(1)}) {
    EXPECT_FALSE(decode_entries(encoded.list, facts).ok()) << facts;
  }
  auto without = decode_entries(encoded.list, std::nullopt);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->back().facts.empty());
  EXPECT_EQ(without->back().hashes.sha256, file.entries.back().hashes.sha256);
}

TEST(ScanCacheStore, DamagedFactsAreFoundWhenRead) {
  testing::TempDir dir;
  const std::string path = dir / "c.sqlite";
  std::vector<std::string> notes;
  {
    auto cache = open_cache(path, "b1", notes);
    cache->store("/t/a.dll", sample_file("/t/a.dll", 7));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE facts SET facts = CAST('{\"x\":1}' AS BLOB)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto cache = open_cache(path, "b1", notes);
  // A lookup that does not read the facts cannot see them; one that reads them drops the row.
  EXPECT_TRUE(cache->find("/t/a.dll", ScanCache::Facts::kSkip).has_value());
  EXPECT_FALSE(cache->find("/t/a.dll", ScanCache::Facts::kRead).has_value());
  EXPECT_EQ(cache->take_notes().size(), 1u);
  EXPECT_FALSE(cache->find("/t/a.dll", ScanCache::Facts::kSkip).has_value());
}

TEST(ScanCacheStore, TwoWritersAtOnceKeepEveryRow) {
  testing::TempDir dir;
  const std::string path = dir / "c.sqlite";
  std::vector<std::string> notes;
  open_cache(path, "b1", notes);
  auto writer = [&](int first) {
    std::vector<std::string> own_notes;
    auto cache = open_cache(path, "b1", own_notes);
    for (int i = first; i < first + 600; ++i) {
      const std::string name = "/t/" + std::to_string(i);
      cache->store(name, sample_file(name, static_cast<std::uint64_t>(i)));
    }
    EXPECT_TRUE(cache->finish({}).ok());
  };
  std::thread a(writer, 0);
  std::thread b(writer, 600);
  a.join();
  b.join();
  auto cache = open_cache(path, "b1", notes);
  for (int i = 0; i < 1200; i += 37) {
    EXPECT_TRUE(cache->find("/t/" + std::to_string(i)).has_value()) << i;
  }
  EXPECT_TRUE(notes.empty());
}

// One scan's file records as JSON (without "cached"), by path, and which files were reused.
struct Scanned {
  std::map<std::string, nlohmann::json> records;
  std::set<std::string> reused;  // top-level paths
  std::uint64_t reused_count = 0;
};

Scanned scan_tree(const std::string& root, ScanCache* cache, const IndicatorSet* indicators,
                  const YaraRules* rules, bool facts = true) {
  ScanOptions options;
  options.cached_facts = facts;
  options.inspect.trust = &testing::test_trust();
  options.inspect.now = 1800000000;
  options.inspect.section_entropy = true;
  options.indicators = indicators;
  options.rules = rules;
  options.cache = cache;
  options.walk.threads = 2;
  Scanned out;
  std::mutex mutex;
  ScanStats stats;
  run_scan({root}, options, stats, [&](ScannedFile&& scanned) {
    nlohmann::json record = scanned.cached_facts
                                ? cached_file_json(*scanned.cached_facts, scanned.report)
                                : file_report_json(scanned.report);
    record.erase("cached");
    std::lock_guard lock(mutex);
    if (scanned.cached_facts) out.reused.insert(scanned.top_path);
    EXPECT_TRUE(out.records.emplace(scanned.report.path, std::move(record)).second);
    return OrderedStep{};
  });
  out.reused_count = stats.reused;
  if (cache != nullptr) {
    EXPECT_TRUE(cache->finish({root}).ok());
  }
  return out;
}

// What a run that prints findings only compares: each record's path, digest and findings.
Scanned findings_only(Scanned scanned) {
  for (auto& [path, record] : scanned.records) {
    record = {{"sha256", record["sha256"]}, {"findings", record["findings"]}};
  }
  return scanned;
}

void expect_same_records(const Scanned& cached, const Scanned& fresh) {
  ASSERT_EQ(cached.records.size(), fresh.records.size());
  for (const auto& [path, record] : fresh.records) {
    const auto it = cached.records.find(path);
    ASSERT_NE(it, cached.records.end()) << path;
    EXPECT_EQ(it->second, record) << path << "\ncached: " << it->second.dump().substr(0, 2000)
                                  << "\nfresh:  " << record.dump().substr(0, 2000);
  }
}

class ScanCacheEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string fixtures = testing::fixture("scan");
    fs::copy(fixtures + "/release", dir_.path() / "tree", fs::copy_options::recursive);
    dir_.write("tree/notes/readme.txt", "plain text\n");
    dir_.write("tree/notes/other.txt", "more plain text\n");
    auto compiled = YaraRules::compile({fixtures + "/rules"});
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    rules_.emplace(std::move(compiled).value());
    ASSERT_TRUE(indicators_.load(fixtures + "/feeds/hashes.txt").ok());
  }
  std::string tree() const { return dir_ / "tree"; }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(tree())) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir dir_;
  std::optional<YaraRules> rules_;
  IndicatorSet indicators_;
};

TEST_F(ScanCacheEquivalence, ARescanAfterEditsReportsWhatAFreshScanDoes) {
  std::vector<std::string> notes;
  auto cache = open_cache(dir_ / "c.sqlite", "b1", notes);
  const Scanned first = scan_tree(tree(), cache.get(), &indicators_, &*rules_);
  EXPECT_TRUE(first.reused.empty());
  const auto all = files();
  ASSERT_GE(all.size(), 6u);
  const Scanned unchanged = scan_tree(tree(), cache.get(), &indicators_, &*rules_);
  EXPECT_EQ(unchanged.reused.size(), all.size());
  expect_same_records(unchanged, first);

  // The edits, each to another file (by a seeded shuffle, so a failure repeats).
  std::vector<std::string> order = all;
  std::mt19937 random(25);
  std::shuffle(order.begin(), order.end(), random);
  const std::string same_size = order[0], renamed = order[1], truncated = order[2],
                    chmodded = order[3], removed = order[4];
  {
    struct stat before {};
    ASSERT_EQ(::stat(same_size.c_str(), &before), 0);
    auto bytes = testing::TempDir::read_path(same_size);
    ASSERT_FALSE(bytes.empty());
    bytes[bytes.size() / 2] ^= 0x5a;
    std::ofstream(same_size, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    const struct timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, same_size.c_str(), times, 0), 0);
  }
  {
    const std::string replacement = renamed + ".new";
    fs::copy_file(order[5], replacement);
    fs::rename(replacement, renamed);
  }
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  ::chmod(chmodded.c_str(), 0640);
  fs::remove(removed);
  dir_.write("tree/notes/new.txt", "a file that was not there\n");

  const Scanned cached = scan_tree(tree(), cache.get(), &indicators_, &*rules_);
  const Scanned fresh = scan_tree(tree(), nullptr, &indicators_, &*rules_);
  expect_same_records(cached, fresh);
  for (const auto& read : {same_size, renamed, truncated, chmodded, tree() + "/notes/new.txt"}) {
    EXPECT_FALSE(cached.reused.contains(read)) << read << " was not read again";
  }
  EXPECT_EQ(cached.reused.size(), all.size() - 5);  // five edited, one removed, one new
  EXPECT_EQ(cached.reused_count, cached.reused.size());
  // The removed file's row is gone; the others stay.
  EXPECT_FALSE(cache->find(removed).has_value());
  EXPECT_TRUE(cache->find(order[6]).has_value());

  // A run that skips the facts reports the same findings and reads nothing more.
  const Scanned lean = scan_tree(tree(), cache.get(), &indicators_, &*rules_, false);
  EXPECT_EQ(lean.reused_count, all.size());  // one removed, one new since `all`
  EXPECT_TRUE(lean.reused.empty()) << "reused files come without facts";
  expect_same_records(findings_only(lean), findings_only(fresh));
}

TEST_F(ScanCacheEquivalence, ANewFeedMatchesWithoutARead) {
  std::vector<std::string> notes;
  auto cache = open_cache(dir_ / "c.sqlite", "b1", notes);
  scan_tree(tree(), cache.get(), nullptr, &*rules_);
  const Scanned cached = scan_tree(tree(), cache.get(), &indicators_, &*rules_);
  const Scanned fresh = scan_tree(tree(), nullptr, &indicators_, &*rules_);
  EXPECT_EQ(cached.reused.size(), files().size());
  expect_same_records(cached, fresh);
  bool matched = false;
  for (const auto& [path, record] : cached.records) {
    for (const auto& finding : record["findings"]) {
      matched = matched || finding["id"].get<std::string>().starts_with("ioc.hash");
    }
  }
  EXPECT_TRUE(matched) << "the feed names the release's DLL";
}

TEST_F(ScanCacheEquivalence, AChangedRuleSetRunsTheRulesAgain) {
  std::vector<std::string> notes;
  auto cache = open_cache(dir_ / "c.sqlite", "b1", notes);
  scan_tree(tree(), cache.get(), nullptr, &*rules_);
  const std::string rule = dir_.write("more.yar",
                                      "rule plain_text_file { strings: $a = \"plain text\" "
                                      "condition: $a }\n");
  auto other = YaraRules::compile({rule});
  ASSERT_TRUE(other.ok()) << other.error().message;
  const Scanned cached = scan_tree(tree(), cache.get(), nullptr, &*other);
  const Scanned fresh = scan_tree(tree(), nullptr, nullptr, &*other);
  EXPECT_TRUE(cached.reused.empty()) << "no file had been matched with the new rules";
  expect_same_records(cached, fresh);
  EXPECT_EQ(cached.records.at(tree() + "/notes/readme.txt")["findings"].size(), 1u);
  // Back to the first rules: every pair is known, so nothing is read.
  const Scanned back = scan_tree(tree(), cache.get(), nullptr, &*rules_);
  EXPECT_EQ(back.reused.size(), files().size());
  expect_same_records(back, scan_tree(tree(), nullptr, nullptr, &*rules_));
  // The same switch in runs that skip the facts: rows stored again keep their facts whole.
  const Scanned lean = scan_tree(tree(), cache.get(), nullptr, &*other, false);
  EXPECT_EQ(lean.reused_count, files().size());
  expect_same_records(findings_only(lean), findings_only(cached));
  const Scanned whole = scan_tree(tree(), cache.get(), nullptr, &*other);
  EXPECT_EQ(whole.reused.size(), files().size());
  expect_same_records(whole, fresh);
  EXPECT_TRUE(notes.empty());
  EXPECT_TRUE(cache->take_notes().empty());
}

}  // namespace
}  // namespace cascade::scan
