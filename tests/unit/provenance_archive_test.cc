// verify of a release that is one archive: its files are what statements attest, whether they
// name them inside the archive (`attest --expand`) or by the paths they were packed from.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "container_test_support.h"
#include "provenance/attest.h"
#include "provenance/attestations.h"
#include "provenance/verifier.h"

namespace cascade::provenance {
namespace {

using testing::file;
using testing::TempDir;
using testing::write_archive;

constexpr std::time_t kBuilt = 1700000000;

class ArchiveRelease : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<testing::Member> members = {file("bin/app", "app"), file("README", "readme")};
    write("rel.tar.gz", write_archive("ustar", {"gzip"}, members));
    // The same files, packed again and compressed another way.
    write("rel.tar.xz", write_archive("ustar", {"xz"}, members));
    write("changed.tar.gz",
          write_archive("ustar", {"gzip"}, {file("bin/app", "not the app"), members[1]}));
    write("empty.zip", write_archive("zip", {}, {}));
    auto parsed = Policy::parse(R"({"schema": "cascade.policy/1", "keys": [{"id": "ci", )"
                                R"("public_key_pem": )" +
                                    nlohmann::json(key_.public_key().pem()).dump() + "}]}",
                                "policy.json", "", false);
    ASSERT_TRUE(parsed) << parsed.error().message;
    policy_ = std::move(parsed).value();
  }

  void write(const std::string& name, const testing::Buffer& bytes) const {
    dir_.write(name, std::string(bytes.begin(), bytes.end()));
  }

  std::vector<Attestation> statement(std::vector<Subject> subjects) const {
    AttestRequest request;
    request.builder_id = "https://ci.example/release";
    request.build_type = "https://example.com/build/v1";
    request.finished = kBuilt;
    request.products = std::move(subjects);
    auto checked = check_attestation_text(*attest(request, key_), "a.jsonl", policy_.keys, 1);
    EXPECT_TRUE(checked) << checked.error().message;
    return checked ? *checked : std::vector<Attestation>{};
  }

  // Each file's verdict, or its one finding's id, by install path ("" for the archive).
  std::map<std::string, std::string> verify(const std::string& name,
                                            const std::vector<Attestation>& attestations) const {
    const auto result =
        verify_release(read_release(dir_ / name, {}), attestations, policy_, kBuilt);
    std::map<std::string, std::string> out;
    for (const auto& f : result.files) {
      out[f.key] = f.findings.size() == 1 ? f.findings[0].id : std::string(verdict_name(f.verdict));
    }
    return out;
  }

  TempDir dir_;
  PrivateKey key_ = *PrivateKey::generate(KeyType::kEd25519);
  Policy policy_;
};

using Verdicts = std::map<std::string, std::string>;

TEST_F(ArchiveRelease, ItsFilesAsAttestExpandNamesThem) {
  auto expanded = digest_paths({dir_ / "rel.tar.gz"}, {1, true});
  ASSERT_TRUE(expanded) << expanded.error().message;
  std::vector<std::string> names;
  for (const auto& subject : *expanded) names.push_back(subject.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"rel.tar.gz", "rel.tar.gz!README", "rel.tar.gz!bin/app"}));
  const auto attestations = statement(*expanded);
  // The attested archive itself speaks for its files.
  EXPECT_EQ(verify("rel.tar.gz", attestations),
            (Verdicts{{"", "attested"}, {"README", "covered"}, {"bin/app", "covered"}}));
  // Packed again: no subject names this archive, and each file is checked by its name inside.
  EXPECT_EQ(verify("rel.tar.xz", attestations),
            (Verdicts{{"", "ignored"}, {"README", "attested"}, {"bin/app", "attested"}}));
  EXPECT_EQ(
      verify("changed.tar.gz", attestations),
      (Verdicts{
          {"", "ignored"}, {"README", "attested"}, {"bin/app", "provenance.subject-mismatch"}}));
}

TEST_F(ArchiveRelease, ItsFilesAsTheBuildNamedThem) {
  // The statement of the directory the archive was packed from names no archive at all.
  auto files = digest_paths({dir_ / "rel.tar.gz"}, {1, true});
  ASSERT_TRUE(files) << files.error().message;
  std::vector<Subject> tree;
  for (const auto& subject : *files) {
    const auto bang = subject.name.find('!');
    if (bang != std::string::npos) tree.push_back({subject.name.substr(bang + 1), subject.sha256});
  }
  const auto attestations = statement(tree);
  EXPECT_EQ(verify("rel.tar.gz", attestations),
            (Verdicts{{"", "ignored"}, {"README", "attested"}, {"bin/app", "attested"}}));
  EXPECT_EQ(
      verify("changed.tar.gz", attestations),
      (Verdicts{
          {"", "ignored"}, {"README", "attested"}, {"bin/app", "provenance.subject-mismatch"}}));
  // An archive with no files inside is a file like any other, so nothing verifies it clean.
  EXPECT_EQ(verify("empty.zip", attestations), (Verdicts{{"", "provenance.unattested"}}));
}

TEST_F(ArchiveRelease, AStatementAboutTheArchiveItselfStillCounts) {
  // A subject that names this archive with other bytes: the archive changed after the build,
  // even when every file in it is attested too.
  auto expanded = digest_paths({dir_ / "rel.tar.gz"}, {1, true});
  ASSERT_TRUE(expanded) << expanded.error().message;
  for (auto& subject : *expanded) {
    if (subject.name == "rel.tar.gz") subject.name = "changed.tar.gz";
  }
  EXPECT_EQ(verify("changed.tar.gz", statement(*expanded)),
            (Verdicts{{"", "provenance.subject-mismatch"},
                      {"README", "attested"},
                      {"bin/app", "provenance.subject-mismatch"}}));
}

}  // namespace
}  // namespace cascade::provenance
