#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "core/der.h"
#include "core/digest.h"
#include "core/entropy.h"
#include "core/finding.h"
#include "core/finding_catalogue.h"
#include "core/input_file.h"
#include "core/mapped_file.h"
#include "core/printable_text.h"
#include "core/result.h"
#include "core/utf8.h"

namespace cascade {
namespace {

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TEST(Status, IsSuccessByDefaultAndCarriesAnError) {
  const Status success = ok_status();
  EXPECT_TRUE(success.ok());
  EXPECT_TRUE(static_cast<bool>(Status()));
  const Status failure = make_error(ErrorCode::kIo, "gone");
  EXPECT_FALSE(failure);
  EXPECT_EQ(failure.error().code, ErrorCode::kIo);
  EXPECT_EQ(failure.error().message, "gone");
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(to_hex(digest(DigestAlgorithm::kSha256, bytes_of("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(digest(DigestAlgorithm::kMd5, bytes_of("abc"))),
            "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(to_hex(digest(DigestAlgorithm::kSha1, bytes_of("abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Digest, HashJobsSkipExcludedRangesAcrossBlocks) {
  // Bigger than one internal block so exclusions straddle block boundaries.
  std::string data(700 * 1024, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> excluded = {
      {262140, 262150}, {10, 20}, {600000, 800000}, {15, 30}};
  std::string kept;
  for (std::size_t i = 0; i < data.size(); ++i) {
    bool skip = false;
    for (auto [b, e] : excluded) skip = skip || (i >= b && i < e);
    if (!skip) kept.push_back(data[i]);
  }
  const auto results = run_hash_jobs(
      bytes_of(data), {{DigestAlgorithm::kSha256, excluded}, {DigestAlgorithm::kSha256, {}}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], digest(DigestAlgorithm::kSha256, bytes_of(kept)));
  EXPECT_EQ(results[1], digest(DigestAlgorithm::kSha256, bytes_of(data)));
  EXPECT_EQ(hash_file(bytes_of(data), false).sha256, to_hex(results[1]));
}

TEST(Entropy, Extremes) {
  EXPECT_DOUBLE_EQ(shannon_entropy({}), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy(bytes_of(std::string(100, 'a'))), 0.0);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_DOUBLE_EQ(shannon_entropy(bytes_of(all)), 8.0);
}

TEST(Der, ReadsDefiniteLengthsAndRejectsBadOnes) {
  const std::string seq("\x30\x03\x04\x01\x7f", 5);
  ByteReader r(bytes_of(seq));
  auto e = der::expect(r, der::kSequence);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->contents.size(), 3u);
  EXPECT_EQ(e->encoded.size(), 5u);
  EXPECT_TRUE(r.empty());

  const std::string indefinite("\x30\x80\x00\x00", 4);
  ByteReader ri(bytes_of(indefinite));
  EXPECT_FALSE(der::read(ri).has_value());
  EXPECT_EQ(ri.remaining(), 4u);

  const std::string too_long("\x30\x84\xff\xff\xff\xff\x00", 7);
  ByteReader rl(bytes_of(too_long));
  EXPECT_FALSE(der::read(rl).has_value());

  const std::string wrong_tag("\x31\x00", 2);
  ByteReader rw(bytes_of(wrong_tag));
  EXPECT_FALSE(der::expect(rw, der::kSequence).has_value());
  EXPECT_EQ(rw.remaining(), 2u);
}

TEST(Utf8, EncodesAndDecodesEveryLengthAndRefusesWhatRfc3629Forbids) {
  for (const char32_t c : {U'\0', U'A', U'\u00E9', U'\u20AC', U'\U0001F600', U'\U0010FFFF'}) {
    std::string text;
    append_utf8(text, c);
    std::size_t i = 0;
    EXPECT_EQ(decode_utf8(text, i), c);
    EXPECT_EQ(i, text.size());
  }
  // Overlong '/', a surrogate, past U+10FFFF, a lone continuation byte, a cut sequence.
  for (const std::string& bad :
       {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
        std::string("\x80"), std::string("\xE2\x82")}) {
    std::size_t i = 0;
    EXPECT_EQ(decode_utf8(bad, i), std::nullopt) << bad.size();
    EXPECT_EQ(i, 1U);
  }
}

TEST(ReadWholeFile, ReadsSmallFilesAndRefusesLargeOnes) {
  char path[] = "/tmp/cascade-read-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string content = "{\"schema\": \"x\"}\n";
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
  auto text = cascade::read_whole_file(path, 1024);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, content);
  auto exact = cascade::read_whole_file(path, content.size());
  ASSERT_TRUE(exact);
  auto large = cascade::read_whole_file(path, content.size() - 1);
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, cascade::ErrorCode::kLimit);
  std::remove(path);
  auto missing = cascade::read_whole_file(path, 1024);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, cascade::ErrorCode::kIo);
  EXPECT_FALSE(cascade::read_whole_file("/tmp", 1024)) << "a directory is not a file";
}

TEST(InputFile, RefusesAFifoWithoutWaitingAndSaysWhatItIs) {
  char dir[] = "/tmp/cascade-fifo-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string fifo = std::string(dir) + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer ever opens the FIFO: an open that waited for one would never return.
  auto opened = cascade::InputFile::open(fifo);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("FIFO"), std::string::npos) << opened.error().message;
  auto text = cascade::read_whole_file(fifo, 1024);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find(fifo), std::string::npos) << "the error names the path";
  EXPECT_FALSE(cascade::MappedFile::open(fifo));
  EXPECT_FALSE(cascade::InputFile::open(dir)) << "a directory is not a file";
  const std::string file = std::string(dir) + "/file";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("abc", f);
  std::fclose(f);
  auto regular = cascade::InputFile::open(file);
  ASSERT_TRUE(regular) << regular.error().message;
  EXPECT_EQ(regular->size(), 3u);
  char buffer[4];
  EXPECT_EQ(::read(regular->fd(), buffer, sizeof buffer), 3) << "reads block again (no EAGAIN)";
  std::remove(file.c_str());
  std::remove(fifo.c_str());
  ::rmdir(dir);
}

TEST(Utf8, LosslessFormKeepsEveryNameApartAndMapsBack) {
  using cascade::from_lossless_utf8;
  using cascade::lossless_utf8;
  EXPECT_EQ(lossless_utf8("plain/name.dll"), "plain/name.dll");
  EXPECT_EQ(lossless_utf8("caf\xC3\xA9"), "caf\xC3\xA9") << "valid UTF-8 is itself";
  EXPECT_EQ(lossless_utf8("name\xFF.bin"), "name\uFFFDFF.bin");
  EXPECT_EQ(lossless_utf8("name\uFFFD"), "name\uFFFDu");
  // Names differing only in invalid bytes, or in an invalid byte against the look-alike valid
  // text, stay apart.
  const std::vector<std::string> names = {"name\xFF.bin",   "name\xFE.bin",     "name\uFFFDFF.bin",
                                          "name\uFFFD.bin", "name\xEF\xBF.bin", "name.bin"};
  std::set<std::string> forms;
  for (const auto& name : names) {
    const std::string form = lossless_utf8(name);
    forms.insert(form);
    std::size_t i = 0;
    while (i < form.size()) ASSERT_TRUE(cascade::decode_utf8(form, i)) << "valid UTF-8";
    EXPECT_EQ(from_lossless_utf8(form), name);
  }
  EXPECT_EQ(forms.size(), names.size());
  EXPECT_FALSE(from_lossless_utf8("\uFFFD41")) << "a valid byte is never escaped";
  EXPECT_FALSE(from_lossless_utf8("\uFFFDz"));
  EXPECT_FALSE(from_lossless_utf8("\xFF"));
}

TEST(Printable, ControlsAndInvisibleFormatCharactersAreShownAsEscapes) {
  EXPECT_EQ(cascade::printable("a\x1B]0;t\x07\r\nb\xC2\x9B\x7F"),
            "a\\x1B]0;t\\x07\\x0D\\x0Ab\\u009B\\x7F");
  EXPECT_EQ(cascade::printable("x\u202Ey\u200Bz\uFEFF\u2066\u00AD\U000E0041"),
            "x\\u202Ey\\u200Bz\\uFEFF\\u2066\\u00AD\\uE0041");
  EXPECT_EQ(cascade::printable("caf\xE9 ok \xC3\xA9"), "caf\\xE9 ok \xC3\xA9");
}

TEST(Findings, CatalogueIdsAreUniqueAndSeveritiesNamed) {
  std::set<std::string_view> ids;
  for (const auto& kind : finding_catalogue()) {
    EXPECT_TRUE(ids.insert(kind.id).second) << kind.id;
    EXPECT_TRUE(severity_from_name(severity_name(kind.severity)).has_value());
  }
  EXPECT_EQ(make_finding(findings::kSignaturePadding, "x").severity, Severity::kHigh);
  EXPECT_TRUE(make_finding(findings::kPeOverlay, "x").is(findings::kPeOverlay));
  EXPECT_FALSE(make_finding(findings::kPeOverlay, "x").is(findings::kElfOverlay));
}

// A kind declared in the catalogue header but left out of findings::kAll would be emitted yet
// missing from SARIF rules and from the docs check.
TEST(Findings, EveryDeclaredKindIsListedInAll) {
  std::ifstream in(std::string(CASCADE_SOURCE_DIR) + "/src/core/finding_catalogue.h");
  ASSERT_TRUE(in) << "src/core/finding_catalogue.h is missing";
  const std::string header((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string declaration = "inline constexpr FindingKind ";
  std::set<std::string> declared;
  for (auto at = header.find(declaration); at != std::string::npos;
       at = header.find(declaration, at + 1)) {
    const auto name = at + declaration.size();
    declared.insert(header.substr(name, header.find('{', name) - name));
  }
  std::set<std::string> listed;
  const auto list = header.find("kAll = {");
  ASSERT_NE(list, std::string::npos);
  const auto end = header.find("};", list);
  for (auto at = header.find('k', list + 5); at < end; at = header.find('k', at + 1)) {
    const auto stop = header.find_first_of(",\n }", at);
    listed.insert(header.substr(at, stop - at));
    at = stop;
  }
  EXPECT_EQ(declared, listed);
  EXPECT_EQ(declared.size(), findings::kAll.size());
}

}  // namespace
}  // namespace cascade
