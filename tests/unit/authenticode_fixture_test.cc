// Authenticode verdicts on signed fixtures, checked against osslsigncode's digests where it reads
// the file, and against what the fixture was built to exhibit.
#include <algorithm>
#include <cctype>

#include "test_support.h"

namespace cascade {
namespace {

using testing::expected_facts;
using testing::has_finding;
using testing::inspect_fixture;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool all_good(const authenticode::Signature& s) {
  return s.digest_ok && s.signature_ok && s.chain.trusted && s.signer_time_valid && s.error.empty();
}

class SignedFixture : public ::testing::TestWithParam<std::string> {};

// Every digest osslsigncode calculated for a file it accepts is one cascade computed too.
TEST_P(SignedFixture, DigestsEqualOsslsigncode) {
  const auto& verify = expected_facts().at(GetParam()).at("osslsigncode_verify");
  ASSERT_FALSE(verify.is_null());
  const FileReport r = inspect_fixture(GetParam());
  ASSERT_FALSE(r.signatures.empty());
  for (const auto& calculated : verify.at("calculated_message_digests")) {
    const bool found = std::any_of(r.signatures.begin(), r.signatures.end(), [&](const auto& s) {
      return upper(s.computed_digest) == calculated.get<std::string>();
    });
    EXPECT_TRUE(found) << "osslsigncode calculated " << calculated;
  }
  for (const auto& current : verify.at("current_message_digests")) {
    const bool found = std::any_of(r.signatures.begin(), r.signatures.end(), [&](const auto& s) {
      return upper(s.signed_digest) == current.get<std::string>();
    });
    EXPECT_TRUE(found) << "osslsigncode read signed digest " << current;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SignedFixture,
                         ::testing::Values("signed-sha256.exe", "signed-sha1.exe",
                                           "signed-exports.dll", "nested.exe", "timestamped.exe",
                                           "expired-timestamped.exe", "padded.exe", "tampered.exe"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '.', '_');
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Authenticode, UnsignedFileHasSignatureMissing) {
  const FileReport r = inspect_fixture("hello.exe");
  EXPECT_TRUE(has_finding(r, "signature.missing"));
  EXPECT_TRUE(r.signatures.empty());
}

TEST(Authenticode, ValidSignatureHasNoSignatureFindings) {
  const FileReport r = inspect_fixture("signed-sha256.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  const auto& s = r.signatures[0];
  EXPECT_TRUE(all_good(s));
  EXPECT_EQ(s.digest_algorithm, "sha256");
  ASSERT_TRUE(s.signer.has_value());
  EXPECT_NE(s.signer->subject.find("CN=Cascade Test Signer"), std::string::npos);
  EXPECT_EQ(s.signer->serial.size() % 2, 0u);
  EXPECT_EQ(s.signer->sha256.size(), 64u);
  EXPECT_EQ(s.signing_time.value_or(""), "2023-11-14T22:13:20Z");  // osslsigncode -time 1700000000
  for (const auto& f : r.findings) EXPECT_NE(f.id.rfind("signature.", 0), 0u) << f.id;
}

TEST(Authenticode, Sha1SignatureIsWeak) {
  const FileReport r = inspect_fixture("signed-sha1.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(all_good(r.signatures[0]));
  EXPECT_TRUE(has_finding(r, "signature.weak-digest"));
}

TEST(Authenticode, NestedSignatureIsReadAndVerified) {
  const FileReport r = inspect_fixture("nested.exe");
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].depth, 0);
  EXPECT_EQ(r.signatures[0].digest_algorithm, "sha1");
  EXPECT_EQ(r.signatures[1].depth, 1);
  EXPECT_EQ(r.signatures[1].digest_algorithm, "sha256");
  EXPECT_TRUE(all_good(r.signatures[0]));
  EXPECT_TRUE(all_good(r.signatures[1]));
  EXPECT_FALSE(has_finding(r, "signature.weak-digest"));  // the nested SHA-256 one is strong
}

TEST(Authenticode, TamperedCodeBreaksTheDigest) {
  const FileReport r = inspect_fixture("tampered.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_FALSE(r.signatures[0].digest_ok);
  EXPECT_TRUE(r.signatures[0].signature_ok);  // the PKCS#7 itself is intact
  EXPECT_TRUE(has_finding(r, "signature.digest-mismatch"));
  EXPECT_EQ(r.findings.front().id, "signature.digest-mismatch");  // most severe first
}

TEST(Authenticode, PaddingInCertificateTableIsFoundWhileDigestStillVerifies) {
  const FileReport r = inspect_fixture("padded.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(all_good(r.signatures[0]));  // CVE-2013-3900: the signature still "verifies"
  ASSERT_TRUE(has_finding(r, "signature.padding"));
  ASSERT_TRUE(r.certificate_table && r.certificate_table->entries.size() == 1);
  const auto& entry = r.certificate_table->entries[0];
  ASSERT_TRUE(entry.padding.has_value());
  EXPECT_EQ(entry.padding->size, 4096u);  // exactly the bytes the fixture hid there
  EXPECT_EQ(entry.padding->offset % 8, 0u);
  EXPECT_GT(entry.padding_entropy, 6.0);
  EXPECT_FALSE(has_finding(r, "signature.trailing-data"));
}

TEST(Authenticode, OsslsigncodesOwnAlignmentIsNotPadding) {
  for (const char* name :
       {"signed-sha256.exe", "signed-sha1.exe", "nested.exe", "timestamped.exe"}) {
    EXPECT_FALSE(has_finding(inspect_fixture(name), "signature.padding")) << name;
  }
}

TEST(Authenticode, DataAfterTheTableIsTrailingAndBreaksTheDigest) {
  const FileReport r = inspect_fixture("trailing.exe");
  EXPECT_TRUE(has_finding(r, "signature.trailing-data"));
  ASSERT_TRUE(r.certificate_table && r.certificate_table->trailing);
  EXPECT_EQ(r.certificate_table->trailing->size, 512u);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_FALSE(r.signatures[0].digest_ok);  // Windows hashes bytes after the table too
}

TEST(Authenticode, TwoCertificateEntriesAreBothVerified) {
  const FileReport r = inspect_fixture("two-entries.exe");
  ASSERT_TRUE(r.certificate_table.has_value());
  EXPECT_EQ(r.certificate_table->entries.size(), 2u);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].entry_index, 0u);
  EXPECT_EQ(r.signatures[1].entry_index, 1u);
  for (const auto& s : r.signatures) EXPECT_TRUE(all_good(s));
  EXPECT_FALSE(has_finding(r, "signature.padding"));
  EXPECT_FALSE(has_finding(r, "signature.malformed"));
}

TEST(Authenticode, UnknownRootIsUntrusted) {
  const FileReport r = inspect_fixture("untrusted.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].digest_ok);
  EXPECT_TRUE(r.signatures[0].signature_ok);
  EXPECT_FALSE(r.signatures[0].chain.trusted);
  EXPECT_TRUE(has_finding(r, "signature.untrusted"));
}

TEST(Authenticode, ExpiredSignerWithoutTimestampIsExpiredButTrusted) {
  const FileReport r = inspect_fixture("expired-signer.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].chain.trusted);
  EXPECT_FALSE(r.signatures[0].signer_time_valid);
  EXPECT_EQ(r.signatures[0].validity_basis, authenticode::ValidityBasis::kNow);
  EXPECT_TRUE(has_finding(r, "signature.expired"));
  EXPECT_FALSE(has_finding(r, "signature.untrusted"));
}

TEST(Authenticode, TrustedTimestampInsideValidityKeepsExpiredSignerValid) {
  const FileReport r = inspect_fixture("expired-timestamped.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  const auto& s = r.signatures[0];
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_EQ(s.timestamps[0].kind, authenticode::TimestampKind::kRfc3161);
  EXPECT_TRUE(s.timestamps[0].trusted());
  EXPECT_EQ(s.timestamps[0].time, "2015-04-25T22:13:20Z");  // -TSA-time 1430000000
  EXPECT_EQ(s.validity_basis, authenticode::ValidityBasis::kTimestamp);
  EXPECT_TRUE(s.signer_time_valid);
  EXPECT_FALSE(has_finding(r, "signature.expired"));
}

TEST(Authenticode, Rfc3161TimestampVerified) {
  const FileReport r = inspect_fixture("timestamped.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  const auto& s = r.signatures[0];
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_TRUE(s.timestamps[0].signature_ok);
  EXPECT_TRUE(s.timestamps[0].imprint_ok);
  EXPECT_TRUE(s.timestamps[0].chain.trusted);
  ASSERT_TRUE(s.timestamps[0].signer.has_value());
  EXPECT_NE(s.timestamps[0].signer->subject.find("TSA"), std::string::npos);
  EXPECT_FALSE(has_finding(r, "signature.timestamp-invalid"));
}

TEST(Authenticode, WithoutTheTestRootEverySignatureIsUntrusted) {
  InspectOptions options;
  auto empty = authenticode::TrustStore::create({.builtin = false});
  ASSERT_TRUE(empty.ok());
  options.trust = &empty.value();
  options.now = 1800000000;
  const FileReport r = inspect_file(testing::fixture("signed-sha256.exe"), options);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].digest_ok);
  EXPECT_FALSE(r.signatures[0].chain.trusted);
  EXPECT_TRUE(has_finding(r, "signature.untrusted"));
}

}  // namespace
}  // namespace cascade

namespace cascade {
namespace {

TEST(AuthenticodeTime, UntrustedButValidTimestampDatesAnUntrustedSigner) {
  // With no roots at all, neither the signer nor the TSA is trusted; the timestamp still
  // verifies cryptographically and stamps this signature, so expiry is judged at its time.
  auto empty = authenticode::TrustStore::create({.builtin = false});
  ASSERT_TRUE(empty.ok());
  InspectOptions options;
  options.trust = &empty.value();
  options.now = 1800000000;
  const FileReport r = inspect_file(testing::fixture("expired-timestamped.exe"), options);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_FALSE(r.signatures[0].chain.trusted);
  EXPECT_EQ(r.signatures[0].validity_basis, authenticode::ValidityBasis::kUntrustedTimestamp);
  EXPECT_TRUE(r.signatures[0].signer_time_valid);
  EXPECT_FALSE(testing::has_finding(r, "signature.expired"));
  EXPECT_TRUE(testing::has_finding(r, "signature.untrusted"));
}

}  // namespace
}  // namespace cascade

namespace cascade {
namespace {

TEST(AuthenticodeUsage, TlsServerCertificateIsNotACodeSigner) {
  const FileReport r = testing::inspect_fixture("wrong-eku.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].digest_ok);
  EXPECT_TRUE(r.signatures[0].signature_ok);
  EXPECT_FALSE(r.signatures[0].chain.trusted);
  EXPECT_NE(r.signatures[0].chain.error.find("code signing"), std::string::npos)
      << r.signatures[0].chain.error;
  EXPECT_EQ(r.signatures[0].chain.problem, authenticode::ChainProblem::kLeafUsage);
  EXPECT_TRUE(testing::has_finding(r, "signature.wrong-usage"));
  EXPECT_FALSE(testing::has_finding(r, "signature.untrusted"));
}

TEST(AuthenticodeUsage, TimestampAuthorityCertificateIsValidAtItsStamp) {
  const FileReport r = testing::inspect_fixture("timestamped.exe");
  ASSERT_EQ(r.signatures.size(), 1u);
  ASSERT_EQ(r.signatures[0].timestamps.size(), 1u);
  EXPECT_TRUE(r.signatures[0].timestamps[0].chain.time_valid);
  EXPECT_TRUE(r.signatures[0].timestamps[0].trusted());
}

}  // namespace
}  // namespace cascade
