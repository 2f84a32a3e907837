// The trust stores: Microsoft's signed root list as shipped, a test root program whose roots
// carry each kind of limit the list can set, and spoofed chains that must never pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "authenticode/builtin_trust.h"
#include "authenticode/root_program.h"
#include "authenticode/root_program_store.h"
#include "authenticode/trust_store.h"
#include "core/finding_catalogue.h"
#include "test_support.h"

namespace cascade {
namespace {

using authenticode::AnchorSet;
using authenticode::ChainProblem;

std::string trust_fixture(const std::string& name) {
  return testing::fixture("trust/" + name);
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Bytes view(const std::vector<std::uint8_t>& v) {
  return Bytes(v.data(), v.size());
}

// The store a Windows machine with the test root program would have.
const authenticode::TrustStore& test_root_program() {
  static const auto store = authenticode::TrustStore::create(
      {.builtin = true,
       .microsoft_store_dir = trust_fixture("rootprog"),
       .root_list_pins = {read_text(trust_fixture("rootprog/pin.sha256"))}});
  if (!store) {
    ADD_FAILURE() << store.error().message;
    std::abort();
  }
  return store.value();
}

const authenticode::TrustStore& builtin() {
  static const auto store = authenticode::TrustStore::create({});
  if (!store) std::abort();
  return store.value();
}

FileReport inspect_with(const std::string& path, const authenticode::TrustStore& trust) {
  InspectOptions options;
  options.trust = &trust;
  options.now = 1800000000;  // 2027-01-15
  return inspect_file(path, options);
}

TEST(BuiltinTrust, MicrosoftRootListLoadsAndVerifies) {
  const auto sets = builtin().summary();
  ASSERT_GE(sets.size(), 4u);
  const auto& microsoft = sets[0];
  EXPECT_EQ(microsoft.set, AnchorSet::kMicrosoftRootProgram);
  EXPECT_EQ(microsoft.listed, 515u);
  EXPECT_EQ(microsoft.anchors, 515u);
  // Roots trusted only for TLS or e-mail do not anchor code signing.
  EXPECT_GT(microsoft.code_signing, 100u);
  EXPECT_LT(microsoft.code_signing, microsoft.anchors);
  EXPECT_NE(microsoft.list_signer.find("Microsoft Certificate Trust List Publisher"),
            std::string::npos);
  bool apple = false, secure_boot = false, shim = false;
  for (const auto& s : sets) {
    apple = apple || (s.set == AnchorSet::kApple && s.anchors >= 1);
    secure_boot = secure_boot || (s.set == AnchorSet::kSecureBoot && s.anchors >= 4);
    shim = shim || (s.set == AnchorSet::kShimVendor && s.anchors == 1);
  }
  EXPECT_TRUE(apple && secure_boot && shim);
}

TEST(BuiltinTrust, RootListMustBeSignedByAPinnedMicrosoftRoot) {
  const Bytes stl =
      authenticode::builtin_trust_file(authenticode::BuiltinTrustFile::kMicrosoftAuthroot);
  const Bytes roots =
      authenticode::builtin_trust_file(authenticode::BuiltinTrustFile::kMicrosoftRoots);
  auto good = authenticode::load_root_program(stl, roots, authenticode::kMicrosoftListRootsSha256);
  ASSERT_TRUE(good) << good.error().message;
  // Pinned to another key, the genuine list is refused.
  const std::string other_pin = "00" + std::string(62, '1');
  const std::string_view other[] = {other_pin};
  EXPECT_FALSE(authenticode::load_root_program(stl, roots, other));
  // One flipped byte inside the list breaks its signature.
  std::vector<std::uint8_t> altered(stl.begin(), stl.end());
  altered[altered.size() / 2] ^= 0x01;
  EXPECT_FALSE(authenticode::load_root_program(view(altered), roots,
                                               authenticode::kMicrosoftListRootsSha256));
}

TEST(TrustFingerprint, SameTrustSameFingerprintWhetherLoadedOrNot) {
  // Two stores made alike agree, one read before its root program is loaded and one after.
  auto early = authenticode::TrustStore::create({});
  auto late = authenticode::TrustStore::create({});
  ASSERT_TRUE(early && late);
  const std::string before = early->fingerprint();
  ASSERT_GE(late->summary().size(), 4u);  // loads the root program
  EXPECT_EQ(late->fingerprint(), before);
  EXPECT_EQ(early->fingerprint(), before);
  EXPECT_EQ(before, builtin().fingerprint());
  // Another root program, no built-in sets, an extra anchor: each trusts otherwise.
  auto without_builtin = authenticode::TrustStore::create({.builtin = false});
  auto with_extra =
      authenticode::TrustStore::create({.extra_files = {trust_fixture("rootprog/roots.pem")}});
  ASSERT_TRUE(without_builtin && with_extra) << with_extra.error().message;
  const std::set<std::string> all = {before, test_root_program().fingerprint(),
                                     without_builtin->fingerprint(), with_extra->fingerprint()};
  EXPECT_EQ(all.size(), 4u);
}

TEST(RootProgram, ListsThatAreAlteredOrSignedByOthersAreRefused) {
  const auto roots = read_bytes(trust_fixture("rootprog/roots.pem"));
  const auto other_roots = read_bytes(trust_fixture("rootprog/roots-other.pem"));
  const std::string pin = read_text(trust_fixture("rootprog/pin.sha256"));
  const std::string_view pins[] = {pin};
  auto good = authenticode::load_root_program(
      view(read_bytes(trust_fixture("rootprog/authroot.stl"))), view(roots), pins);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->entries.size(), 5u);
  EXPECT_FALSE(authenticode::load_root_program(
      view(read_bytes(trust_fixture("rootprog/tampered.stl"))), view(roots), pins));
  auto other = authenticode::load_root_program(
      view(read_bytes(trust_fixture("rootprog/other-signer.stl"))), view(other_roots), pins);
  EXPECT_FALSE(other);
  auto wrong_eku = authenticode::load_root_program(
      view(read_bytes(trust_fixture("rootprog/wrong-eku.stl"))), view(roots), pins);
  ASSERT_FALSE(wrong_eku);
  EXPECT_NE(wrong_eku.error().message.find("root lists"), std::string::npos)
      << wrong_eku.error().message;
}

TEST(RootProgram, RootForEveryPurposeAnchorsCodeSigning) {
  const FileReport r = inspect_with(trust_fixture("rootprog/code.exe"), test_root_program());
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].chain.trusted) << r.signatures[0].chain.error;
  EXPECT_EQ(r.signatures[0].chain.trust_set, AnchorSet::kMicrosoftRootProgram);
  EXPECT_FALSE(testing::has_finding(r, "signature.untrusted"));
}

TEST(RootProgram, TlsOnlyRootDoesNotAnchorCodeSigning) {
  const FileReport r = inspect_with(trust_fixture("rootprog/tls-root.exe"), test_root_program());
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_FALSE(r.signatures[0].chain.trusted);
  EXPECT_EQ(r.signatures[0].chain.problem, ChainProblem::kAnchorRestricted);
  EXPECT_NE(r.signatures[0].chain.error.find("1.3.6.1.5.5.7.3.3"), std::string::npos)
      << r.signatures[0].chain.error;
  EXPECT_TRUE(testing::has_finding(r, "signature.untrusted"));
}

TEST(RootProgram, DisallowedRootAnchorsOnlyWhatWasStampedBefore) {
  const FileReport now =
      inspect_with(trust_fixture("rootprog/disallowed-now.exe"), test_root_program());
  ASSERT_EQ(now.signatures.size(), 1u);
  EXPECT_FALSE(now.signatures[0].chain.trusted);
  EXPECT_EQ(now.signatures[0].chain.problem, ChainProblem::kAnchorRestricted);
  EXPECT_NE(now.signatures[0].chain.error.find("disallowed"), std::string::npos);

  const FileReport stamped =
      inspect_with(trust_fixture("rootprog/disallowed-stamped.exe"), test_root_program());
  ASSERT_EQ(stamped.signatures.size(), 1u);
  ASSERT_EQ(stamped.signatures[0].timestamps.size(), 1u);
  EXPECT_TRUE(stamped.signatures[0].timestamps[0].trusted());
  EXPECT_EQ(stamped.signatures[0].validity_basis, authenticode::ValidityBasis::kTimestamp);
  EXPECT_TRUE(stamped.signatures[0].chain.trusted) << stamped.signatures[0].chain.error;
}

TEST(RootProgram, NotBeforeDateRefusesCertificatesIssuedAfterIt) {
  const FileReport old_leaf =
      inspect_with(trust_fixture("rootprog/notbefore-old.exe"), test_root_program());
  ASSERT_EQ(old_leaf.signatures.size(), 1u);
  EXPECT_TRUE(old_leaf.signatures[0].chain.trusted) << old_leaf.signatures[0].chain.error;
  const FileReport new_leaf =
      inspect_with(trust_fixture("rootprog/notbefore-new.exe"), test_root_program());
  ASSERT_EQ(new_leaf.signatures.size(), 1u);
  EXPECT_FALSE(new_leaf.signatures[0].chain.trusted);
  EXPECT_EQ(new_leaf.signatures[0].chain.problem, ChainProblem::kAnchorRestricted);
}

TEST(SpoofedChain, CurveBallCopyOfAMicrosoftRootIsCritical) {
  for (const char* name : {"spoof/curveball.exe", "spoof/curveball-samekey.exe"}) {
    const FileReport r = inspect_with(trust_fixture(name), builtin());
    ASSERT_EQ(r.signatures.size(), 1u) << name;
    EXPECT_TRUE(r.signatures[0].signature_ok) << name;
    EXPECT_FALSE(r.signatures[0].chain.trusted) << name;
    EXPECT_EQ(r.signatures[0].chain.problem, ChainProblem::kSpoofedAnchor)
        << name << ": " << r.signatures[0].chain.error;
    EXPECT_TRUE(testing::has_finding(r, "signature.spoofed-chain")) << name;
  }
}

TEST(SpoofedChain, AnUnknownSelfSignedRootIsMerelyUntrusted) {
  const FileReport r = inspect_with(testing::fixture("untrusted.exe"), builtin());
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].chain.problem, ChainProblem::kNoAnchor);
  EXPECT_EQ(r.signatures[0].chain.trust_set, AnchorSet::kMicrosoftRootProgram);
  EXPECT_TRUE(testing::has_finding(r, "signature.untrusted"));
  EXPECT_FALSE(testing::has_finding(r, "signature.spoofed-chain"));
}

TEST(GenuineLayout, WritableCodeSignedByATrustedPublisherIsLow) {
  const FileReport signed_wx = testing::inspect_fixture("trust/files/wx-signed.exe");
  const FileReport unsigned_wx = testing::inspect_fixture("wx.exe");
  auto severity_of = [](const FileReport& r) {
    for (const auto& f : r.findings) {
      if (f.is(findings::kPeWxSection)) return f.severity;
    }
    return Severity::kInfo;
  };
  EXPECT_EQ(severity_of(signed_wx), Severity::kLow);
  EXPECT_EQ(severity_of(unsigned_wx), Severity::kMedium);
  // Signed by a key nobody trusts, it stays medium.
  const FileReport untrusted = inspect_with(trust_fixture("files/wx-signed.exe"), builtin());
  EXPECT_EQ(severity_of(untrusted), Severity::kMedium);
}

TEST(TrustFiles, DerIntermediateAnchorsAPartialChain) {
  // The signer certificate itself, as DER, is enough of an anchor (as `sbverify --cert` does).
  const std::string der = ::testing::TempDir() + "/signer.der";
  ASSERT_EQ(std::system(("openssl x509 -in " + testing::fixture("pki/signer.pem") +
                         " -outform DER -out " + der)
                            .c_str()),
            0);
  auto store = authenticode::TrustStore::create({.builtin = false, .extra_files = {der}});
  ASSERT_TRUE(store) << store.error().message;
  const FileReport r = inspect_with(testing::fixture("signed-sha256.exe"), *store);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].chain.trusted) << r.signatures[0].chain.error;
  EXPECT_EQ(r.signatures[0].chain.trust_set, AnchorSet::kUser);
}

TEST(TrustUpdate, InstallsOnlyAListMicrosoftSigned) {
  const std::string dir = ::testing::TempDir() + "/trust-update";
  std::filesystem::remove_all(dir);
  // The test program's list is well formed but not Microsoft's: refused, nothing written.
  auto refused = authenticode::update_root_program_store(
      trust_fixture("rootprog/authroot.stl"), trust_fixture("rootprog/roots.pem"), dir, false);
  EXPECT_FALSE(refused);
  EXPECT_FALSE(std::filesystem::exists(dir + "/authroot.stl"));
  // With its own pin it installs, and a store made from the folder uses it.
  const std::string pin = read_text(trust_fixture("rootprog/pin.sha256"));
  auto installed = authenticode::update_root_program_store(trust_fixture("rootprog/authroot.stl"),
                                                           trust_fixture("rootprog/roots.pem"), dir,
                                                           true, {pin});
  ASSERT_TRUE(installed) << installed.error().message;
  EXPECT_EQ(installed->installed, 5u);
  auto store = authenticode::TrustStore::create(
      {.builtin = true, .microsoft_store_dir = dir, .root_list_pins = {pin}});
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->summary()[0].anchors, 5u);
  // Microsoft's own list replaces it.
  const std::string shipped = std::string(CASCADE_SOURCE_DIR) + "/data/trust/";
  auto microsoft = authenticode::update_root_program_store(
      shipped + "microsoft-authroot.stl", shipped + "microsoft-roots.pem", dir, false, {});
  ASSERT_TRUE(microsoft) << microsoft.error().message;
  EXPECT_EQ(microsoft->installed, 515u);
}

}  // namespace
}  // namespace cascade
