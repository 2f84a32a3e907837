// A zip read two ways (central directory, local headers): crafted zips whose views disagree,
// written by tests/fixtures/container/make-zip-views.py and checked against Info-ZIP's unzip as
// the peer, and genuine zips from the real tools, which must read the same both ways.
#include <mutex>

#include "container_test_support.h"
#include "core/finding.h"
#include "scan/container/zip_views.h"
#include "scan/scanner.h"

namespace cascade {
namespace {

using testing::Buffer;
using testing::bytes_of;
using testing::TempDir;

std::size_t count_ambiguous(const testing::Expansion& x) {
  std::size_t n = 0;
  for (const auto& note : x.notes) n += note.kind == scan::NoteKind::kAmbiguous ? 1 : 0;
  return n;
}

bool has_ambiguous(const testing::Expansion& x, const std::string& a, const std::string& b) {
  for (const auto& note : x.notes) {
    if (note.kind == scan::NoteKind::kAmbiguous && note.message.find(a) != std::string::npos &&
        note.message.find(b) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class ZipViews : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.run("python3 '" CASCADE_CONTAINER_FIXTURES "/make-zip-views.py' ."));
  }
  Buffer read(const std::string& name) const { return dir_.read(name); }
  // What Info-ZIP's unzip extracts of `entry`, so each case is known to be real.
  std::string unzip(const std::string& zip, const std::string& entry) const {
    dir_.run("unzip -p " + zip + " " + entry + " > unzipped.out 2>/dev/null; true");
    const Buffer out = dir_.read("unzipped.out");
    return std::string(out.begin(), out.end());
  }

  TempDir dir_;
};

TEST_F(ZipViews, EntryOnlyTheCentralDirectoryListsIsScannedAndAmbiguous) {
  for (const char* name : {"central-between.zip", "central-inside.zip", "central-trailing.zip"}) {
    SCOPED_TRACE(name);
    const auto x = testing::expand(bytes_of(read(name)));
    ASSERT_TRUE(x.files.contains("media.dll")) << testing::summary(x.files) << x.all_notes();
    EXPECT_NE(x.files.at("media.dll").find("MARKER-CENTRAL-ONLY"), std::string::npos);
    EXPECT_EQ(x.files.at("readme.txt"), "hello\n");
    EXPECT_TRUE(has_ambiguous(x, "'media.dll'", "in the central directory")) << x.all_notes();
    EXPECT_EQ(count_ambiguous(x), 1u) << x.all_notes();
  }
  // unzip extracts it (the directory's view); a streaming reader does not see it.
  EXPECT_NE(unzip("central-between.zip", "media.dll").find("MARKER-CENTRAL-ONLY"),
            std::string::npos);
}

TEST_F(ZipViews, EntryOnlyTheLocalHeadersHoldIsScannedAndAmbiguous) {
  const auto x = testing::expand(bytes_of(read("local-only.zip")));
  ASSERT_TRUE(x.files.contains("hidden.dll")) << testing::summary(x.files) << x.all_notes();
  EXPECT_NE(x.files.at("hidden.dll").find("MARKER-LOCAL-ONLY"), std::string::npos);
  EXPECT_EQ(x.files.at("readme.txt"), "hello\n");
  EXPECT_TRUE(has_ambiguous(x, "'hidden.dll'", "in the local headers")) << x.all_notes();
  EXPECT_EQ(count_ambiguous(x), 1u) << x.all_notes();
  EXPECT_EQ(unzip("local-only.zip", "hidden.dll"), "");  // unzip does not see it
}

TEST_F(ZipViews, SameNameWithDifferentBytesIsScannedBothWays) {
  std::vector<std::string> seen;
  std::vector<scan::ContainerNote> notes;
  scan::ContainerBudget budget;
  const Buffer zip = read("same-name.zip");
  scan::expand_container(
      scan::ContainerKind::kArchive, bytes_of(zip), {}, budget,
      [&](const scan::ContainerEntry& e) {
        EXPECT_EQ(e.name, "setup.dll");
        seen.emplace_back(e.data.begin(), e.data.end());
      },
      notes);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0].find("MARKER-CENTRAL-COPY"), std::string::npos);
  EXPECT_NE(seen[1].find("MARKER-LOCAL-COPY"), std::string::npos);
  std::size_t ambiguous = 0;
  for (const auto& n : notes) ambiguous += n.kind == scan::NoteKind::kAmbiguous ? 1 : 0;
  EXPECT_EQ(ambiguous, 2u);
}

TEST_F(ZipViews, OverlappingRecordsAreEachScannedOnce) {
  const auto x = testing::expand(bytes_of(read("overlap.zip")));
  EXPECT_EQ(x.files.size(), 60u) << x.all_notes();
  EXPECT_EQ(count_ambiguous(x), 33u) << x.all_notes();  // 32 named, then how many more
  EXPECT_TRUE(has_ambiguous(x, "27 more entries", "scanned")) << x.all_notes();
}

// The union a disagreement is read through is itself a zip both views agree on.
TEST_F(ZipViews, TheRewrittenUnionReadsTheSameBothWays) {
  for (const char* name : {"central-between.zip", "central-inside.zip", "central-trailing.zip",
                           "local-only.zip", "same-name.zip", "overlap.zip"}) {
    SCOPED_TRACE(name);
    const Buffer zip = read(name);
    const auto views = scan::detail::compare_zip_views(bytes_of(zip), {});
    EXPECT_FALSE(views.agree);
    const auto rewritten = scan::detail::write_union_zip(bytes_of(zip), views.entries);
    const auto again = scan::detail::compare_zip_views(bytes_of(rewritten), {});
    EXPECT_TRUE(again.agree);
    EXPECT_EQ(again.entries.size(), views.entries.size());
  }
}

// End to end: the known-bad file only the central directory lists is found by its hash, and the
// zip carries a high finding, so the default --fail-on high fails the scan.
TEST_F(ZipViews, ScanFindsTheKnownBadFileAndFailsHigh) {
  ASSERT_TRUE(
      dir_.run("python3 -c \"import zipfile, hashlib; "
               "print(hashlib.sha256(zipfile.ZipFile('central-trailing.zip').read('media.dll'))"
               ".hexdigest(), 'media.dll')\" > feed.txt"));
  scan::IndicatorSet feed;
  ASSERT_TRUE(feed.load(dir_ / "feed.txt").ok());
  scan::ScanOptions options;
  options.indicators = &feed;
  const Buffer zip = read("central-between.zip");
  dir_.write("release.zip", std::string(zip.begin(), zip.end()));
  const std::string release = dir_ / "release.zip";
  std::map<std::string, FileReport> reports;
  std::mutex reports_mutex;
  scan::ScanStats stats;
  scan::run_scan({release}, options, stats, [&](scan::ScannedFile&& f) {
    const std::lock_guard lock(reports_mutex);
    reports[f.report.path] = std::move(f.report);
    return scan::OrderedStep{};
  });
  auto has = [&](const std::string& path, const std::string& id, Severity severity) {
    if (!reports.contains(path)) return false;
    for (const auto& f : reports.at(path).findings) {
      if (f.id == id && f.severity == severity) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(release + "!media.dll", "ioc.hash", Severity::kCritical));
  EXPECT_TRUE(has(release, "container.ambiguous", Severity::kHigh));
}

// Zips as the real tools write them read the same both ways: no ambiguity, and the union path is
// not even taken.
TEST(ZipViewsGenuine, RealToolZipsAgree) {
  TempDir dir;
  std::string big;
  for (int i = 0; i < 300000; ++i) big.push_back(static_cast<char>((i * 2654435761u) >> 11));
  dir.write("app/a.txt", "alpha\n");
  dir.write("app/sub/b.bin", big);
  dir.write("app/empty", "");
  dir.write("stub.sh", "#!/bin/sh\necho self-extracting\nexit 0\n");
  const std::string py_unseekable =
      "import sys, zipfile\n"
      "with zipfile.ZipFile(sys.stdout.buffer, 'w') as z:\n"
      "    z.writestr('stored.txt', 'plain\\n' * 100, zipfile.ZIP_STORED)\n"
      "    z.writestr('deflated.bin', open('app/sub/b.bin','rb').read(), zipfile.ZIP_DEFLATED)\n";
  dir.write("py_stream.py", py_unseekable);
  ASSERT_TRUE(
      dir.run("zip -q -r -X plain.zip app && zip -q -r -X -fz zip64.zip app && "
              "zip -q -r -X - app > streamed.zip && "
              "zip -q -r -X -0 - app > streamed-stored.zip && "
              "zip -q -r -X commented.zip app && echo 'a comment' | zip -q -z commented.zip && "
              "cat stub.sh plain.zip > prefixed.zip && cp prefixed.zip adjusted.zip && "
              "zip -q -A adjusted.zip && "
              "python3 -c \"import shutil; shutil.make_archive('python', 'zip', '.', 'app')\" && "
              "python3 py_stream.py | cat > python-stream.zip && "
              "jar cf demo.jar app && (cd app && jar cf0 ../stored.jar .)"));
  for (const char* name : {"plain.zip", "zip64.zip", "streamed.zip", "streamed-stored.zip",
                           "commented.zip", "prefixed.zip", "adjusted.zip", "python.zip",
                           "python-stream.zip", "demo.jar", "stored.jar"}) {
    SCOPED_TRACE(name);
    const Buffer zip = dir.read(name);
    const auto views = scan::detail::compare_zip_views(bytes_of(zip), {});
    EXPECT_TRUE(views.agree);
    for (const auto& note : views.notes) ADD_FAILURE() << note;
    EXPECT_GE(views.entries.size(), 2u);
    const auto x = testing::expand(bytes_of(zip));
    EXPECT_EQ(count_ambiguous(x), 0u) << x.all_notes();
    EXPECT_TRUE(x.notes.empty()) << x.all_notes();
    EXPECT_TRUE(x.files.contains("app/sub/b.bin") || x.files.contains("sub/b.bin") ||
                x.files.contains("deflated.bin"))
        << testing::summary(x.files);
  }
}

}  // namespace
}  // namespace cascade
