#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "core/der.h"
#include "core/digest.h"
#include "core/entropy.h"
#include "core/mapped_file.h"
#include "core/utf8.h"
#include "report/finding.h"

namespace cascade {
namespace {

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
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

TEST(Findings, CatalogueIdsAreUniqueAndSeveritiesNamed) {
  std::set<std::string_view> ids;
  for (const auto& kind : finding_catalogue()) {
    EXPECT_TRUE(ids.insert(kind.id).second) << kind.id;
    EXPECT_TRUE(severity_from_name(severity_name(kind.severity)).has_value());
  }
  EXPECT_EQ(make_finding("signature.padding", "x").severity, Severity::kHigh);
}

}  // namespace
}  // namespace cascade
