// An MSI's File table against its cabinet's contents: packages built at test time with wixl
// from the fixture source (tests/fixtures/msi/src), their cabinet rebuilt with gcab and put back
// with msibuild, as a repackager would. Payloads are marker text.
#include "container_test_support.h"
#include "formats/msi/cabinet_files.h"
#include "formats/msi/msi.h"
#include "scan/container/msi_expansion.h"

namespace cascade {
namespace {

using testing::Buffer;
using testing::bytes_of;
using testing::TempDir;

struct MsiExpansion {
  std::map<std::string, std::string> streams;
  std::vector<scan::ContainerNote> notes;
  std::vector<std::string> ambiguous() const {
    std::vector<std::string> out;
    for (const auto& n : notes) {
      if (n.kind == scan::NoteKind::kAmbiguous) out.push_back(n.message);
    }
    return out;
  }
  std::string all_notes() const {
    std::string s;
    for (const auto& n : notes) s += n.message + "\n";
    return s;
  }
};

MsiExpansion expand_msi(const Buffer& msi) {
  MsiExpansion x;
  scan::ContainerBudget budget;
  scan::expand_msi(
      bytes_of(msi), {}, budget,
      [&](const scan::ContainerEntry& e) {
        x.streams[e.name] = std::string(e.data.begin(), e.data.end());
      },
      x.notes);
  return x;
}

// app.msi as the fixture builds it (one compressed cabinet app.cab holding "ffmpeg.dll" and
// "readme", the File keys), with the stand-in payloads written beside it for gcab.
class MsiFileViews : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string src = CASCADE_SOURCE_DIR "/tests/fixtures/msi/src";
    dir_.write("ffmpeg.dll", "MZ stand-in library");
    dir_.write("readme", "read me\n");
    dir_.write("extra.dll", "MZ MARKER-NOT-IN-FILE-TABLE");
    ASSERT_TRUE(
        dir_.run("cp '" + src + "/app.wxs' '" + src + "/readme.txt' . && wixl -o app.msi app.wxs"));
  }
  // app.msi with its cabinet replaced by one holding `files`, and `sql` run on it.
  Buffer repackaged(const std::string& files, const std::string& sql = "") const {
    std::string command = "cp app.msi out.msi && rm -f new.cab && gcab -c -n new.cab " + files +
                          " && msibuild out.msi -a app.cab new.cab";
    if (!sql.empty()) command += " && msibuild out.msi -q \"" + sql + "\"";
    EXPECT_TRUE(dir_.run(command));
    return dir_.read("out.msi");
  }

  TempDir dir_;
};

TEST_F(MsiFileViews, GenuinePackageIsSilent) {
  const auto x = expand_msi(dir_.read("app.msi"));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  ASSERT_TRUE(x.streams.contains("app.cab"));
  auto names = msi::cabinet_file_names(bytes_of(x.streams.at("app.cab")));
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"ffmpeg.dll", "readme"}));
}

TEST_F(MsiFileViews, CabinetFileNoRowNamesIsAmbiguousAndStillScanned) {
  const auto x = expand_msi(repackaged("ffmpeg.dll readme extra.dll"));
  const auto ambiguous = x.ambiguous();
  ASSERT_EQ(ambiguous.size(), 1u) << x.all_notes();
  EXPECT_NE(ambiguous[0].find("cabinet 'app.cab' holds 'extra.dll', which no File table row"),
            std::string::npos)
      << ambiguous[0];
  // The cabinet is handed on whole, so its extra file is scanned with the others.
  EXPECT_NE(x.streams.at("app.cab").find("MARKER-NOT-IN-FILE-TABLE"), std::string::npos);
}

TEST_F(MsiFileViews, CompressedRowTheCabinetLacksIsAmbiguous) {
  const auto x = expand_msi(repackaged("ffmpeg.dll"));
  const auto ambiguous = x.ambiguous();
  ASSERT_EQ(ambiguous.size(), 1u) << x.all_notes();
  EXPECT_NE(ambiguous[0].find("File table row 'readme' is installed from cabinet 'app.cab'"),
            std::string::npos)
      << ambiguous[0];
}

// A file marked uncompressed (msidbFileAttributesNoncompressed) is installed from beside the
// package, not from the cabinet: its absence there is by design.
TEST_F(MsiFileViews, UncompressedFileOutsideTheCabinetIsSilent) {
  const auto x = expand_msi(
      repackaged("ffmpeg.dll", "UPDATE File SET Attributes = 8704 WHERE File = 'readme'"));
  EXPECT_TRUE(x.ambiguous().empty()) << x.all_notes();
}

TEST(CabinetFiles, DamagedHeadersAreErrorsNotCrashes) {
  EXPECT_FALSE(msi::cabinet_file_names(bytes_of(std::string("MSCF"))).ok());
  EXPECT_FALSE(msi::cabinet_file_names(bytes_of(std::string("not a cabinet at all"))).ok());
  std::string header(36, '\0');
  header.replace(0, 4, "MSCF");
  header[16] = 36;  // coffFiles: right after the header
  header[28] = 1;   // one file, no record
  EXPECT_EQ(msi::cabinet_file_names(bytes_of(header)).error().code, ErrorCode::kTruncated);
  header[28] = 0;
  EXPECT_TRUE(msi::cabinet_file_names(bytes_of(header)).ok());
}

}  // namespace
}  // namespace cascade
