// diff's model without fixtures: facts read from inspect's JSON (and from crafted JSON that
// must not crash), install paths, the capability table, the baseline policy, and the ranking
// rules on hand-built releases.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/finding_catalogue.h"
#include "diff/baseline.h"
#include "diff/capabilities.h"
#include "diff/differ.h"
#include "diff/facts.h"
#include "diff/release.h"

namespace cascade::diff {
namespace {

using nlohmann::json;

json pe_file(const std::string& path, const std::string& sha, const json& imports,
             const json& version) {
  return {{"path", path},
          {"size", 1000},
          {"format", "pe"},
          {"sha256", sha},
          {"pe",
           {{"machine", "AMD64"},
            {"is_dll", true},
            {"entry_point", 4096},
            {"sections", json::array({{{"name", ".text"}, {"raw_size", 512}, {"entropy", 5.5}}})},
            {"imports", imports},
            {"delay_imports", json::array()},
            {"exports", json::array({{{"ordinal", 1}, {"name", "av_init"}}})},
            {"version", version}}},
          {"overlay", nullptr},
          {"certificate_table", nullptr},
          {"signatures", json::array()},
          {"findings", json::array()}};
}

json kernel32(std::initializer_list<const char*> names) {
  json functions = json::array();
  for (const char* n : names) functions.push_back({{"name", n}, {"hint", 0}});
  return json::array({{{"dll", "KERNEL32.dll"}, {"functions", functions}}});
}

const json kVersion44 = {
    {"strings", {{"CompanyName", "FFmpeg Project"}, {"FileVersion", "4.4.0.0"}}},
    {"file_version", "4.4.0.0"},
    {"product_version", "4.4.0.0"}};

Release release_of(std::vector<json> files) {
  Release r{"test", ReleaseKind::kReport, {}};
  for (auto& f : files) {
    FileFacts facts = facts_from_json(f);
    r.files.push_back({facts.path, std::move(facts)});
  }
  return r;
}

TEST(DiffFacts, ReadsPeImportsVersionAndSections) {
  const FileFacts f =
      facts_from_json(pe_file("a.dll", "11", kernel32({"GetTickCount"}), kVersion44));
  EXPECT_TRUE(f.binary);
  EXPECT_TRUE(f.imports.contains("kernel32.dll!GetTickCount"));
  EXPECT_TRUE(f.import_libraries.contains("kernel32.dll"));
  EXPECT_TRUE(f.exports.contains("av_init"));
  EXPECT_EQ(f.version.at("FileVersion"), "4.4.0.0");
  ASSERT_EQ(f.sections.size(), 1u);
  EXPECT_EQ(f.sections[0].size, 512u);
  EXPECT_EQ(f.entry_point, 4096u);
}

TEST(DiffFacts, CraftedJsonGivesFewerFactsNotACrash) {
  std::vector<json> hostile;
  hostile.push_back(nullptr);
  hostile.push_back(42);
  hostile.push_back(json::array({1, 2}));
  hostile.push_back(json::parse(R"({"path": 7, "format": "pe", "pe": "x"})"));
  hostile.push_back(json::parse(R"({"format": "pe", "pe": {"imports": [1, "x", []]}})"));
  hostile.push_back(
      json::parse(R"({"format": "pe", "pe": {"version": {"strings": 5}}, "findings": "none"})"));
  hostile.push_back(
      json::parse(R"({"format": "macho-fat", "slices": [null, {"dylibs": [{"kind": "id"}]}]})"));
  hostile.push_back(
      json::parse(R"({"format": "pe", "size": -5, "signatures": [{"nested_depth": "0"}]})"));
  for (const json& input : hostile) {
    const FileFacts f = facts_from_json(input);
    EXPECT_TRUE(f.imports.empty()) << input.dump();
    EXPECT_EQ(f.size, 0u) << input.dump();
  }
}

TEST(DiffRelease, InstallPathsDropRootsAndMsiCabinets) {
  EXPECT_EQ(install_path("rel/bin/a.dll", "rel", false), "bin/a.dll");
  EXPECT_EQ(install_path("rel/bin/a.dll", "rel/", false), "bin/a.dll");
  EXPECT_EQ(install_path("dist/Setup.msi", "dist/Setup.msi", true), "");
  EXPECT_EQ(install_path("dist/Setup.msi!media1.cab!App/ffmpeg.dll", "dist/Setup.msi", true),
            "App/ffmpeg.dll");
  EXPECT_EQ(install_path("rel/Setup.msi!app.cab!App/ffmpeg.dll", "rel", false),
            "Setup.msi!App/ffmpeg.dll");
  // A cabinet that is not an MSI's media keeps its place; so does an MSI's cabinet itself.
  EXPECT_EQ(install_path("rel/app.zip!x.cab!a.dll", "rel", false), "app.zip!x.cab!a.dll");
  EXPECT_EQ(install_path("dist/Setup.msi!media1.cab", "dist/Setup.msi", true), "media1.cab");
  EXPECT_EQ(install_path("rel/win\\sub\\a.dll", "rel", false), "win/sub/a.dll");
}

TEST(DiffRelease, ReportsOfEveryKindAndBadOnesRejected) {
  const json file = pe_file("rel/a.dll", "11", kernel32({"GetTickCount"}), kVersion44);
  const json scan = {
      {"schema", "cascade.scan/1"}, {"roots", {"rel"}}, {"files", json::array({file})}};
  auto r = release_from_report(scan.dump(), "scan.json");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].key, "a.dll");

  json record = file;
  record["record"] = "file";
  const std::string lines =
      json{{"schema", "cascade.scan-jsonl/1"}, {"record", "scan"}, {"roots", {"rel"}}}.dump() +
      "\n" + record.dump() + "\n" + json{{"record", "summary"}}.dump() + "\n";
  r = release_from_report(lines, "scan.jsonl");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].key, "a.dll");

  EXPECT_FALSE(release_from_report("{\"schema\":\"other/1\",\"files\":[]}", "x"));
  EXPECT_FALSE(release_from_report("[1,2]", "x"));
  EXPECT_FALSE(release_from_report("{\"schema\":\"cascade.scan/1\",", "x"));
  EXPECT_FALSE(release_from_report(lines.substr(0, lines.size() / 2) + "\n{oops\n", "x"));

  // A saved report that repeats a key reads two ways: refused, naming the key, in both forms.
  std::string repeated = scan.dump();
  repeated.insert(1, R"("roots":["elsewhere"],)");
  r = release_from_report(repeated, "scan.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"roots\""), std::string::npos) << r.error().message;
  std::string repeated_lines = lines;
  repeated_lines.insert(repeated_lines.find("\n") + 2, R"("sha256":"22",)");
  r = release_from_report(repeated_lines, "scan.jsonl");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"sha256\""), std::string::npos) << r.error().message;
}

TEST(DiffRelease, KeysFoldCaseUnlessThatWouldMergeTwoFiles) {
  const json scan = {{"schema", "cascade.scan/1"},
                     {"roots", {"rel"}},
                     {"files", json::array({pe_file("rel/A.dll", "1", json::array(), nullptr),
                                            pe_file("rel/b.DLL", "2", json::array(), nullptr),
                                            pe_file("rel/B.dll", "3", json::array(), nullptr),
                                            pe_file("rel/B.dll", "4", json::array(), nullptr)})}};
  auto loaded = release_from_report(scan.dump(), "x");
  ASSERT_TRUE(loaded);
  std::vector<std::string> keys;
  for (const auto& f : loaded->files) keys.push_back(f.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"B.dll", "B.dll#2", "a.dll", "b.DLL"}));
}

TEST(DiffCapabilities, BuiltinTableParsesAndTagsLoaderImports) {
  const CapabilitySet& caps = CapabilitySet::builtin();
  ASSERT_FALSE(caps.all().empty()) << "data/capabilities.json did not parse";
  FileFacts f =
      facts_from_json(pe_file("a.dll", "1", kernel32({"LoadLibraryA", "GetProcAddress"}), nullptr));
  const auto tags = caps.of(f);
  EXPECT_FALSE(tags.empty());
  FileFacts plain = facts_from_json(pe_file("a.dll", "1", kernel32({"GetTickCount"}), nullptr));
  EXPECT_TRUE(caps.of(plain).empty());
}

TEST(DiffCapabilities, PatternsLibrariesAndMachOUnderscores) {
  auto caps = CapabilitySet::parse(R"({"schema":"cascade.capabilities/1","capabilities":[
      {"id":"load","severity":"high","functions":["dlopen","LoadLibrary*"]},
      {"id":"net","severity":"medium","libraries":["wininet.dll","libcurl.so*"]}]})",
                                   "t");
  ASSERT_TRUE(caps) << caps.error().message;
  FileFacts f;
  f.format = FileFormat::kMacho;
  f.import_functions = {"_dlopen"};
  EXPECT_EQ(caps->of(f), (std::set<std::string>{"load"}));
  f.format = FileFormat::kElf;
  EXPECT_TRUE(caps->of(f).empty()) << "only Mach-O names carry the underscore";
  f.import_functions = {"LoadLibraryExW"};
  f.import_libraries = {"/usr/lib/libcurl.so.4"};
  EXPECT_EQ(caps->of(f), (std::set<std::string>{"load", "net"}));
  EXPECT_EQ(caps->find("net")->severity, Severity::kMedium);

  for (
      const char* bad :
      {"{}", R"({"schema":"cascade.capabilities/1"})",
       R"({"schema":"cascade.capabilities/1","capabilities":[{"id":"a","severity":"huge"}]})",
       R"({"schema":"cascade.capabilities/1","capabilities":[{"id":"a"},{"id":"a"}]})",
       R"({"schema":"cascade.capabilities/1","capabilities":[{"id":"a","functions":["*"]}]})",
       R"({"schema":"cascade.capabilities/1","capabilities":[{"id":"a","functions":"dlopen"}]})"}) {
    EXPECT_FALSE(CapabilitySet::parse(bad, "t")) << bad;
  }
}

TEST(DiffBaseline, RulesMergeAndTyposAreRefused) {
  auto b = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"*.exe","signer":"Example Corp","expect":["diff.silent-change"]},
      {"path":"ffmpeg.dll","third_party":true,"sha256":"ABCD","expect":["capability:network"]},
      {"path":"*","signer":"Other"}]})",
                           "b");
  ASSERT_TRUE(b) << b.error().message;
  const PathPolicy exe = b->policy_for("ExamplePhone.EXE");
  EXPECT_TRUE(exe.matched);
  EXPECT_EQ(exe.signer, "Example Corp");
  EXPECT_TRUE(exe.expects("diff.silent-change"));
  EXPECT_FALSE(exe.expects("diff.signer-changed"));
  const PathPolicy dll = b->policy_for("ffmpeg.dll");
  EXPECT_TRUE(dll.third_party);
  EXPECT_EQ(dll.sha256, "abcd");
  EXPECT_EQ(dll.signer, "Other");
  EXPECT_TRUE(dll.expects_capability("network"));
  EXPECT_FALSE(dll.expects_capability("dynamic-code-loading"));

  EXPECT_FALSE(Baseline::parse(
      R"({"schema":"cascade.baseline/1","files":[{"path":"a","thrid_party":true}]})", "b"));
  EXPECT_FALSE(Baseline::parse(R"({"schema":"cascade.baseline/1","files":[{"signer":"x"}]})", "b"));
  EXPECT_FALSE(Baseline::parse(
      R"({"schema":"cascade.baseline/1","files":[{"path":"a","expect":[1]}]})", "b"));
}

// A policy another tool could read otherwise is refused, naming the key and the document.
TEST(DiffBaseline, RepeatedKeysAreRefused) {
  auto b = Baseline::parse(
      R"({"schema":"cascade.baseline/1","files":[{"path":"*.dll","sha256":"aa","sha256":"bb"}]})",
      "baseline.json");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::kAmbiguous);
  EXPECT_NE(b.error().message.find(
                R"(baseline.json: duplicate key "sha256" in the object at "/files/0")"),
            std::string::npos)
      << b.error().message;
  EXPECT_FALSE(Baseline::parse(
      R"({"schema":"cascade.baseline/1","files":[],"files":[{"path":"*","third_party":true}]})",
      "b"));
  auto caps = CapabilitySet::parse(R"({"schema":"cascade.capabilities/1","capabilities":[
      {"id":"load","severity":"high","severity":"info","functions":["dlopen"]}]})",
                                   "caps.json");
  ASSERT_FALSE(caps);
  EXPECT_NE(caps.error().message.find(
                R"(caps.json: duplicate key "severity" in the object at "/capabilities/0")"),
            std::string::npos)
      << caps.error().message;
}

TEST(DiffRanking, LoaderImportsUnderAnUnchangedVersionRankFirst) {
  const Release old_release = release_of({
      pe_file("ffmpeg.dll", "aa", kernel32({"GetTickCount"}), kVersion44),
      pe_file("app.exe", "b1", kernel32({"GetTickCount"}),
              {{"strings", {{"FileVersion", "1.0"}}}, {"file_version", "1.0.0.0"}}),
      pe_file("same.dll", "cc", kernel32({}), nullptr),
      pe_file("gone.dll", "dd", kernel32({}), nullptr),
      pe_file("old/name.dll", "ee", kernel32({}), nullptr),
  });
  const Release new_release = release_of({
      pe_file("ffmpeg.dll", "ab", kernel32({"GetTickCount", "LoadLibraryA", "GetProcAddress"}),
              kVersion44),
      pe_file("app.exe", "b2", kernel32({"GetTickCount"}),
              {{"strings", {{"FileVersion", "1.1"}}}, {"file_version", "1.1.0.0"}}),
      pe_file("same.dll", "cc", kernel32({}), nullptr),
      pe_file("new/name.dll", "ee", kernel32({}), nullptr),
      pe_file("fresh.dll", "ff", kernel32({}), nullptr),
  });
  const DiffResult r = diff_releases(old_release, new_release, {});
  ASSERT_FALSE(r.files.empty());
  EXPECT_EQ(r.files[0].key, "ffmpeg.dll");
  std::set<std::string> ids;
  for (const auto& f : r.files[0].findings) ids.insert(f.finding.id);
  EXPECT_TRUE(ids.contains("diff.silent-change"));
  EXPECT_TRUE(ids.contains("diff.capability-gained"));
  EXPECT_FALSE(r.files[0].capabilities_gained.empty());
  EXPECT_EQ(r.files[0].delta["imports"]["added"],
            json::array({"kernel32.dll!GetProcAddress", "kernel32.dll!LoadLibraryA"}));

  std::map<std::string, ChangeStatus> status;
  for (const auto& f : r.files) status[f.key] = f.status;
  EXPECT_EQ(status["app.exe"], ChangeStatus::kModified);
  EXPECT_EQ(status["gone.dll"], ChangeStatus::kRemoved);
  EXPECT_EQ(status["new/name.dll"], ChangeStatus::kMoved);
  EXPECT_EQ(status["fresh.dll"], ChangeStatus::kAdded);
  EXPECT_FALSE(status.contains("same.dll"));
  EXPECT_FALSE(status.contains("old/name.dll")) << "a move is one entry, not a removal too";
  EXPECT_EQ(r.summary.status.at(ChangeStatus::kUnchanged), 1u);
  for (const auto& f : r.files) {
    if (f.key == "app.exe") {
      EXPECT_EQ(f.risk, 0u) << "a version bump with the same imports is ordinary";
    }
  }
}

TEST(DiffRanking, IdenticalReleasesGiveNothing) {
  const Release a =
      release_of({pe_file("ffmpeg.dll", "aa", kernel32({"LoadLibraryA"}), kVersion44)});
  const DiffResult r = diff_releases(a, a, {});
  EXPECT_TRUE(r.files.empty());
  EXPECT_TRUE(r.summary.findings.empty());
}

TEST(DiffRanking, BaselineExpectationsAreShownButNotScored) {
  const Release o = release_of({pe_file("ffmpeg.dll", "aa", kernel32({}), kVersion44)});
  const Release n =
      release_of({pe_file("ffmpeg.dll", "ab", kernel32({"LoadLibraryA"}), kVersion44)});
  auto b = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"ffmpeg.dll","third_party":true,"expect":["diff.capability-gained"]}]})",
                           "b");
  ASSERT_TRUE(b);
  DiffOptions options;
  options.baseline = &*b;
  const DiffResult r = diff_releases(o, n, options);
  ASSERT_EQ(r.files.size(), 1u);
  bool saw_expected = false;
  for (const auto& f : r.files[0].findings) {
    if (f.finding.is(findings::kDiffCapabilityGained)) saw_expected = f.expected;
    if (f.finding.is(findings::kDiffSilentChange)) {
      EXPECT_EQ(f.finding.severity, Severity::kHigh);
    }
  }
  EXPECT_TRUE(saw_expected);
  EXPECT_EQ(r.files[0].risk, risk_weight(Severity::kHigh)) << "only the silent change scores";
}

TEST(DiffRanking, PinnedDigestAndExpectedSignerAreEnforced) {
  const Release o = release_of({pe_file("a.dll", "aa", kernel32({}), nullptr)});
  const Release n = release_of({pe_file("a.dll", "aa", kernel32({}), nullptr)});
  auto b = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"a.dll","sha256":"bb","signer":"Example Corp"}]})",
                           "b");
  ASSERT_TRUE(b);
  DiffOptions options;
  options.baseline = &*b;
  const DiffResult r = diff_releases(o, n, options);
  ASSERT_EQ(r.files.size(), 1u);
  std::set<std::string> ids;
  for (const auto& f : r.files[0].findings) ids.insert(f.finding.id);
  EXPECT_EQ(ids, (std::set<std::string>{"diff.pin-mismatch", "diff.unexpected-signer"}));
}

// A PE signed by `subject` under `issuer`; `trusted` says whether its chain reached an anchor.
json signed_pe(const std::string& sha, const std::string& subject, const std::string& issuer,
               bool trusted, const std::string& leaf, const std::string& anchor) {
  json file = pe_file("a.dll", sha, kernel32({}), nullptr);
  json chain = {{"trusted", trusted}, {"time_valid", true}, {"certificates", json::array()}};
  if (trusted) chain["anchor_sha256"] = anchor;
  file["signatures"] = json::array(
      {{{"kind", "embedded"},
        {"nested_depth", 0},
        {"digest_ok", true},
        {"signature_ok", true},
        {"digest_algorithm", "sha256"},
        {"signed_digest", "dd" + sha},
        {"signer", subject},
        {"signer_certificate", {{"subject", subject}, {"issuer", issuer}, {"sha256", leaf}}},
        {"chain", chain}}});
  return file;
}

std::set<std::string> finding_ids(const Release& o, const Release& n, const Baseline* b) {
  DiffOptions options;
  options.baseline = b;
  const DiffResult r = diff_releases(o, n, options);
  std::set<std::string> ids;
  for (const auto& file : r.files) {
    for (const auto& f : file.findings) {
      if (!f.expected) ids.insert(f.finding.id);
    }
  }
  return ids;
}

constexpr const char* kSubject = "CN=Example Corp,O=Example Corp,C=US";
constexpr const char* kIssuer = "CN=Example CA,O=Example CA,C=US";

TEST(DiffSigner, ALookAlikeWithTheExpectedNameButNoTrustedChainIsUnexpected) {
  const Release o = release_of({signed_pe("aa", kSubject, kIssuer, true, "11", "a0")});
  // Same subject, same issuer name, self-made: the chain is not trusted.
  const Release n = release_of({signed_pe("bb", kSubject, kIssuer, false, "22", "")});
  // Even a baseline that expects the signer to change cannot waive it.
  auto b = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"a.dll","signer":"Example Corp","expect":["diff.signer-changed",
                                                        "diff.certificate-renewed"]}]})",
                           "b");
  ASSERT_TRUE(b);
  const auto ids = finding_ids(o, n, &*b);
  EXPECT_TRUE(ids.contains("diff.unexpected-signer"));
  EXPECT_FALSE(ids.contains("diff.signer-changed"));
  // Without a baseline the loss of trust under the same names is still the finding.
  EXPECT_TRUE(finding_ids(o, n, nullptr).contains("diff.unexpected-signer"));
}

TEST(DiffSigner, TheExpectedNameOnATrustedChainSatisfiesTheRule) {
  const Release o = release_of({signed_pe("aa", kSubject, kIssuer, true, "11", "a0")});
  const Release n = release_of({signed_pe("bb", kSubject, kIssuer, true, "22", "a0")});
  auto b = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"a.dll","signer":"Example Corp"}]})",
                           "b");
  ASSERT_TRUE(b);
  EXPECT_FALSE(finding_ids(o, n, &*b).contains("diff.unexpected-signer"));
}

TEST(DiffSigner, PinsCompareTheCertificateAndTheAnchorNotTheName) {
  const Release o = release_of({signed_pe("aa", kSubject, kIssuer, true, "11", "a0")});
  const Release other_key = release_of({signed_pe("bb", kSubject, kIssuer, true, "22", "a0")});
  const Release other_anchor = release_of({signed_pe("bb", kSubject, kIssuer, true, "11", "a9")});
  auto leaf_pin = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"a.dll","signer":"Example Corp","signer_sha256":"11"}]})",
                                  "b");
  auto anchor_pin = Baseline::parse(R"({"schema":"cascade.baseline/1","files":[
      {"path":"a.dll","anchor_sha256":"A0"}]})",
                                    "b");
  ASSERT_TRUE(leaf_pin && anchor_pin);
  EXPECT_TRUE(finding_ids(o, other_key, &*leaf_pin).contains("diff.unexpected-signer"));
  EXPECT_FALSE(finding_ids(o, other_anchor, &*leaf_pin).contains("diff.unexpected-signer"));
  EXPECT_TRUE(finding_ids(o, other_anchor, &*anchor_pin).contains("diff.unexpected-signer"));
  EXPECT_FALSE(finding_ids(o, other_key, &*anchor_pin).contains("diff.unexpected-signer"));
}

}  // namespace
}  // namespace cascade::diff
