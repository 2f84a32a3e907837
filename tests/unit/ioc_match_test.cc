// Indicator lookups: the digest table on large and adversarial key sets, serial and issuer
// normalisation, the STIX pattern subset, and feeds given as bytes (the fuzzer's entry point).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include "core/digest.h"
#include "scan/ioc/feed_internal.h"
#include "scan/ioc/indicators.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::string random_hex(std::mt19937_64& rng, std::size_t bytes) {
  std::string out;
  static const char* kDigits = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

TEST(IocMatch, LargeListFindsEveryKeyAndNothingElse) {
  std::mt19937_64 rng(20230329);
  constexpr std::size_t kCount = 100000;
  std::vector<std::string> keys;
  std::string text;
  for (std::size_t i = 0; i < kCount; ++i) {
    keys.push_back(random_hex(rng, 32));
    text += keys.back() + "\n";
  }
  auto feed = ioc::parse_feed(bytes_of(text), "big.txt");
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ(feed->indicators(), kCount);
  std::uint8_t digest[32];
  for (const auto& k : keys) {
    ASSERT_TRUE(ioc::decode_hex(k, digest, 32));
    ASSERT_TRUE(feed->sha256.find(digest).has_value()) << k;
  }
  std::size_t false_hits = 0;
  for (std::size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(ioc::decode_hex(random_hex(rng, 32), digest, 32));
    false_hits += feed->sha256.find(digest).has_value() ? 1 : 0;
  }
  EXPECT_EQ(false_hits, 0u);
}

TEST(IocMatch, KeysDifferingOnlyInTheirLastBytesStayDistinct) {
  // Hand-made feeds are not random: 000...0001, 000...0002, ... must neither collide into one
  // probe chain that never ends nor be mistaken for one another.
  std::string text;
  for (unsigned i = 0; i < 5000; ++i) {
    char tail[9];
    std::snprintf(tail, sizeof tail, "%08x", i);
    text += std::string(24, '0') + tail + " n" + std::to_string(i) + "\n";
  }
  text += std::string(24, '0') + "00000007 duplicate\n";  // the first label wins
  auto feed = ioc::parse_feed(bytes_of(text), "seq.txt");
  ASSERT_TRUE(feed.ok()) << feed.error().message;
  EXPECT_EQ(feed->md5.size(), 5000u);
  std::uint8_t digest[16];
  for (unsigned i : {0u, 7u, 4999u}) {
    char tail[9];
    std::snprintf(tail, sizeof tail, "%08x", i);
    ASSERT_TRUE(ioc::decode_hex(std::string(24, '0') + tail, digest, 16));
    const auto label = feed->md5.find(digest);
    ASSERT_TRUE(label.has_value());
    EXPECT_EQ(feed->labels.get(*label), "n" + std::to_string(i));
  }
  ASSERT_TRUE(ioc::decode_hex(std::string(24, '0') + "00001388", digest, 16));  // 5000
  EXPECT_FALSE(feed->md5.find(digest).has_value());
}

TEST(IocMatch, LabelsAreStoredOnce) {
  ioc::LabelPool pool;
  const auto a = pool.intern("ffmpeg.dll");
  EXPECT_EQ(pool.intern("ffmpeg.dll"), a);
  EXPECT_NE(pool.intern("other"), a);
  EXPECT_EQ(pool.intern(""), 0u);
  EXPECT_EQ(pool.get(a), "ffmpeg.dll");
  EXPECT_EQ(pool.get(0), "");
  EXPECT_EQ(pool.get(99), "");
}

TEST(IocMatch, SerialNormalisation) {
  EXPECT_EQ(ioc::normalize_serial("00:85:38:A6:C5:01:8F:50:FC"), "8538a6c5018f50fc");
  EXPECT_EQ(ioc::normalize_serial(" 0x008538a6c5018f50fc "), "8538a6c5018f50fc");
  EXPECT_EQ(ioc::normalize_serial("85-38-a6-c5-01-8f-50-fc"), "8538a6c5018f50fc");
  EXPECT_EQ(ioc::normalize_serial("00 85 38 a6 c5 01 8f 50 fc"), "8538a6c5018f50fc");
  EXPECT_EQ(ioc::normalize_serial("00"), "0");
  EXPECT_EQ(ioc::normalize_serial("0x"), std::nullopt);
  EXPECT_EQ(ioc::normalize_serial(""), std::nullopt);
  EXPECT_EQ(ioc::normalize_serial("12g4"), std::nullopt);
  EXPECT_EQ(ioc::normalize_serial(std::string(130, 'a')), std::nullopt);
}

TEST(IocMatch, IssuerPatterns) {
  const std::string rfc2253 =
      "CN=Go Daddy Secure Certificate Authority - G2,OU=http://certs.godaddy.com/repository/,"
      "O=GoDaddy.com\\, Inc.,L=Scottsdale,ST=Arizona,C=US";
  EXPECT_TRUE(ioc::issuer_matches(ioc::parse_issuer(""), rfc2253));
  EXPECT_TRUE(ioc::issuer_matches(ioc::parse_issuer("go daddy SECURE certificate"), rfc2253));
  EXPECT_TRUE(ioc::issuer_matches(ioc::parse_issuer("C=US, S=Arizona"), rfc2253));
  EXPECT_TRUE(ioc::issuer_matches(
      ioc::parse_issuer(
          "CN = Go Daddy Secure Certificate Authority - G2, O = \"GoDaddy.com, Inc.\""),
      rfc2253));
  EXPECT_TRUE(ioc::issuer_matches(
      ioc::parse_issuer("/C=US/ST=Arizona/OU=http://certs.godaddy.com/repository/"), rfc2253));
  EXPECT_FALSE(ioc::issuer_matches(ioc::parse_issuer("C=GB"), rfc2253));
  EXPECT_FALSE(ioc::issuer_matches(ioc::parse_issuer("CN=Go Daddy"), rfc2253));  // whole values
  EXPECT_FALSE(ioc::issuer_matches(ioc::parse_issuer("DigiCert"), rfc2253));
}

TEST(IocMatch, StixPatternSubset) {
  const auto count = [](const char* pattern) -> int {
    const auto hashes = ioc::hash_pattern(pattern);
    return hashes ? static_cast<int>(hashes->size()) : -1;
  };
  EXPECT_EQ(count("[file:hashes.'SHA-256' = 'x']"), 1);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x' OR file:hashes.'SHA-1' = 'y']"), 2);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x'] OR [file:hashes.MD5 = 'y'] OR [file:name = 'z']"), 2);
  EXPECT_EQ(count("([file:hashes.MD5 = 'x'] OR ([file:hashes.MD5 IN ('y', 'z')]))"), 3);
  EXPECT_EQ(count("[artifact:hashes.'SHA-256' = 'x']"), 1);
  EXPECT_EQ(count("[file:hashes.'SHA-512' = 'x']"), 0);
  EXPECT_EQ(count("[file:size = 100]"), 0);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x' AND file:size = 1]"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 != 'x']"), -1);
  EXPECT_EQ(count("NOT [file:hashes.MD5 = 'x']"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x'] FOLLOWEDBY [file:hashes.MD5 = 'y']"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x'] REPEATS 2 TIMES"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x'"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 = 'x]"), -1);
  EXPECT_EQ(count("[file:hashes.MD5 = 5]"), -1);
  EXPECT_EQ(count(""), -1);
  const auto escaped = ioc::hash_pattern("[file:hashes.MD5 = 'a\\'b']");
  ASSERT_TRUE(escaped && escaped->size() == 1);
  EXPECT_EQ((*escaped)[0].value, "a'b");
  EXPECT_EQ((*escaped)[0].kind, HashKind::kMd5);
  // Deep nesting is refused, not recursed into without bound.
  EXPECT_EQ(
      count(
          (std::string(10000, '(') + "[file:hashes.MD5 = 'x']" + std::string(10000, ')')).c_str()),
      -1);
}

TEST(IocMatch, MovedFromSetIsEmpty) {
  std::string path = (fs::temp_directory_path() / "cascade-ioc-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  ASSERT_GE(fd, 0);
  const std::string content = std::string(32, 'b') + " label\n";
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
  IndicatorSet a;
  ASSERT_TRUE(a.load(path).ok());
  IndicatorSet b(std::move(a));
  FileHashes h;
  h.sha256 = std::string(64, '0');
  h.md5 = std::string(32, 'B');
  EXPECT_EQ(b.match_file(h).size(), 1u);
  EXPECT_EQ(b.match_file(h)[0].value, std::string(32, 'b'));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from set stays usable
  EXPECT_TRUE(a.match_file(h).empty());
  EXPECT_TRUE(a.feeds().empty());
  ASSERT_TRUE(a.load(path).ok());
  EXPECT_EQ(a.match_file(h).size(), 1u);
  fs::remove(path);
}

}  // namespace
}  // namespace cascade::scan
