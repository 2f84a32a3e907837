// Signed catalogs: members found by hash (PE image hash, flat hash), both catalog layouts, a
// catalog that was altered or is untrusted, a file changed after its catalog was signed, and a
// scanned tree's own CatRoot folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "authenticode/catalog.h"
#include "scan/catalogs.h"
#include "scan/scanner.h"
#include "test_support.h"

namespace cascade {
namespace {

using authenticode::SignatureKind;

std::string trust_fixture(const std::string& name) {
  return testing::fixture("trust/" + name);
}

struct Inspector {
  authenticode::CatalogIndex index;
  FileReport inspect(const std::string& path) const {
    InspectOptions options;
    options.trust = &testing::test_trust();
    options.now = 1800000000;
    options.catalogs = &index;
    return inspect_file(path, options);
  }
};

Inspector with_catalogs(const std::vector<std::string>& catalogs) {
  return Inspector{authenticode::load_catalogs(catalogs, testing::test_trust(), 1800000000)};
}

std::size_t catalog_signatures(const FileReport& r) {
  return static_cast<std::size_t>(std::count_if(
      r.signatures.begin(), r.signatures.end(),
      [](const authenticode::Signature& s) { return s.kind == SignatureKind::kCatalog; }));
}

TEST(Catalog, BothLayoutsListEveryMemberByHash) {
  for (const char* cat : {"cat/sha1.cat", "cat/sha256.cat", "cat/cms.cat"}) {
    const Inspector in = with_catalogs({trust_fixture(cat)});
    ASSERT_EQ(in.index.catalogs().size(), 1u);
    const auto& catalog = in.index.catalogs()[0];
    EXPECT_TRUE(catalog.covers()) << cat << ": " << catalog.error
                                  << catalog.signature.signature_error;
    EXPECT_EQ(catalog.members.size(), 4u) << cat;
    for (const char* file :
         {"files/hello.exe", "files/exports.dll", "files/odd.exe", "files/notes.ini"}) {
      const FileReport r = in.inspect(trust_fixture(file));
      ASSERT_EQ(catalog_signatures(r), 1u) << cat << " " << file;
      const auto& sig = r.signatures.back();
      EXPECT_EQ(sig.catalog, trust_fixture(cat));
      EXPECT_TRUE(sig.digest_ok);
      EXPECT_TRUE(sig.signature_ok);
      EXPECT_TRUE(sig.chain.trusted) << sig.chain.error;
      EXPECT_FALSE(testing::has_finding(r, "signature.missing")) << cat << " " << file;
      EXPECT_FALSE(testing::has_finding(r, "signature.untrusted")) << cat << " " << file;
    }
  }
}

TEST(Catalog, AFileItDoesNotListStaysUnsigned) {
  const Inspector in = with_catalogs({trust_fixture("cat/sha256.cat")});
  const FileReport r = in.inspect(testing::fixture("noversion.exe"));
  EXPECT_EQ(catalog_signatures(r), 0u);
  EXPECT_TRUE(testing::has_finding(r, "signature.missing"));
  EXPECT_FALSE(testing::has_finding(r, "signature.catalog-mismatch"));
}

TEST(Catalog, FileChangedAfterSigningIsNamedButNotCovered) {
  const Inspector in = with_catalogs({trust_fixture("cat/sha256.cat")});
  const FileReport r = in.inspect(trust_fixture("changed/hello.exe"));
  EXPECT_EQ(catalog_signatures(r), 0u);
  EXPECT_TRUE(testing::has_finding(r, "signature.catalog-mismatch"));
}

TEST(Catalog, AlteredCatalogCoversNothingAndIsInvalid) {
  const Inspector in = with_catalogs({trust_fixture("cat/tampered.cat")});
  ASSERT_EQ(in.index.catalogs().size(), 1u);
  EXPECT_FALSE(in.index.catalogs()[0].covers());
  const FileReport covered = in.inspect(trust_fixture("files/hello.exe"));
  EXPECT_EQ(catalog_signatures(covered), 0u);
  EXPECT_TRUE(testing::has_finding(covered, "signature.missing"));
  // Inspected as a file, the catalog itself says why.
  const FileReport own = testing::inspect_fixture("trust/cat/tampered.cat");
  EXPECT_EQ(own.format, FileFormat::kCatalog);
  EXPECT_TRUE(testing::has_finding(own, "signature.invalid"));
  const FileReport good = testing::inspect_fixture("trust/cat/sha256.cat");
  EXPECT_EQ(good.format, FileFormat::kCatalog);
  ASSERT_TRUE(good.catalog.has_value());
  EXPECT_EQ(good.catalog->members, 4u);
  EXPECT_TRUE(good.findings.empty()) << good.findings.front().message;
}

TEST(Catalog, UntrustedCatalogVouchesOnlyAsFarAsItsSigner) {
  const Inspector in = with_catalogs({trust_fixture("cat/untrusted.cat")});
  const FileReport r = in.inspect(trust_fixture("files/hello.exe"));
  ASSERT_EQ(catalog_signatures(r), 1u);
  EXPECT_FALSE(r.signatures.back().chain.trusted);
  EXPECT_TRUE(testing::has_finding(r, "signature.untrusted"));
}

TEST(Catalog, ScanUsesTheTreesOwnCatRoot) {
  const std::string root = trust_fixture("tree");
  const scan::CatalogSet catalogs =
      scan::load_scan_catalogs({root}, {}, true, testing::test_trust(), 1800000000);
  ASSERT_EQ(catalogs.catroots.size(), 1u);
  EXPECT_TRUE(catalogs.notes.empty());
  scan::ScanOptions options;
  options.inspect.trust = &testing::test_trust();
  options.inspect.now = 1800000000;
  options.inspect.catalogs = &catalogs.index;
  std::map<std::string, FileReport> reports;
  scan::ScanStats stats;
  scan::run_scan({root}, options, stats, [&](scan::ScannedFile&& f) {
    const std::string name = f.report.path.substr(f.report.path.rfind('/') + 1);
    reports[name] = std::move(f.report);
    return scan::OrderedStep{};
  });
  ASSERT_TRUE(reports.count("hello.exe") && reports.count("extra.exe") &&
              reports.count("notes.ini"));
  EXPECT_EQ(catalog_signatures(reports["hello.exe"]), 1u);
  EXPECT_EQ(catalog_signatures(reports["notes.ini"]), 1u);
  EXPECT_FALSE(testing::has_finding(reports["hello.exe"], "signature.missing"));
  EXPECT_EQ(catalog_signatures(reports["extra.exe"]), 0u);
  EXPECT_TRUE(testing::has_finding(reports["extra.exe"], "signature.missing"));
}

TEST(Catalog, GarbageIsNotACatalog) {
  const std::vector<std::uint8_t> junk(200, 0x30);
  EXPECT_FALSE(authenticode::looks_like_catalog(Bytes(junk.data(), junk.size())));
  const auto catalog = authenticode::read_catalog("junk.cat", Bytes(junk.data(), junk.size()),
                                                  testing::test_trust(), 1800000000);
  EXPECT_FALSE(catalog.covers());
  EXPECT_FALSE(catalog.error.empty());
}

}  // namespace
}  // namespace cascade
