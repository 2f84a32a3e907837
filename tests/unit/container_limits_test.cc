// The caps (ratio, entry count, entry size, total size) and hostile archives: bombs stop early
// and stay bounded, damage becomes notes (never a crash, never a partial entry), encrypted and
// corrupted entries are reported.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>

#include "container_test_support.h"
#include "scan/container/expansion_guard.h"

namespace cascade {
namespace {

using scan::ContainerKind;
using scan::ContainerLimits;
using testing::big_file;
using testing::Buffer;
using testing::bytes_of;
using testing::expand;
using testing::file;
using testing::Member;
using testing::write_archive;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// How much the peak resident set grows while `work` runs, measured in a forked child so that
// neither this process's earlier peak nor other tests' memory hides or inflates it.
long peak_growth_kib(const std::function<void()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    long start = 0;
    long pages = 0;
    if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(statm, "%*s %ld", &pages) != 1) pages = 0;
      std::fclose(statm);
    }
    start = pages * (sysconf(_SC_PAGESIZE) / 1024);
    work();
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const long growth = usage.ru_maxrss - start;
    const bool ok = write(fds[1], &growth, sizeof growth) == sizeof growth;
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  long growth = -1;
  if (read(fds[0], &growth, sizeof growth) != sizeof growth) growth = -1;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return growth;
}

// 128 MiB of one letter, deflated to ~130 KiB: the expansion must stop near max_ratio x archive
// size (+ the 1 MiB allowance), quickly, and without ever holding much more than that. (Zeros
// would be inert; see ZeroBlocksDoNotCountAgainstTheRatio.)
TEST(ContainerLimits, ZipBombStopsAtTheRatioCap) {
  const Buffer bomb = write_archive("zip", {}, {big_file("bomb.bin", 128 * kMiB, 'A')});
  ASSERT_LT(bomb.size(), 2 * kMiB);
  const auto x = expand(bytes_of(bomb));

  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "decompression bomb")) << x.all_notes();
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "stopped in entry 'bomb.bin'"))
      << x.all_notes();
  const double allowed = 250.0 * static_cast<double>(bomb.size()) + static_cast<double>(kMiB);
  EXPECT_GT(static_cast<double>(x.budget.expanded), allowed);
  EXPECT_LT(static_cast<double>(x.budget.expanded), allowed + static_cast<double>(kMiB))
      << "stopped late";

  // Memory: at a ratio of 50 the expansion stops at ~7.5 MB; the entry buffer (grown by
  // doubling, and copied once more on the way) stays within a few times that, far below the
  // 128 MiB a reader that held the whole entry would need.
#if defined(__SANITIZE_ADDRESS__)
  // ASan's quarantine keeps freed buffers resident, so peak growth says nothing there.
  GTEST_SKIP() << "memory growth is measured in the non-sanitized build";
#endif
  ContainerLimits tight;
  tight.max_ratio = 50;
  const long growth =
      peak_growth_kib([&] { (void)expand(bytes_of(bomb), ContainerKind::kArchive, tight); });
  ASSERT_GE(growth, 0);
  const double tight_allowed = 50.0 * static_cast<double>(bomb.size()) + static_cast<double>(kMiB);
  EXPECT_LT(static_cast<double>(growth) * 1024, 3 * tight_allowed + 16.0 * kMiB)
      << "peak grew by " << growth << " KiB";
}

TEST(ContainerLimits, TarGzBombStopsAtTheRatioCapEvenInsideAnOversizedEntry) {
  const Buffer bomb = write_archive("pax", {"gzip"}, {big_file("letters", 128 * kMiB, 'A')});
  ASSERT_LT(bomb.size(), 2 * kMiB);
  ContainerLimits limits;
  limits.max_entry_size = kMiB;  // the rest of the entry is drained, not kept: still counted
  const auto x = expand(bytes_of(bomb), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(true, "decompression bomb")) << x.all_notes();
  const double allowed = 250.0 * static_cast<double>(bomb.size()) + static_cast<double>(kMiB);
  EXPECT_LT(static_cast<double>(x.budget.expanded), allowed + static_cast<double>(kMiB));
}

TEST(ContainerLimits, BareGzipBombStopsToo) {
  const Buffer bomb = write_archive("raw", {"gzip"}, {big_file("data", 128 * kMiB, 'A')});
  ASSERT_EQ(scan::detect_container(bytes_of(bomb)), ContainerKind::kArchive);
  const auto x = expand(bytes_of(bomb));
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(true, "decompression bomb")) << x.all_notes();
}

TEST(ContainerLimits, RatioAllowanceLetsSmallArchivesThrough) {
  ContainerLimits limits;
  limits.max_ratio = 1.0;
  const Buffer small =
      write_archive("zip", {}, {big_file("letters", std::uint64_t{900} << 10, 'A')});
  auto x = expand(bytes_of(small), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.visited, 1u);
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();

  const Buffer bigger = write_archive("zip", {}, {big_file("letters", 3 * kMiB, 'A')});
  x = expand(bytes_of(bigger), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(true, "more than 1 times")) << x.all_notes();
}

std::vector<Member> numbered_files(int n) {
  std::vector<Member> members;
  members.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    members.push_back(file("f" + std::to_string(i), std::string(10, static_cast<char>('a' + i))));
  }
  return members;
}

TEST(ContainerLimits, MaxEntriesStopsWithALimitNote) {
  const Buffer data = write_archive("zip", {}, numbered_files(10));
  ContainerLimits limits;
  limits.max_entries = 4;
  const auto x = expand(bytes_of(data), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.names, (std::vector<std::string>{"f0", "f1", "f2", "f3"}));
  EXPECT_EQ(x.budget.entries, 4u);
  // The container is incomplete, and the note names the first entry left unexamined.
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "cap of 4 entries")) << x.all_notes();
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "at entry 'f4'")) << x.all_notes();
}

TEST(ContainerLimits, BudgetIsSharedAcrossCalls) {
  // One budget covers a whole nesting tree: what the outer levels used counts for inner ones.
  const Buffer data = write_archive("pax", {}, numbered_files(5));
  ContainerLimits limits;
  limits.max_entries = 7;
  limits.max_total_size = 1000;
  scan::ContainerBudget budget;
  budget.entries = 5;
  budget.expanded = 985;
  std::vector<scan::ContainerNote> notes;
  std::vector<std::string> names;
  const auto visited = scan::expand_container(
      ContainerKind::kArchive, bytes_of(data), limits, budget,
      [&](const scan::ContainerEntry& e) { names.push_back(e.name); }, notes);
  EXPECT_EQ(visited, 1u);  // f0 fits (995 bytes); f1 would make 1005
  EXPECT_EQ(names, std::vector<std::string>{"f0"});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, scan::NoteKind::kIncomplete);
  EXPECT_NE(notes[0].message.find("cap of 1000 expanded bytes"), std::string::npos)
      << notes[0].message;
  EXPECT_NE(notes[0].message.find("in entry 'f1'"), std::string::npos) << notes[0].message;
}

TEST(ContainerLimits, MaxEntrySizeSkipsOnlyThatEntry) {
  const Buffer data =
      write_archive("7zip", {},
                    {file("small", std::string(10, 's')), file("exact", std::string(100, 'e')),
                     file("huge", std::string(1000, 'h')), file("after", std::string(20, 'a'))});
  ContainerLimits limits;
  limits.max_entry_size = 100;
  const auto x = expand(bytes_of(data), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.names, (std::vector<std::string>{"small", "exact", "after"}));
  EXPECT_EQ(x.files.at("exact"), std::string(100, 'e'));
  ASSERT_EQ(x.notes.size(), 1u) << x.all_notes();
  EXPECT_TRUE(x.has_note(scan::NoteKind::kEntrySkipped,
                         "'huge' is larger than the cap of 100 bytes (1000 bytes)"))
      << x.all_notes();
}

TEST(ContainerLimits, MaxTotalSizeStops) {
  const Buffer data =
      write_archive("zip", {},
                    {file("a", std::string(100, 'a')), file("b", std::string(100, 'b')),
                     file("c", std::string(10, 'c'))});
  ContainerLimits limits;
  limits.max_total_size = 150;
  const auto x = expand(bytes_of(data), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.names, std::vector<std::string>{"a"});
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "cap of 150 expanded bytes"))
      << x.all_notes();
}

TEST(ContainerLimits, PerEntryNotesAreBounded) {
  // 300 oversized entries: 64 notes, then one that counts the rest.
  std::vector<Member> members;
  members.reserve(300);
  for (int i = 0; i < 300; ++i) members.push_back(file("e" + std::to_string(i), "0123456789"));
  const Buffer data = write_archive("ustar", {}, members);
  ContainerLimits limits;
  limits.max_entry_size = 5;
  const auto x = expand(bytes_of(data), ContainerKind::kArchive, limits);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_EQ(x.notes.size(), 65u);
  EXPECT_TRUE(x.has_note(scan::NoteKind::kEntrySkipped, "236 more entries over the size cap"))
      << x.notes.back().message;
}

// 20 MiB of zeros deflate to ~20 KiB, a ratio of about 1000, and hide nothing: whole zero blocks
// count against the size caps only, so the expansion reaches the file after them.
TEST(ContainerLimits, ZeroBlocksDoNotCountAgainstTheRatio) {
  const Buffer data = write_archive(
      "zip", {}, {big_file("zeros.bin", 20 * kMiB), file("after.txt", "the file after")});
  ASSERT_LT(data.size(), 100 * 1024u);
  auto x = expand(bytes_of(data));
  EXPECT_EQ(x.names, (std::vector<std::string>{"zeros.bin", "after.txt"})) << x.all_notes();
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_EQ(x.budget.expanded, 20 * kMiB + 14);
  EXPECT_EQ(x.files.at("zeros.bin"), std::string(20 * kMiB, '\0'));

  // They still count against the total: a zero bomb cannot make the expansion unbounded.
  ContainerLimits limits;
  limits.max_total_size = 8 * kMiB;
  x = expand(bytes_of(data), scan::ContainerKind::kArchive, limits);
  EXPECT_TRUE(x.names.empty());
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "cap of 8388608 expanded bytes"))
      << x.all_notes();

  // The same through a compressed tar stream (whose stream position counts too).
  const Buffer tgz = write_archive(
      "pax", {"gzip"}, {big_file("zeros.bin", 20 * kMiB), file("after.txt", "the file after")});
  x = expand(bytes_of(tgz));
  EXPECT_EQ(x.names, (std::vector<std::string>{"zeros.bin", "after.txt"})) << x.all_notes();
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
}

// One non-zero byte per block makes nothing inert: an attacker cannot dilute a bomb with zeros.
TEST(ContainerLimits, ZerosWithAByteInEveryBlockStillCount) {
  testing::Member sprinkled{"sprinkled.bin"};
  for (int i = 0; i < 8192; ++i) sprinkled.data += "x" + std::string(4095, '\0');
  const Buffer data = write_archive("zip", {}, {sprinkled, file("after.txt", "after")});
  const auto x = expand(bytes_of(data));
  EXPECT_TRUE(x.names.empty()) << x.all_notes();
  EXPECT_TRUE(x.has_note(scan::NoteKind::kIncomplete, "decompression bomb")) << x.all_notes();
}

TEST(ContainerLimits, InertBytesAreWholeAlignedZeroBlocks) {
  using scan::detail::count_inert;
  using scan::detail::kInertBlock;
  std::uint64_t fill = 0;
  bool zero = true;
  const std::string zeros(3 * kInertBlock, '\0');
  const auto* z = reinterpret_cast<const std::uint8_t*>(zeros.data());
  // A block split across calls counts once complete.
  EXPECT_EQ(count_inert(z, 100, fill, zero), 0u);
  EXPECT_EQ(count_inert(z, kInertBlock - 100, fill, zero), kInertBlock);
  // A non-zero byte spoils its block only.
  std::string mixed(2 * kInertBlock, '\0');
  mixed[kInertBlock + 7] = 'x';
  EXPECT_EQ(
      count_inert(reinterpret_cast<const std::uint8_t*>(mixed.data()), mixed.size(), fill, zero),
      kInertBlock);
  // Holes (null) are zeros; a partial block at the end is not counted.
  EXPECT_EQ(count_inert(nullptr, 10 * kInertBlock + 5, fill, zero), 10 * kInertBlock);
  EXPECT_EQ(fill, 5u);
  EXPECT_EQ(count_inert(z, kInertBlock - 5, fill, zero), kInertBlock);
  EXPECT_EQ(fill, 0u);
}

// Pseudo-random bytes (incompressible), for entries whose size is what matters.
std::string noise(std::size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// An entry whose buffer the shared pool cannot grant is skipped and reported as incomplete; the
// entries after it are examined, and everything reserved is given back.
TEST(ContainerLimits, AnEntryOverTheMemoryPoolIsSkippedVisibly) {
  const Buffer data =
      write_archive("zip", {}, {file("big.bin", noise(2 * kMiB)), file("after.txt", "after")});
  scan::ExpansionMemory pool(kMiB);
  scan::ContainerBudget budget;
  budget.memory = &pool;
  std::vector<scan::ContainerNote> notes;
  std::vector<std::string> names;
  scan::expand_container(
      ContainerKind::kArchive, bytes_of(data), {}, budget,
      [&](const scan::ContainerEntry& e) { names.push_back(e.name); }, notes);
  EXPECT_EQ(names, std::vector<std::string>{"after.txt"});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, scan::NoteKind::kIncomplete);
  EXPECT_NE(notes[0].message.find("'big.bin' was not examined"), std::string::npos)
      << notes[0].message;
  EXPECT_LE(pool.peak(), kMiB);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(budget.memory_held.held, 0u);
}

TEST(ExpansionMemory, ReservesReleasesAndRefusesWhatCanNeverFit) {
  scan::ExpansionMemory pool(100);
  scan::ExpansionMemory::Account a;
  EXPECT_TRUE(pool.reserve(a, 60));
  EXPECT_EQ(a.held, 60u);
  EXPECT_FALSE(pool.reserve(a, 50));  // 110 beside what it holds: never, so no wait
  EXPECT_FALSE(pool.reserve(a, 101));
  EXPECT_TRUE(pool.reserve(a, 40));
  EXPECT_EQ(pool.in_use(), 100u);
  pool.release(a, 100);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.peak(), 100u);
  EXPECT_EQ(pool.refusals(), 2u);
  {
    scan::MemoryReservation r(&pool, a);
    EXPECT_TRUE(r.grow_to(30));
    EXPECT_TRUE(r.grow_to(20));  // never shrinks
    EXPECT_TRUE(r.grow_to(70));
    EXPECT_EQ(pool.in_use(), 70u);
  }
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(a.held, 0u);
}

// A worker that holds memory waits while another holder runs, and gets it once that one
// releases (whichever thread gets there first, the outcome is the same).
TEST(ExpansionMemory, AHolderWaitsForARunningHolder) {
  scan::ExpansionMemory pool(100);
  scan::ExpansionMemory::Account main_account;
  ASSERT_TRUE(pool.reserve(main_account, 70));
  std::atomic<bool> granted{false};
  std::thread worker([&] {
    scan::ExpansionMemory::Account mine;
    EXPECT_TRUE(pool.reserve(mine, 20));
    granted = pool.reserve(mine, 30);  // 120 with main's 70: waits for main
    pool.release(mine, mine.held);
  });
  pool.release(main_account, 70);
  worker.join();
  EXPECT_TRUE(granted.load());
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.refusals(), 0u);
}

// Two holders that each need what the other holds: one waits, the other is refused (and then
// releases, so the first goes on). Never both waiting, whatever the order.
TEST(ExpansionMemory, TwoHoldersNeverWaitOnEachOther) {
  scan::ExpansionMemory pool(100);
  scan::ExpansionMemory::Account a;
  scan::ExpansionMemory::Account b;
  ASSERT_TRUE(pool.reserve(a, 50));
  ASSERT_TRUE(pool.reserve(b, 50));
  std::atomic<int> refused{0};
  auto run = [&](scan::ExpansionMemory::Account& account) {
    if (!pool.reserve(account, 10)) ++refused;
    pool.release(account, account.held);
  };
  std::thread ta([&] { run(a); });
  std::thread tb([&] { run(b); });
  ta.join();
  tb.join();
  EXPECT_EQ(refused.load(), 1);
  EXPECT_EQ(pool.in_use(), 0u);
}

// Eight threads, each reserving and, nested, reserving more: the pool never exceeds its limit,
// nobody deadlocks, and everything comes back.
TEST(ExpansionMemory, ManyThreadsNeverExceedTheLimit) {
  scan::ExpansionMemory pool(1000);
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> granted{0};
  for (unsigned t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      scan::ExpansionMemory::Account account;
      for (int i = 0; i < 2000; ++i) {
        const std::uint64_t outer = 1 + rng() % 400;
        if (!pool.reserve(account, outer)) continue;  // never refused: it holds nothing
        ++granted;
        if (pool.reserve(account, 1 + rng() % 400)) ++granted;
        pool.release(account, account.held);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pool.peak(), 1000u);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_GE(granted.load(), 8u * 2000u);
}

// A stored zip entry whose bytes were changed after the archive was made: visited as stored (that
// is what would be extracted by a lenient tool), with a note that its CRC does not match.
TEST(ContainerLimits, CorruptedCrcIsNotedAndTheBytesStillVisited) {
  const std::string payload = "original payload of the stored entry";
  Buffer data = write_archive("zip", {}, {file("a.txt", payload), file("b.txt", "fine")},
                              {"zip:compression=store"});
  const std::string needle = "original";
  auto it = std::search(data.begin(), data.end(), needle.begin(), needle.end());
  ASSERT_NE(it, data.end());
  *it = 'O';
  const auto x = expand(bytes_of(data));
  EXPECT_EQ(x.names, (std::vector<std::string>{"a.txt", "b.txt"}));
  EXPECT_EQ(x.files.at("a.txt"), "Original payload of the stored entry");
  EXPECT_TRUE(x.has_note(false, "'a.txt'")) << x.all_notes();
  EXPECT_TRUE(x.has_note(false, "CRC")) << x.all_notes();
}

TEST(ContainerLimits, EncryptedEntriesAreSkippedWithANote) {
  Buffer data;
  {
    // libarchive's writer encrypts with a passphrase set on the handle; done by hand here.
    struct archive* a = archive_write_new();
    archive_write_set_format_zip(a);
    ASSERT_EQ(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK);
    ASSERT_EQ(archive_write_set_passphrase(a, "secret"), ARCHIVE_OK);
    auto sink = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
      auto* out = static_cast<Buffer*>(client);
      out->insert(out->end(), static_cast<const std::uint8_t*>(buf),
                  static_cast<const std::uint8_t*>(buf) + n);
      return static_cast<la_ssize_t>(n);
    };
    ASSERT_EQ(archive_write_open2(a, &data, nullptr, sink, nullptr, nullptr), ARCHIVE_OK);
    for (const char* name : {"one", "two"}) {
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name);
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, 6);
      ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
      ASSERT_EQ(archive_write_data(a, "secret", 6), 6);
      archive_entry_free(e);
    }
    archive_write_free(a);
  }
  ASSERT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kArchive);
  const auto x = expand(bytes_of(data));
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(false, "'one' is encrypted; skipped")) << x.all_notes();
  EXPECT_TRUE(x.has_note(false, "'two' is encrypted; skipped")) << x.all_notes();
}

// Cut every format at several points: what is visited is always a whole, correct file, and a
// cut that loses files says so.
TEST(ContainerLimits, TruncatedArchivesGiveNotesAndNoPartialEntries) {
  std::vector<Member> members;
  std::map<std::string, std::string> originals;
  for (int i = 0; i < 6; ++i) {
    std::string content;
    for (int j = 0; j < 3000; ++j) content.push_back(static_cast<char>((i * 7919 + j * 31) % 251));
    members.push_back(file("dir/file" + std::to_string(i), content));
    originals["dir/file" + std::to_string(i)] = content;
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> formats = {
      {"zip", {}},  {"7zip", {}},    {"pax", {"gzip"}}, {"pax", {"xz"}}, {"ustar", {}},
      {"newc", {}}, {"iso9660", {}}, {"xar", {}},       {"arsvr4", {}}};
  for (const auto& [format, filters] : formats) {
    std::vector<Member> flat = members;
    if (format == "arsvr4") {
      for (auto& m : flat) m.name = m.name.substr(4);  // ar has no directories
    }
    const Buffer whole = write_archive(format, filters, flat);
    for (const double cut : {0.1, 0.35, 0.5, 0.8, 0.97}) {
      const auto size = static_cast<std::size_t>(static_cast<double>(whole.size()) * cut);
      const Buffer part(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
      const std::string label = format + (filters.empty() ? "" : "+" + filters[0]) + " cut at " +
                                std::to_string(size) + "/" + std::to_string(whole.size());
      const auto kind = scan::detect_container(bytes_of(part));
      const auto x = expand(bytes_of(part), ContainerKind::kArchive);
      for (const auto& [name, data] : x.files) {
        const std::string key = format == "arsvr4" ? "dir/" + name : name;
        ASSERT_EQ(originals.count(key), 1u) << label << ": unexpected entry " << name;
        EXPECT_TRUE(data == originals.at(key)) << label << ": partial or wrong bytes for " << name;
      }
      if (x.visited < originals.size()) {
        EXPECT_FALSE(x.notes.empty())
            << label << " lost entries silently (kind " << static_cast<int>(kind) << ")";
      }
    }
  }
}

TEST(ContainerLimits, GarbageBehindArchiveMagicNeverCrashes) {
  const std::vector<std::string> magics = {std::string("PK\x03\x04", 4),
                                           std::string("7z\xbc\xaf\x27\x1c", 6),
                                           std::string("MSCF\0\0\0\0", 8),
                                           "!<arch>\n",
                                           "xar!",
                                           "070701",
                                           "070707",
                                           std::string("\x1f\x8b\x08\0", 4),
                                           std::string("\xfd"
                                                       "7zXZ\0",
                                                       6),
                                           "BZh9",
                                           std::string("\x28\xb5\x2f\xfd", 4),
                                           std::string("\xed\xab\xee\xdb\x03\0\0\0", 8),
                                           std::string("Rar!\x1a\x07\x01\0", 8),
                                           std::string("Rar!\x1a\x07\0", 7)};
  std::uint32_t state = 12345;
  for (const auto& magic : magics) {
    for (int round = 0; round < 20; ++round) {
      std::string data = magic;
      const int n = 16 + round * 97;
      for (int i = 0; i < n; ++i) {
        state = state * 1103515245 + 12345;
        data.push_back(static_cast<char>(state >> 16));
      }
      const auto kind = scan::detect_container(testing::bytes_of(data));
      (void)scan::archive_recognised(testing::bytes_of(data));
      ContainerLimits limits;
      limits.max_entry_size = kMiB;
      const auto x = expand(testing::bytes_of(data), ContainerKind::kArchive, limits);
      EXPECT_LE(x.budget.expanded, 250 * data.size() + 2 * kMiB);
      if (kind == ContainerKind::kArchive && x.visited == 0) {
        // Either an archive with nothing in it, or notes that say why.
        EXPECT_TRUE(x.budget.entries == 0 || !x.notes.empty()) << magic;
      }
    }
  }
}

TEST(ContainerLimits, NonArchivesExpandToANoteOnly) {
  const std::string text = "just a text file\nwith two lines\n";
  auto x = expand(testing::bytes_of(text));
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(false, "not an archive")) << x.all_notes();

  x = expand(Bytes{});
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(false, "not an archive")) << x.all_notes();

  x = expand(testing::bytes_of(text), ContainerKind::kNone);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.notes.empty());
}

TEST(ContainerLimits, VisitorExceptionsBecomeNotes) {
  const Buffer data = write_archive("zip", {}, numbered_files(3));
  scan::ContainerBudget budget;
  std::vector<scan::ContainerNote> notes;
  int calls = 0;
  std::uint64_t visited = 0;
  EXPECT_NO_THROW(visited = scan::expand_container(
                      ContainerKind::kArchive, bytes_of(data), {}, budget,
                      [&](const scan::ContainerEntry&) {
                        if (++calls == 2) throw std::runtime_error("visitor broke");
                      },
                      notes));
  EXPECT_EQ(visited, 1u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].message.find("visitor broke"), std::string::npos);
  EXPECT_EQ(uselocale(nullptr), LC_GLOBAL_LOCALE) << "the thread locale leaked";
}

}  // namespace
}  // namespace cascade
