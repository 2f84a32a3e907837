// MSI Authenticode: cascade's digests against osslsigncode's (recorded by the fixture set-up in
// msi/expected.json), and the findings each signed, padded or tampered fixture gets.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "formats/msi/msi_signature.h"
#include "inspect/file_report_json.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& osslsigncode_view() {
  static const nlohmann::json facts = [] {
    std::ifstream in(testing::fixture("msi/expected.json"));
    nlohmann::json j;
    if (in) in >> j;
    return j;
  }();
  return facts["osslsigncode"];
}

FileReport inspect_msi_fixture(const std::string& name) {
  return testing::inspect_fixture("msi/" + name);
}

std::vector<std::string> signature_findings(const FileReport& r) {
  std::vector<std::string> ids;
  for (const auto& f : r.findings) {
    if (f.id.starts_with("signature.")) ids.push_back(f.id);
  }
  return ids;
}

TEST(MsiSignature, DigestsMatchOsslsigncode) {
  const auto& view = osslsigncode_view();
  ASSERT_TRUE(view.is_object()) << "msi/expected.json is missing";
  // Every fixture ole-rewrite and osslsigncode made, damaged ones included.
  EXPECT_GE(view.size(), 11U);
  for (const auto& [name, facts] : view.items()) {
    SCOPED_TRACE(name);
    const FileReport r = inspect_msi_fixture(name);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    ASSERT_FALSE(r.signatures.empty());
    const auto& sig = r.signatures[0];
    EXPECT_EQ(sig.computed_digest, facts["calculated"].get<std::string>());
    EXPECT_EQ(sig.signed_digest, facts["current"].get<std::string>());
    EXPECT_EQ(sig.digest_ok, sig.computed_digest == sig.signed_digest);
    const Buffer file = read_all(testing::fixture("msi/" + name));
    const auto algorithm = *digest_from_name(sig.digest_algorithm);
    auto digest = msi::msi_digest(Bytes(file.data(), file.size()), algorithm);
    ASSERT_TRUE(digest.ok()) << digest.error().message;
    EXPECT_EQ(to_hex(*digest), sig.computed_digest);
    if (!facts["calculated_ex"].is_null()) {
      auto prehash = msi::msi_prehash(Bytes(file.data(), file.size()), algorithm);
      ASSERT_TRUE(prehash.ok());
      EXPECT_EQ(to_hex(*prehash), facts["calculated_ex"].get<std::string>());
    }
  }
}

TEST(MsiSignature, SignedPackagesVerifyClean) {
  for (const char* name : {"signed.msi", "signed-dse.msi", "timestamped.msi", "v4.msi",
                           "storage.msi", "storage-dse.msi"}) {
    SCOPED_TRACE(name);
    const FileReport r = inspect_msi_fixture(name);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    EXPECT_TRUE(r.findings.empty()) << r.findings.front().id << ": " << r.findings.front().message;
    ASSERT_EQ(r.signatures.size(), 1U);
    const auto& sig = r.signatures[0];
    EXPECT_TRUE(sig.digest_ok);
    EXPECT_TRUE(sig.signature_ok) << sig.signature_error;
    EXPECT_TRUE(sig.chain.trusted) << sig.chain.error;
    EXPECT_TRUE(sig.signer_time_valid);
    ASSERT_TRUE(sig.signer.has_value());
    EXPECT_EQ(sig.signer->subject, "O=Cascade Test,CN=Cascade Test Signer");
  }
}

TEST(MsiSignature, TimestampIsChecked) {
  const FileReport r = inspect_msi_fixture("timestamped.msi");
  ASSERT_EQ(r.signatures.size(), 1U);
  ASSERT_EQ(r.signatures[0].timestamps.size(), 1U);
  EXPECT_TRUE(r.signatures[0].timestamps[0].trusted());
  EXPECT_EQ(r.signatures[0].validity_basis, authenticode::ValidityBasis::kTimestamp);
}

TEST(MsiSignature, PaddingIsReportedWhileTheDigestStillVerifies) {
  const FileReport r = inspect_msi_fixture("padded.msi");
  EXPECT_EQ(signature_findings(r), std::vector<std::string>{"signature.padding"});
  ASSERT_EQ(r.signatures.size(), 1U);
  EXPECT_TRUE(r.signatures[0].digest_ok);
  EXPECT_TRUE(r.signatures[0].signature_ok);
  ASSERT_TRUE(r.msi.has_value());
  EXPECT_EQ(r.msi->signature_padding, 4096U);
}

TEST(MsiSignature, FlippedCabinetByteIsADigestMismatch) {
  const FileReport r = inspect_msi_fixture("tampered.msi");
  EXPECT_EQ(signature_findings(r), std::vector<std::string>{"signature.digest-mismatch"});
  ASSERT_EQ(r.signatures.size(), 1U);
  EXPECT_FALSE(r.signatures[0].digest_ok);
  EXPECT_TRUE(r.signatures[0].signature_ok);  // the PKCS#7 itself is intact
}

TEST(MsiSignature, ChangedMetadataBreaksTheExtendedSignature) {
  const FileReport r = inspect_msi_fixture("tampered-dse.msi");
  EXPECT_TRUE(testing::has_finding(r, "signature.digest-mismatch"));
  // The stored pre-hash no longer matches the entries' times either.
  EXPECT_TRUE(testing::has_finding(r, "signature.malformed"));
}

TEST(MsiSignature, UnsignedWeakAndUntrusted) {
  EXPECT_EQ(signature_findings(inspect_msi_fixture("unsigned.msi")),
            std::vector<std::string>{"signature.missing"});
  EXPECT_EQ(signature_findings(inspect_msi_fixture("signed-sha1.msi")),
            std::vector<std::string>{"signature.weak-digest"});
  EXPECT_EQ(signature_findings(inspect_msi_fixture("untrusted.msi")),
            std::vector<std::string>{"signature.untrusted"});
}

TEST(MsiSignature, DamagedPkcs7IsMalformed) {
  const Buffer file = read_all(testing::fixture("msi/signed.msi"));
  static constexpr std::uint8_t kSignedDataOid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                    0xf7, 0x0d, 0x01, 0x07, 0x02};
  const auto at =
      std::search(file.begin(), file.end(), std::begin(kSignedDataOid), std::end(kSignedDataOid)) -
      file.begin();
  ASSERT_LT(static_cast<std::size_t>(at), file.size());
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  {
    Buffer b = file;
    b.at(static_cast<std::size_t>(at) - 4) = 0x31;  // the outer SEQUENCE is now a SET
    const FileReport r = inspect_bytes("not-der.msi", Bytes(b.data(), b.size()), options);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    EXPECT_EQ(signature_findings(r), std::vector<std::string>{"signature.malformed"});
    EXPECT_TRUE(r.signatures.empty());
  }
  {
    Buffer b = file;
    b.at(static_cast<std::size_t>(at) + 10) = 0x01;  // pkcs7-data instead of signedData
    const FileReport r = inspect_bytes("not-signed-data.msi", Bytes(b.data(), b.size()), options);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    EXPECT_TRUE(testing::has_finding(r, "signature.malformed"));
    ASSERT_EQ(r.signatures.size(), 1U);
    EXPECT_FALSE(r.signatures[0].error.empty());
  }
}

TEST(MsiSignature, VerifyWithoutSignatureIsEmpty) {
  const Buffer file = read_all(testing::fixture("msi/unsigned.msi"));
  auto check = msi::verify_msi_signatures(Bytes(file.data(), file.size()), testing::test_trust(),
                                          1800000000);
  EXPECT_TRUE(check.signatures.empty());
  EXPECT_TRUE(check.errors.empty());
}

TEST(MsiSignature, JsonCarriesTheMsiObjectAndSignatures) {
  const FileReport r = inspect_msi_fixture("signed-dse.msi");
  const nlohmann::json j = file_report_json(r);
  EXPECT_EQ(j["format"], "msi");
  const auto& m = j["msi"];
  EXPECT_EQ(m["product_name"], "Cascade Example App");
  EXPECT_EQ(m["product_version"], "1.2.3");
  EXPECT_EQ(m["manufacturer"], "Cascade Test");
  EXPECT_EQ(m["cabinets"], nlohmann::json::array({"app.cab"}));
  EXPECT_EQ(m["has_signature"], true);
  EXPECT_EQ(m["has_signature_ex"], true);
  EXPECT_EQ(m["signature_padding"], 0);
  bool found = false;
  for (const auto& f : m["files"]) {
    found = found || (f["key"] == "ffmpeg.dll" && f["path"] == "ExampleApp/ffmpeg.dll");
  }
  EXPECT_TRUE(found);
  ASSERT_EQ(j["signatures"].size(), 1U);
  EXPECT_EQ(j["signatures"][0]["digest_ok"], true);
}

}  // namespace
}  // namespace cascade
