// Caps must not hide what follows them: a known-bad file behind a bomb of zeros, behind
// entries up to the count cap, or below the depth cap is either examined or reported as
// `container.incomplete` (high) on the container that hid it; asar names sharing one range are
// all reported; and several workers' entry buffers share one memory pool. Every archive is
// written at test time; the "known-bad" file is marker text listed in a hash feed written here.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>

#include "container_test_support.h"
#include "core/digest.h"
#include "scan/scanner.h"
#include "test_support.h"

namespace cascade::scan {
namespace {

using testing::big_file;
using testing::Buffer;
using testing::file;
using testing::Member;
using testing::TempDir;
using testing::write_archive;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
const std::string kKnownBad = "cascade test marker: listed as known-bad by the feed in this test\n";

std::string as_string(const Buffer& b) {
  return std::string(b.begin(), b.end());
}

// Pseudo-random (so incompressible) bytes: deterministic, nothing executable.
std::string noise(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct Scanned {
  std::map<std::string, FileReport> by_path;  // relative to the scanned directory

  bool has(const std::string& path, const std::string& id) const {
    auto it = by_path.find(path);
    if (it == by_path.end()) return false;
    for (const auto& f : it->second.findings) {
      if (f.id == id) return true;
    }
    return false;
  }
  std::string message(const std::string& path, const std::string& id) const {
    for (const auto& f : by_path.at(path).findings) {
      if (f.id == id) return f.message;
    }
    return {};
  }
  std::optional<Severity> worst() const {
    std::optional<Severity> out;
    for (const auto& [path, report] : by_path) {
      auto w = worst_severity(report);
      if (w && (!out || *w > *out)) out = w;
    }
    return out;
  }
  std::string listing() const {
    std::string s;
    for (const auto& [path, report] : by_path) {
      s += path + ":";
      for (const auto& f : report.findings) s += " " + f.id;
      s += "\n";
    }
    return s;
  }
};

class ScanCaps : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sha = to_hex(digest(DigestAlgorithm::kSha256, testing::bytes_of(kKnownBad)));
    dir_.write("feed.txt", sha + "  known-bad.bin\n");
    ASSERT_TRUE(feeds_.load(dir_ / "feed.txt").ok());
    std::filesystem::create_directories(dir_.path() / "in");
  }

  void put(const std::string& name, const Buffer& data) {
    dir_.write("in/" + name, as_string(data));
  }

  Scanned scan(const ContainerLimits& limits = {}, unsigned threads = 1,
               ExpansionMemory* memory = nullptr) {
    ScanOptions options;
    options.inspect.trust = &testing::test_trust();
    options.inspect.now = 1800000000;
    options.indicators = &feeds_;
    options.limits = limits;
    options.memory = memory;
    options.walk.threads = threads;
    Scanned out;
    std::mutex mutex;
    const std::string root = dir_ / "in";
    ScanStats stats;
    run_scan({root}, options, stats, [&](ScannedFile&& scanned) {
      const std::lock_guard lock(mutex);
      out.by_path.emplace(scanned.report.path.substr(root.size() + 1), std::move(scanned.report));
      return OrderedStep{};
    });
    return out;
  }

  TempDir dir_;
  IndicatorSet feeds_;
};

// The issue's first case: 20 MiB of zeros deflate to ~20 KiB, a ratio near 1000. Zero blocks are
// inert, so the expansion goes on to the known-bad file.
TEST_F(ScanCaps, AKnownBadFileAfterMegabytesOfZerosIsExamined) {
  put("zeros.zip",
      write_archive("zip", {},
                    {big_file("zeros.bin", 20 * kMiB), file("known-bad.bin", kKnownBad)}));
  const Scanned s = scan();
  EXPECT_TRUE(s.has("zeros.zip!known-bad.bin", "ioc.hash")) << s.listing();
  EXPECT_TRUE(s.by_path.contains("zeros.zip!zeros.bin")) << s.listing();
  EXPECT_FALSE(s.has("zeros.zip", "container.incomplete")) << s.listing();
  EXPECT_EQ(s.worst(), Severity::kCritical);
}

// Zeros sprinkled with one byte per block are not inert: that bomb still stops at the ratio, and
// the stop is high, naming the entry it stopped in.
TEST_F(ScanCaps, ANearlyZeroBombStillStopsAndSaysSoAtHigh) {
  Member sprinkled{"sprinkled.bin"};
  for (int i = 0; i < 8192; ++i) sprinkled.data += "x" + std::string(4095, '\0');
  put("sprinkled.zip", write_archive("zip", {}, {sprinkled, file("known-bad.bin", kKnownBad)}));
  const Scanned s = scan();
  ASSERT_TRUE(s.has("sprinkled.zip", "container.incomplete")) << s.listing();
  EXPECT_NE(s.message("sprinkled.zip", "container.incomplete").find("'sprinkled.bin'"),
            std::string::npos);
  EXPECT_FALSE(s.by_path.contains("sprinkled.zip!known-bad.bin"));
  EXPECT_EQ(s.worst(), Severity::kHigh);
}

// The entry count cap (lowered here; the CLI test uses the real 200,000) stops the container:
// high, naming the first entry left unexamined.
TEST_F(ScanCaps, TheEntryCapStoppingBeforeAKnownBadFileIsHigh) {
  std::vector<Member> members;
  for (int i = 0; i < 50; ++i) members.push_back(file("empty" + std::to_string(i), ""));
  members.push_back(file("known-bad.bin", kKnownBad));
  put("many.zip", write_archive("zip", {}, members));
  ContainerLimits limits;
  limits.max_entries = 50;
  const Scanned s = scan(limits);
  ASSERT_TRUE(s.has("many.zip", "container.incomplete")) << s.listing();
  const std::string message = s.message("many.zip", "container.incomplete");
  EXPECT_NE(message.find("'known-bad.bin'"), std::string::npos) << message;
  EXPECT_NE(message.find("cap of 50 entries"), std::string::npos) << message;
  EXPECT_EQ(s.worst(), Severity::kHigh);
}

// Nine levels deep with max_depth 8: the container at the cap is not opened, and that is high.
TEST_F(ScanCaps, AKnownBadFileBelowTheDepthCapIsReportedHigh) {
  Buffer data = write_archive("zip", {}, {file("known-bad.bin", kKnownBad)});
  std::string path = "known-bad.bin";
  for (int level = 8; level >= 1; --level) {
    const std::string name = "level" + std::to_string(level) + ".zip";
    data = write_archive("zip", {}, {file(name, as_string(data))});
    path = name + "!" + path;
  }
  put("deep.zip", data);  // deep.zip!level1.zip!...!level8.zip!known-bad.bin: nine levels
  const Scanned s = scan();
  const std::string capped = "deep.zip!" + path.substr(0, path.rfind('!'));
  ASSERT_TRUE(s.has(capped, "container.incomplete")) << s.listing();
  EXPECT_NE(s.message(capped, "container.incomplete").find("cap of 8"), std::string::npos);
  EXPECT_EQ(s.worst(), Severity::kHigh);

  ContainerLimits deeper;
  deeper.max_depth = 9;
  const Scanned t = scan(deeper);
  EXPECT_TRUE(t.has("deep.zip!" + path, "ioc.hash")) << t.listing();
}

// A single oversized entry is skipped with its name and size, and the next entry is examined.
TEST_F(ScanCaps, AnOversizedEntryIsSkippedAndTheNextOneExamined) {
  put("big.zip",
      write_archive("zip", {},
                    {file("big.bin", noise(300000, 1)), file("known-bad.bin", kKnownBad)}));
  ContainerLimits limits;
  limits.max_entry_size = 100000;
  const Scanned s = scan(limits);
  ASSERT_TRUE(s.has("big.zip", "container.limit")) << s.listing();
  const std::string message = s.message("big.zip", "container.limit");
  EXPECT_NE(message.find("'big.bin'"), std::string::npos) << message;
  EXPECT_NE(message.find("300000 bytes"), std::string::npos) << message;
  EXPECT_FALSE(s.has("big.zip", "container.incomplete")) << s.listing();
  EXPECT_TRUE(s.has("big.zip!known-bad.bin", "ioc.hash")) << s.listing();
}

// Every name of an asar that points at one range gets the range's result, the known-bad hit
// included, though the bytes were scanned once.
TEST_F(ScanCaps, EveryAsarNameOfASharedRangeIsReported) {
  std::string json = R"({"files":{)";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) json += ',';
    json += "\"copy" + std::to_string(i) + "\":{\"size\":" + std::to_string(kKnownBad.size()) +
            ",\"offset\":\"0\"}";
  }
  json += "}}";
  // The asar framing (asar_reader.h): size pickle, header pickle, then the file data.
  std::string header;
  const auto u32 = [](std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  };
  std::string padded = json;
  while (padded.size() % 4 != 0) padded.push_back(' ');
  u32(header, static_cast<std::uint32_t>(padded.size() + 4));
  u32(header, static_cast<std::uint32_t>(json.size()));
  header += padded;
  std::string asar;
  u32(asar, 4);
  u32(asar, static_cast<std::uint32_t>(header.size()));
  asar += header + kKnownBad;
  dir_.write("in/app.asar", asar);
  const Scanned s = scan();
  ASSERT_EQ(s.by_path.at("app.asar").format, FileFormat::kAsar) << s.listing();
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(s.has("app.asar!copy" + std::to_string(i), "ioc.hash")) << i;
  }
  EXPECT_FALSE(s.has("app.asar", "container.incomplete")) << s.listing();
}

// Four workers, four archives each with a 3 MiB entry (its buffer grows to 3-4 MiB), and one
// pool of 4 MiB: workers wait for each other instead of holding 16 MiB. Two workers that both
// hold part of the pool and both need the rest cannot both wait: one skips its entry, visibly.
// Either way the known-bad file after it is examined, and the pool never holds more than 4 MiB.
TEST_F(ScanCaps, WorkersShareOneMemoryPool) {
  for (unsigned i = 0; i < 4; ++i) {
    put("bomb" + std::to_string(i) + ".zip",
        write_archive("zip", {},
                      {file("noise.bin", noise(3 * kMiB, i)), file("known-bad.bin", kKnownBad)}));
  }
  ExpansionMemory memory(4 * kMiB);
  const Scanned s = scan({}, 4, &memory);
  for (unsigned i = 0; i < 4; ++i) {
    const std::string zip = "bomb" + std::to_string(i) + ".zip";
    EXPECT_TRUE(s.has(zip + "!known-bad.bin", "ioc.hash")) << s.listing();
    const bool examined = s.by_path.contains(zip + "!noise.bin");
    const bool reported =
        s.has(zip, "container.incomplete") &&
        s.message(zip, "container.incomplete").find("'noise.bin'") != std::string::npos;
    EXPECT_NE(examined, reported) << s.listing();
  }
  EXPECT_LE(memory.peak(), 4 * kMiB);
  EXPECT_GE(memory.peak(), 3 * kMiB);
  EXPECT_EQ(memory.in_use(), 0u);
}

// Nested: the outer entry (an inner zip of 3 MiB) holds the whole pool, so its own 3 MiB entry
// cannot fit, and waiting would wait on itself. That entry is skipped, visibly and at high; the
// pool never holds more than its size, whatever the thread count.
TEST_F(ScanCaps, AnEntryThePoolCannotHoldIsReportedHigh) {
  for (unsigned i = 0; i < 4; ++i) {
    const Buffer inner = write_archive("zip", {}, {file("noise.bin", noise(3 * kMiB, 10 + i))},
                                       {"zip:compression=store"});
    put("outer" + std::to_string(i) + ".zip",
        write_archive("zip", {}, {file("inner.zip", as_string(inner))}, {"zip:compression=store"}));
  }
  ExpansionMemory memory(4 * kMiB);
  const Scanned s = scan({}, 4, &memory);
  for (unsigned i = 0; i < 4; ++i) {
    const std::string inner = "outer" + std::to_string(i) + ".zip!inner.zip";
    ASSERT_TRUE(s.has(inner, "container.incomplete")) << s.listing();
    EXPECT_NE(s.message(inner, "container.incomplete").find("'noise.bin'"), std::string::npos);
    EXPECT_NE(s.message(inner, "container.incomplete").find("memory"), std::string::npos);
  }
  EXPECT_LE(memory.peak(), 4 * kMiB);
  EXPECT_EQ(memory.in_use(), 0u);
  EXPECT_EQ(s.worst(), Severity::kHigh);
}

}  // namespace
}  // namespace cascade::scan
