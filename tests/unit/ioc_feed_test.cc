// Indicator feed readers: every format from files written into a temporary directory, format
// detection by content, errors that name the file and line, and the shipped 3CX feeds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/digest.h"
#include "core/finding_catalogue.h"
#include "scan/ioc/indicators.h"
#include "temp_dir.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

const std::string kSha256 = "7986bbaee8940da11ce089383521ab420c443ab7b15ed42aed91fd31ce833896";
const std::string kSha1 = "bf939c9c261d27ee7bb92325cc588624fca75429";
const std::string kMd5 = "74bc2d0b6680faa1a5a76b27e5479cbc";

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

FileHashes hashes(const std::string& sha256, const std::string& sha1 = "",
                  const std::string& md5 = "") {
  FileHashes h;
  h.sha256 = sha256;
  if (!sha1.empty()) h.sha1 = sha1;
  if (!md5.empty()) h.md5 = md5;
  return h;
}

std::vector<std::string> labels(const std::vector<IocMatch>& matches) {
  std::vector<std::string> out;
  for (const auto& m : matches) out.push_back(m.label);
  return out;
}

FeedInfo load_ok(IndicatorSet& set, const std::string& path) {
  auto info = set.load(path);
  if (!info) {
    ADD_FAILURE() << info.error().message;
    return {};
  }
  return info.value();
}

std::string load_error(const std::string& path) {
  IndicatorSet set;
  auto info = set.load(path);
  EXPECT_FALSE(info.ok()) << path << " loaded";
  return info.ok() ? "" : info.error().message;
}

TEST(IocFeed, PlainListMixedKindsCommentsNamesAndCrlf) {
  TempDir dir;
  const std::string path =
      dir.write("list.dat", "\xEF\xBB\xBF# a comment\r\n\r\n   \n" + upper(kSha256) +
                                "  ffmpeg.dll loader \r\n" + kSha1 + "\n\t" + kMd5 +
                                " *md5 name\n# trailing comment");
  IndicatorSet set;
  const FeedInfo info = load_ok(set, path);
  EXPECT_EQ(info.format, scan::FeedFormat::kHashList);
  EXPECT_EQ(info.name, "list.dat");
  EXPECT_EQ(info.path, path);
  EXPECT_EQ(info.indicators, 3u);
  EXPECT_EQ(info.skipped, 0u);
  EXPECT_TRUE(set.needs(HashKind::kSha256));
  EXPECT_TRUE(set.needs(HashKind::kSha1));
  EXPECT_TRUE(set.needs(HashKind::kMd5));

  const auto m = set.match_file(hashes(kSha256, kSha1, kMd5));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].kind.id, findings::kIocHash.id);
  EXPECT_EQ(m[0].feed, "list.dat");
  EXPECT_EQ(m[0].value, kSha256);
  EXPECT_EQ(m[0].label, "ffmpeg.dll loader");
  EXPECT_EQ(m[1].value, kSha1);
  EXPECT_EQ(m[1].label, "");
  EXPECT_EQ(m[2].label, "md5 name");  // sha256sum's binary-mode '*' is dropped
  // Absent kinds are not looked up; another digest does not match.
  EXPECT_EQ(set.match_file(hashes(kSha256)).size(), 1u);
  EXPECT_TRUE(set.match_file(hashes(std::string(64, '0'))).empty());
}

TEST(IocFeed, PlainListOnlyNeedsKindsItHolds) {
  TempDir dir;
  IndicatorSet set;
  load_ok(set, dir.write("a.txt", kSha256 + "\n"));
  EXPECT_TRUE(set.needs(HashKind::kSha256));
  EXPECT_FALSE(set.needs(HashKind::kSha1));
  EXPECT_FALSE(set.needs(HashKind::kMd5));
  EXPECT_FALSE(set.empty());
}

TEST(IocFeed, PlainListMalformedLineIsErrorWithFileAndLine) {
  TempDir dir;
  const std::string path = dir.write(
      "bad.txt", "# x\n" + kSha256 + "\n\n" + kSha256.substr(1) + " short\n" + kMd5 + "\n");
  const std::string error = load_error(path);
  EXPECT_NE(error.find(path + ":4:"), std::string::npos) << error;
  EXPECT_NE(error.find("'" + kSha256.substr(1) + "'"), std::string::npos) << error;
  // Hex running into other characters is not a hash followed by a name.
  EXPECT_NE(load_error(dir.write("junk.txt", kSha256 + "\n" + kSha256 + "zz name\n")).find(":2:"),
            std::string::npos);
}

TEST(IocFeed, CsvHeaderVariantsQuotedFieldsAndSkippedCells) {
  TempDir dir;
  const std::string path = dir.write(
      "feed.data",
      "# exported feed\n"
      "\"SHA-256\",sha1_hash,MD5,Description,source\r\n" +
          kSha256 + ",,,\"trojanized \"\"ffmpeg\"\", loader\",x\r\n" + ",  " + upper(kSha1) +
          "  ,\"" + kMd5 + "\",\"two\nlines\",y\r\n" + ",,,nothing here,z\r\n");
  IndicatorSet set;
  const FeedInfo info = load_ok(set, path);
  EXPECT_EQ(info.format, scan::FeedFormat::kCsv);
  EXPECT_EQ(info.indicators, 3u);
  EXPECT_EQ(info.skipped, 6u);  // blank hash cells
  const auto m = set.match_file(hashes(kSha256, kSha1, kMd5));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].label, "trojanized \"ffmpeg\", loader");
  EXPECT_EQ(m[1].label, "two\nlines");
  EXPECT_EQ(m[2].label, "two\nlines");
}

TEST(IocFeed, CsvNameAndLabelColumnsJoinAndGenericHashColumn) {
  TempDir dir;
  const std::string path =
      dir.write("g.csv", "hash,name,label,notes\n" + kSha1 + ",ffmpeg.dll,loader,n\n" + kSha256 +
                             ",,only label,\n");
  IndicatorSet set;
  const FeedInfo info = load_ok(set, path);
  EXPECT_EQ(info.indicators, 2u);
  EXPECT_TRUE(set.needs(HashKind::kSha1));
  EXPECT_TRUE(set.needs(HashKind::kSha256));
  EXPECT_FALSE(set.needs(HashKind::kMd5));
  EXPECT_EQ(labels(set.match_file(hashes(kSha256, kSha1))),
            (std::vector<std::string>{"only label", "ffmpeg.dll: loader"}));
}

TEST(IocFeed, CsvErrorsNameFileAndLine) {
  TempDir dir;
  // A SHA-256 column holding an MD5 on line 4: the record before it spans lines 2-3.
  std::string error =
      load_error(dir.write("kind.csv", "sha256,name\n" + kSha256 + ",\"a\nb\"\n" + kMd5 + ",c\n"));
  EXPECT_NE(error.find("kind.csv:4:"), std::string::npos) << error;
  EXPECT_NE(error.find("column 'sha256'"), std::string::npos) << error;
  EXPECT_NE(error.find("SHA-256"), std::string::npos) << error;

  error = load_error(dir.write("count.csv", "sha256,name\n" + kSha256 + ",a,extra\n"));
  EXPECT_NE(error.find("count.csv:2: expected 2 fields"), std::string::npos) << error;

  error = load_error(dir.write("quote.csv", "md5,name\n" + kMd5 + ",\"never closed\n"));
  EXPECT_NE(error.find("quote.csv:2: unterminated"), std::string::npos) << error;

  error = load_error(dir.write("after.csv", "md5,name\n" + kMd5 + ",\"x\"y\n"));
  EXPECT_NE(error.find("after.csv:2: unexpected 'y'"), std::string::npos) << error;

  error = load_error(dir.write("hex.csv", "md5\n" + std::string(31, 'a') + "g\n"));
  EXPECT_NE(error.find("hex.csv:2:"), std::string::npos) << error;
}

TEST(IocFeed, StixBundleHashPatternsAndSkippedIndicators) {
  TempDir dir;
  const std::string bundle = R"J({
  "type": "bundle", "id": "bundle--1",
  "objects": [
    {"type": "identity", "id": "identity--1", "name": "not an indicator"},
    {"type": "indicator", "id": "indicator--1", "name": "quoted sha256",
     "pattern": "[file:hashes.'SHA-256' = ')J" +
                             upper(kSha256) + R"J(']", "pattern_type": "stix"},
    {"type": "indicator", "id": "indicator--2", "name": "sha1 or md5",
     "pattern": "[file:hashes.'SHA-1' = ')J" +
                             kSha1 + R"J(' OR file:hashes.MD5 = ')J" + kMd5 + R"J(']"},
    {"type": "indicator", "id": "indicator--3", "name": "two observations and IN",
     "pattern": "[file:hashes.SHA256 IN ('1111111111111111111111111111111111111111111111111111111111111111', '2222222222222222222222222222222222222222222222222222222222222222')] OR ([file:name = 'x.exe' OR file:hashes.md5 = '33333333333333333333333333333333'])"},
    {"type": "indicator", "id": "indicator--4", "name": "and",
     "pattern": "[file:hashes.MD5 = '44444444444444444444444444444444' AND file:name = 'a']"},
    {"type": "indicator", "id": "indicator--5", "name": "domain",
     "pattern": "[domain-name:value = 'example.com']"},
    {"type": "indicator", "id": "indicator--6", "name": "yara", "pattern_type": "yara",
     "pattern": "rule x { condition: true }"},
    {"type": "indicator", "id": "indicator--7", "name": "revoked", "revoked": true,
     "pattern": "[file:hashes.MD5 = '55555555555555555555555555555555']"},
    {"type": "indicator", "id": "indicator--8", "name": "sha512 only",
     "pattern": "[file:hashes.'SHA-512' = 'abcd']"},
    {"type": "indicator", "id": "indicator--9", "name": "qualified",
     "pattern": "[file:hashes.MD5 = '66666666666666666666666666666666'] WITHIN 300 SECONDS"}
  ]
})J";
  IndicatorSet set;
  const FeedInfo info = load_ok(set, dir.write("b.json", bundle));
  EXPECT_EQ(info.format, scan::FeedFormat::kStix);
  EXPECT_EQ(info.indicators, 6u);
  EXPECT_EQ(info.skipped, 6u);
  EXPECT_EQ(labels(set.match_file(hashes(kSha256, kSha1, kMd5))),
            (std::vector<std::string>{"quoted sha256", "sha1 or md5", "sha1 or md5"}));
  EXPECT_EQ(labels(set.match_file(hashes(std::string(64, '2'), "", std::string(32, '3')))),
            (std::vector<std::string>{"two observations and IN", "two observations and IN"}));
  EXPECT_TRUE(set.match_file(hashes(std::string(64, '0'), "", std::string(32, '4'))).empty());
  EXPECT_TRUE(set.match_file(hashes(std::string(64, '0'), "", std::string(32, '5'))).empty());
}

TEST(IocFeed, StixErrors) {
  TempDir dir;
  std::string error = load_error(dir.write("bad-hash.json", R"({"type": "bundle", "objects": [
    {"type": "indicator", "id": "indicator--ok", "pattern": "[file:hashes.MD5 = '44444444444444444444444444444444']"},
    {"type": "indicator", "id": "indicator--bad",
     "pattern": "[file:hashes.'SHA-256' = 'abc']"}]})"));
  EXPECT_NE(error.find("bad-hash.json:3: indicator 'indicator--bad'"), std::string::npos) << error;
  EXPECT_NE(error.find("'abc' is not a SHA-256"), std::string::npos) << error;

  error = load_error(dir.write("broken.json", "{\"type\": \"bundle\",\n \"objects\": [}\n"));
  EXPECT_NE(error.find("broken.json:2: not valid JSON"), std::string::npos) << error;

  error = load_error(dir.write("other.json", R"({"name": "package.json", "version": "1"})"));
  EXPECT_NE(error.find("other.json: not an indicator feed"), std::string::npos) << error;

  std::string deep(200, '[');
  error = load_error(dir.write("deep.json", deep + std::string(200, ']')));
  EXPECT_NE(error.find("nested deeper"), std::string::npos) << error;

  // An indicator that repeats its pattern reads two ways: the feed is refused.
  error = load_error(dir.write("twice.json", R"({"type": "bundle", "objects": [
    {"type": "indicator", "id": "indicator--twice",
     "pattern": "[file:hashes.MD5 = '44444444444444444444444444444444']",
     "pattern": "[file:hashes.MD5 = '55555555555555555555555555555555']"}]})"));
  EXPECT_NE(error.find(R"(twice.json: duplicate key "pattern" in the object at "/objects/0")"),
            std::string::npos)
      << error;
}

TEST(IocFeed, SignerListLineFormat) {
  TempDir dir;
  const std::string sha1 = "a9:99:3E:36:47:06:81:6a:ba:3e:25:71:78:50:c2:6c:9c:d0:d8:9d";
  const std::string path = dir.write("signers.txt",
                                     "\n# CASCADE SIGNER-LIST\n"
                                     "# feed: Bad signers\n"
                                     "thumbprint " +
                                         sha1 +
                                         " | sha1 pinned\n"
                                         "THUMBPRINT ba 78 16 bf 8f 01 cf ea 41 41 40 de 5d ae 22 "
                                         "23 b0 03 61 a3 96 17 7a 9c b4 10 ff 61 f2 00 15 ad\n"
                                         "serial 00:85:38:A6:C5:01:8F:50:FC Go Daddy Secure "
                                         "Certificate Authority - G2 | X_TRADER\n"
                                         "serial 0x1b6611df9c9a4d6ecc8ed50c9b917873 | 3CX\n");
  IndicatorSet set;
  const FeedInfo info = load_ok(set, path);
  EXPECT_EQ(info.format, scan::FeedFormat::kSignerList);
  EXPECT_EQ(info.name, "Bad signers");
  EXPECT_EQ(info.indicators, 4u);
  EXPECT_FALSE(set.needs(HashKind::kSha256));  // thumbprints are not file hashes

  authenticode::CertificateInfo cert;
  cert.sha1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
  cert.sha256 = std::string(64, 'f');
  auto m = set.match_certificate(cert);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind.id, findings::kIocSigner.id);
  EXPECT_EQ(m[0].feed, "Bad signers");
  EXPECT_EQ(m[0].label, "sha1 pinned");
  EXPECT_EQ(m[0].value, cert.sha1);

  cert.sha1 = std::string(40, '0');
  cert.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  m = set.match_certificate(cert);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].label, "");
  EXPECT_EQ(m[0].value, cert.sha256);
}

TEST(IocFeed, SignerListErrorsNameLine) {
  TempDir dir;
  std::string error =
      load_error(dir.write("s.txt", "# cascade signer-list\nserial 01\nthumbprint 0011 | short\n"));
  EXPECT_NE(error.find("s.txt:3: thumbprint '0011'"), std::string::npos) << error;
  error = load_error(dir.write("t.txt", "# cascade signer-list\nsubject CN=x\n"));
  EXPECT_NE(error.find("t.txt:2: expected 'thumbprint HEX' or 'serial HEX [ISSUER]'"),
            std::string::npos)
      << error;
  error = load_error(dir.write("u.txt", "# cascade signer-list\nserial xyz | label\n"));
  EXPECT_NE(error.find("u.txt:2: serial 'xyz'"), std::string::npos) << error;
}

TEST(IocFeed, SignerCsv) {
  TempDir dir;
  const std::string path = dir.write(
      "signers.csv",
      "Thumbprint,Serial Number,Issuer,Subject\n"
      ",00 85 38 a6 c5 01 8f 50 fc,\"CN=Go Daddy Secure Certificate Authority - G2,O=GoDaddy.com, "
      "Inc.\",Trading Technologies\n"
      "a9993e364706816aba3e25717850c26c9cd0d89d,,,pinned\n");
  IndicatorSet set;
  const FeedInfo info = load_ok(set, path);
  EXPECT_EQ(info.format, scan::FeedFormat::kSignerList);
  EXPECT_EQ(info.indicators, 2u);
  EXPECT_EQ(info.skipped, 2u);

  authenticode::CertificateInfo cert;
  cert.serial = "8538a6c5018f50fc";
  cert.issuer =
      "CN=Go Daddy Secure Certificate Authority - G2,OU=http://certs.godaddy.com/repository/,"
      "O=GoDaddy.com\\, Inc.,L=Scottsdale,ST=Arizona,C=US";
  // The feed's components (CN, O) all occur in the certificate's issuer, in another order.
  auto m = set.match_certificate(cert);
  ASSERT_EQ(m.size(), 1u);
  cert.issuer = "CN=Go Daddy Secure Certificate Authority - G2,OU=x,O=GoDaddy.com LLC";
  EXPECT_TRUE(set.match_certificate(cert).empty());
  cert.issuer = "/C=US/O=GoDaddy.com, Inc./CN=go daddy  secure certificate authority - g2";
  m = set.match_certificate(cert);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].label, "Trading Technologies");
  EXPECT_EQ(m[0].value, "serial 8538a6c5018f50fc, issuer " + cert.issuer);
}

TEST(IocFeed, UndetectableAndUnreadableFiles) {
  TempDir dir;
  std::string error = load_error(dir.write("x", "") + "-missing");
  EXPECT_NE(error.find("x-missing: cannot read"), std::string::npos) << error;
  EXPECT_NE(load_error(dir.write("empty", "")).find("empty: not an indicator feed"),
            std::string::npos);
  EXPECT_NE(
      load_error(dir.write("comments", "# only\n#comments\n\n")).find("not an indicator feed"),
      std::string::npos);
  EXPECT_NE(load_error(dir.write("bin", std::string("MZ\x90\0\x03\0", 6))).find("binary content"),
            std::string::npos);
  error = load_error(dir.write("prose.txt", "hello, world\nsha256 is a hash\n"));
  EXPECT_NE(error.find("prose.txt:1: not an indicator feed"), std::string::npos) << error;
  // A directory is not a feed either.
  EXPECT_FALSE(load_error(fs::temp_directory_path().string()).empty());
}

TEST(IocFeed, RecordsTheFeedDigestAndAccumulatesFeeds) {
  TempDir dir;
  const std::string content = kMd5 + "\n";
  IndicatorSet set;
  const FeedInfo a = load_ok(set, dir.write("one.txt", content));
  const FeedInfo b = load_ok(set, dir.write("two.txt", "# feed: second\n" + kMd5 + " again\n"));
  EXPECT_EQ(
      a.sha256,
      to_hex(digest(DigestAlgorithm::kSha256,
                    Bytes(reinterpret_cast<const std::uint8_t*>(content.data()), content.size()))));
  ASSERT_EQ(set.feeds().size(), 2u);
  EXPECT_EQ(set.feeds()[1].name, "second");
  EXPECT_EQ(b.name, "second");
  // A hash in two feeds is reported once per feed.
  const auto m = set.match_file(hashes(std::string(64, '0'), "", kMd5));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].feed, "one.txt");
  EXPECT_EQ(m[1].feed, "second");
  EXPECT_EQ(m[1].label, "again");
  // A failed load leaves the set as it was.
  EXPECT_FALSE(set.load(dir.write("bad.txt", kMd5 + "x\n")).ok());
  EXPECT_EQ(set.feeds().size(), 2u);
}

// The 3CX feed shipped in data/iocs/, in all four forms.
TEST(IocFeed, ShippedThreeCxFeeds) {
  const std::string dir = std::string(CASCADE_SOURCE_DIR) + "/data/iocs/";
  IndicatorSet set;
  const FeedInfo csv = load_ok(set, dir + "3cx-2023.csv");
  const FeedInfo txt = load_ok(set, dir + "3cx-2023.txt");
  const FeedInfo stix = load_ok(set, dir + "3cx-2023.stix.json");
  const FeedInfo signers = load_ok(set, dir + "3cx-2023-signers.txt");
  EXPECT_EQ(csv.format, scan::FeedFormat::kCsv);
  EXPECT_EQ(csv.indicators, 24u);
  EXPECT_EQ(csv.skipped, 21u);
  EXPECT_EQ(txt.format, scan::FeedFormat::kHashList);
  EXPECT_EQ(txt.indicators, 24u);
  EXPECT_EQ(stix.format, scan::FeedFormat::kStix);
  EXPECT_EQ(stix.indicators, 24u);
  EXPECT_EQ(stix.skipped, 0u);
  EXPECT_EQ(signers.format, scan::FeedFormat::kSignerList);
  EXPECT_EQ(signers.indicators, 2u);

  // The trojanized ffmpeg.dll, by each of its hashes, in each hash feed, with one label.
  const auto m = set.match_file(hashes(kSha256, kSha1, kMd5));
  ASSERT_EQ(m.size(), 9u);
  for (const auto& match : m) {
    EXPECT_EQ(match.label, "ffmpeg.dll: trojanized ffmpeg.dll (loader)") << match.feed;
  }
  // The macOS UpdateAgent is known only by its SHA-1.
  const auto agent =
      set.match_file(hashes(std::string(64, '0'), "9e9a5f8d86356796162cee881c843cde9eaedfb3"));
  EXPECT_EQ(agent.size(), 3u);

  authenticode::CertificateInfo x_trader;
  x_trader.serial = "8538a6c5018f50fc";  // as cascade reports it: no sign-padding zero
  x_trader.issuer =
      "CN=Go Daddy Secure Certificate Authority - G2,OU=http://certs.godaddy.com/repository/,"
      "O=GoDaddy.com\\, Inc.,L=Scottsdale,ST=Arizona,C=US";
  const auto signer = set.match_certificate(x_trader);
  ASSERT_EQ(signer.size(), 1u);
  EXPECT_EQ(signer[0].feed, "3cx-2023-signers.txt");
  EXPECT_NE(signer[0].label.find("X_TRADER"), std::string::npos);
  x_trader.issuer = "CN=Some Other CA";
  EXPECT_TRUE(set.match_certificate(x_trader).empty());

  authenticode::CertificateInfo three_cx;
  three_cx.serial = "1b6611df9c9a4d6ecc8ed50c9b917873";
  three_cx.issuer = "CN=DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1";
  ASSERT_EQ(set.match_certificate(three_cx).size(), 1u);
}

}  // namespace
}  // namespace cascade::scan
