// Statements, links, policies and the verdict for each release file, on synthetic inputs.
#include <gtest/gtest.h>

#include <string>

#include "core/base64.h"
#include "core/time.h"
#include "provenance/attest.h"
#include "provenance/attestations.h"
#include "provenance/dsse.h"
#include "provenance/policy.h"
#include "provenance/subject_names.h"
#include "provenance/verifier.h"
#include "provenance/yaml_json.h"

namespace cascade::provenance {
namespace {

using nlohmann::json;

const std::string kA(64, 'a');
const std::string kB(64, 'b');
const std::string kC(64, 'c');
const std::string kSrc(64, '5');
constexpr std::time_t kBuilt = 1700000000;

struct Fixture {
  PrivateKey ci = *PrivateKey::generate(KeyType::kEd25519);
  PrivateKey other = *PrivateKey::generate(KeyType::kEcdsaP256);

  std::string policy_json(const std::string& extra) const {
    json keys = json::array({{{"id", "ci"}, {"public_key_pem", ci.public_key().pem()}},
                             {{"id", "vendor"},
                              {"public_key_pem", other.public_key().pem()},
                              {"builders", {"https://vendor.example/*"}}}});
    return R"({"schema": "cascade.policy/1", "keys": )" + keys.dump() + extra + "}";
  }

  Policy policy(const std::string& extra) const {
    auto parsed = Policy::parse(policy_json(extra), "policy.json", "", false);
    EXPECT_TRUE(parsed) << parsed.error().message;
    return parsed ? *parsed : Policy{};
  }

  std::string envelope(const PrivateKey& key, const std::string& builder,
                       std::vector<Subject> subjects, std::vector<Material> materials = {}) const {
    AttestRequest request;
    request.builder_id = builder;
    request.build_type = "https://example.com/build/v1";
    request.finished = kBuilt;
    request.products = std::move(subjects);
    request.materials = std::move(materials);
    return *attest(request, key);
  }
};

ReleaseEntry entry(const std::string& path, const std::string& sha256,
                   const std::string& parent = "") {
  ReleaseEntry e;
  e.path = "rel/" + path;
  e.key = path;
  e.sha256 = sha256;
  e.parent = parent.empty() ? "" : "rel/" + parent;
  return e;
}

std::vector<TrustedKey> policy_keys(const Fixture& f) {
  return f.policy("").keys;
}

std::string only_finding(const FileResult& file) {
  return file.findings.size() == 1 ? file.findings[0].id
                                   : "(" + std::to_string(file.findings.size()) + " findings)";
}

TEST(Statement, ReadsSlsaV1AndV02AndLinks) {
  const std::string v1 = R"({"_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "a.dll", "digest": {"sha256": ")" +
                         kA + R"("}},
                {"name": "nodigest", "digest": {"sha512": "00"}}],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {"buildDefinition": {"buildType": "bt", "resolvedDependencies": [
        {"uri": "git+https://x/y", "digest": {"gitCommit": "ABCDEF"}}]},
      "runDetails": {"builder": {"id": "https://ci/1"},
        "metadata": {"invocationId": "42", "startedOn": "2023-03-29T12:00:00Z",
                     "finishedOn": "2023-03-29T12:30:00Z"}}}})";
  auto record = parse_statement(Bytes(reinterpret_cast<const std::uint8_t*>(v1.data()), v1.size()));
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->kind, provenance::RecordKind::kSlsaProvenanceVersion1);
  EXPECT_EQ(record->builder_id, "https://ci/1");
  ASSERT_EQ(record->subjects.size(), 1u);
  EXPECT_EQ(record->subjects_without_sha256, 1u);
  ASSERT_EQ(record->materials.size(), 1u);
  EXPECT_EQ(record->materials[0].digest.at("gitCommit"), "abcdef");
  EXPECT_EQ(*record->time(), *parse_rfc3339("2023-03-29T12:30:00Z"));

  const std::string v02 = R"({"_type": "https://in-toto.io/Statement/v0.1",
    "subject": [{"name": "b", "digest": {"sha256": ")" +
                          kB + R"("}}],
    "predicateType": "https://slsa.dev/provenance/v0.2",
    "predicate": {"builder": {"id": "https://gh/gen"}, "materials": [{"uri": "u", "digest": {"sha1": "01"}}],
      "metadata": {"buildFinishedOn": "2023-01-01T00:00:00Z"}}})";
  record = parse_statement(Bytes(reinterpret_cast<const std::uint8_t*>(v02.data()), v02.size()));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->kind, provenance::RecordKind::kSlsaProvenanceVersion02);
  EXPECT_EQ(record->builder_id, "https://gh/gen");
  EXPECT_EQ(record->materials.size(), 1u);

  const auto link = json::parse(R"({"_type": "link", "name": "package",
    "materials": {"src.tar.gz": {"sha256": ")" +
                                kSrc + R"("}},
    "products": {"a.dll": {"sha256": ")" +
                                kA + R"("}, "odd": "not an object"}})");
  record = parse_link(link);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->builder_id, "in-toto:package");
  EXPECT_EQ(record->subjects.size(), 1u);
  EXPECT_EQ(record->subjects_without_sha256, 1u);
  EXPECT_EQ(record->materials[0].name, "src.tar.gz");

  for (const char* bad : {"[]", R"({"_type": "https://in-toto.io/Statement/v1"})",
                          R"({"_type": "other", "subject": []})", "not json"}) {
    const std::string text = bad;
    EXPECT_FALSE(
        parse_statement(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())))
        << bad;
  }
}

TEST(Policy, JsonAndYamlReadTheSame) {
  Fixture f;
  const std::string pem = f.ci.public_key().pem();
  std::string indented;
  for (const char c : pem) {
    indented += c;
    if (c == '\n') indented += "      ";
  }
  const std::string yaml =
      "schema: cascade.policy/1\nkeys:\n  - id: ci\n    public_key_pem: |\n      " + indented +
      "\nbuilders: [\"https://ci.example/*\"]\nmax_age: 30d\n"
      "ignore:\n  - '*.pdb'\nfiles:\n  - path: ffmpeg.dll\n    materials:\n"
      "      - name: ffmpeg.tar.xz\n        sha256: " +
      kSrc +
      "\n"
      "  - path: d3d*.dll\n    sha256: [" +
      kC + "]\n";
  auto from_yaml = Policy::parse(yaml, "p.yaml", "", true);
  ASSERT_TRUE(from_yaml) << from_yaml.error().message;
  auto from_json = Policy::parse(
      f.policy_json(
          R"(, "builders": ["https://ci.example/*"], "max_age": "30d", "ignore": ["*.pdb"],
        "files": [{"path": "ffmpeg.dll", "materials": [{"name": "ffmpeg.tar.xz", "sha256": ")" +
          kSrc + R"("}]}, {"path": "d3d*.dll", "sha256": [")" + kC + R"("]}])"),
      "p.json", "", false);
  ASSERT_TRUE(from_json) << from_json.error().message;
  for (const Policy* p : {&*from_yaml, &*from_json}) {
    EXPECT_EQ(p->keys[0].key.key_id(), f.ci.key_id());
    EXPECT_EQ(*p->max_age_seconds, 30 * 86400);
    EXPECT_TRUE(p->ignored("sub/x.PDB"));
    ASSERT_NE(p->rule_for("FFMPEG.dll"), nullptr);
    EXPECT_EQ(p->rule_for("FFMPEG.dll")->materials[0].digest.at("sha256"), kSrc);
    EXPECT_EQ(p->rule_for("d3dcompiler_47.dll")->pinned_sha256[0], kC);
    EXPECT_TRUE(p->builder_allowed(nullptr, "https://ci.example/job/1"));
    EXPECT_FALSE(p->builder_allowed(nullptr, "https://evil.example/job/1"));
  }
}

TEST(Policy, MistakesAreErrorsNotWeakerPolicies) {
  Fixture f;
  EXPECT_FALSE(Policy::parse(f.policy_json(R"(, "builder": ["typo"])"), "p", "", false));
  EXPECT_FALSE(Policy::parse(f.policy_json(R"(, "max_age": "30 days")"), "p", "", false));
  EXPECT_FALSE(Policy::parse(f.policy_json(R"(, "files": [{"path": "x", "sha256": "short"}])"), "p",
                             "", false));
  EXPECT_FALSE(
      Policy::parse(f.policy_json(R"(, "files": [{"path": "x", "materials": [{"name": "n"}]}])"),
                    "p", "", false));
  EXPECT_FALSE(Policy::parse(R"({"schema": "cascade.policy/1", "keys": []})", "p", "", false));
  EXPECT_FALSE(Policy::parse(R"({"schema": "cascade.policy/2", "keys": []})", "p", "", false));
  // YAML aliases (billion laughs) and multi-document streams are refused.
  EXPECT_FALSE(yaml_to_json("a: &x [1, 2]\nb: *x\n"));
  EXPECT_FALSE(yaml_to_json("a: 1\n---\nb: 2\n"));
  EXPECT_FALSE(yaml_to_json(std::string(200, '[')));
  auto typed = yaml_to_json("n: 12\nt: true\ns: '12'\nz: ~\nf: 1.5\n");
  ASSERT_TRUE(typed);
  EXPECT_EQ((*typed)["n"], 12);
  EXPECT_EQ((*typed)["t"], true);
  EXPECT_EQ((*typed)["s"], "12");
  EXPECT_TRUE((*typed)["z"].is_null());
  EXPECT_EQ((*typed)["f"], "1.5");
}

TEST(Verify, EachRuleGivesItsFinding) {
  Fixture f;
  const Policy policy =
      f.policy(R"(, "builders": ["https://ci.example/*", "https://vendor.example/*"],
    "max_age": "30d", "ignore": ["*.pdb"],
    "files": [
      {"path": "ffmpeg.dll", "materials": [{"name": "ffmpeg.tar.xz", "sha256": ")" +
               kSrc + R"("}]},
      {"path": "d3dcompiler_47.dll", "sha256": [")" +
               kC + R"("]},
      {"path": "core.dll", "builders": ["https://ci.example/release"]}])");
  const std::string good_ffmpeg(64, '1');
  const std::string bad_ffmpeg(64, '2');
  const std::string app(64, '3');
  const std::string core(64, '4');
  const std::string swapped(64, '6');
  const std::string inner(64, '7');
  std::string bundle;
  bundle +=
      f.envelope(
          f.ci, "https://ci.example/release",
          {{"app.exe", app}, {"setup.msi", kA}, {"ffmpeg.dll", good_ffmpeg}, {"helper.dll", kB}},
          {{"ffmpeg.tar.xz", "", {{"sha256", kSrc}}}}) +
      "\n";
  // Built from another tarball, by an allowed builder.
  bundle += f.envelope(f.ci, "https://ci.example/release", {{"ffmpeg.dll", bad_ffmpeg}},
                       {{"ffmpeg.tar.xz", "", {{"sha256", std::string(64, '9')}}}}) +
            "\n";
  // core.dll only from the nightly builder, which its rule does not allow.
  bundle += f.envelope(f.ci, "https://ci.example/nightly", {{"core.dll", core}}) + "\n";
  // The vendor key may only speak for vendor builders: this one is rejected.
  bundle += f.envelope(f.other, "https://ci.example/release", {{"stolen.dll", kC}}) + "\n";
  bundle += "{\"not\": \"an attestation\"}\nnot json at all\n";
  const auto checked = check_attestation_text(bundle, "b.jsonl", policy.keys, 2);
  ASSERT_TRUE(checked) << checked.error().message;
  const auto& attestations = *checked;
  ASSERT_EQ(attestations.size(), 6u);
  EXPECT_EQ(attestations[0].status, AttestationStatus::kVerified);
  EXPECT_EQ(attestations[3].finding->id, "provenance.unauthorized-builder");
  EXPECT_EQ(attestations[4].status, AttestationStatus::kIgnored);
  EXPECT_EQ(attestations[5].finding->id, "provenance.malformed");
  EXPECT_EQ(attestations[5].source, "b.jsonl:6");

  ReleaseContents release;
  release.entries = {entry("app.exe", app),
                     entry("core.dll", core),
                     entry("d3dcompiler_47.dll", kC),
                     entry("ffmpeg.dll", bad_ffmpeg),
                     entry("helper.dll", swapped),
                     entry("new.dll", std::string(64, '8')),
                     entry("setup.msi", kA),
                     entry("setup.msi!inner.dll", inner, "setup.msi"),
                     entry("sym.pdb", std::string(64, 'd'))};
  ReleaseEntry broken = entry("zz.dll", "");
  broken.error = "permission denied";
  release.entries.push_back(broken);
  const auto result = verify_release(release, attestations, policy, kBuilt + 86400);
  ASSERT_EQ(result.files.size(), 10u);
  EXPECT_EQ(result.files[0].verdict, FileVerdict::kAttested);
  EXPECT_EQ(result.files[0].evidence, std::vector<std::string>{"b.jsonl:1"});
  EXPECT_EQ(only_finding(result.files[1]), "provenance.untrusted-builder");
  EXPECT_EQ(result.files[2].verdict, FileVerdict::kPinned);
  EXPECT_EQ(only_finding(result.files[3]), "provenance.material-mismatch");
  EXPECT_NE(result.files[3].findings[0].message.find("ffmpeg.tar.xz sha256:9999"),
            std::string::npos);
  EXPECT_EQ(only_finding(result.files[4]), "provenance.subject-mismatch");
  EXPECT_EQ(only_finding(result.files[5]), "provenance.unattested");
  EXPECT_EQ(result.files[6].verdict, FileVerdict::kAttested);
  EXPECT_EQ(result.files[7].verdict, FileVerdict::kCovered);
  EXPECT_EQ(result.files[8].verdict, FileVerdict::kIgnored);
  EXPECT_EQ(only_finding(result.files[9]), "provenance.unreadable");

  // A month later every statement is too old; a pinned file stays fine.
  const auto later = verify_release(release, attestations, policy, kBuilt + 31 * 86400);
  EXPECT_EQ(only_finding(later.files[0]), "provenance.expired");
  EXPECT_EQ(later.files[2].verdict, FileVerdict::kPinned);

  // A pinned third-party file that differs is caught even inside an attested container.
  release.entries[7].key = "d3dcompiler_47.dll";
  const auto pinned = verify_release(release, attestations, policy, kBuilt);
  EXPECT_EQ(only_finding(pinned.files[7]), "provenance.pinned-mismatch");
}

TEST(Verify, UnknownKeysAndBadSignaturesAreRejected) {
  Fixture f;
  const Policy policy = f.policy("");
  const auto stranger = *PrivateKey::generate(KeyType::kEd25519);
  const std::string signed_by_stranger = f.envelope(stranger, "b", {{"a", kA}});
  auto forged = json::parse(f.envelope(f.ci, "b", {{"a", kA}}));
  forged["payload"] = base64_encode(Bytes(reinterpret_cast<const std::uint8_t*>("{}"), 2));
  const auto read =
      check_attestation_text(signed_by_stranger + "\n" + forged.dump() + "\n", "x", policy.keys, 1);
  ASSERT_TRUE(read) << read.error().message;
  const auto& checked = *read;
  ASSERT_EQ(checked.size(), 2u);
  EXPECT_EQ(checked[0].finding->id, "provenance.unknown-key");
  EXPECT_EQ(checked[1].finding->id, "provenance.bad-signature");
  ReleaseContents release;
  release.entries = {entry("a", kA)};
  EXPECT_EQ(only_finding(verify_release(release, checked, policy, kBuilt).files[0]),
            "provenance.unattested");
}

// A subject attests the file at its name only: swapped contents, a copy under a new name, a
// lookalike name or a name that fits several files attest nothing.
TEST(Verify, NamesAreBoundToContent) {
  Fixture f;
  const Policy policy = f.policy("");
  const std::string exe(64, '1');
  const std::string media(64, '2');
  const std::string d3d(64, '3');
  const std::string asar(64, '4');
  const std::string tool(64, '5');
  const std::string accent(64, '6');
  const auto checked = check_attestation_text(f.envelope(f.ci, "https://ci.example/release",
                                                         {{"ExamplePhone.exe", exe},
                                                          {"media.dll", media},
                                                          {"d3dhelper.dll", d3d},
                                                          {"app.asar", asar},
                                                          {"./bin\\Tool.EXE", tool},
                                                          {"m\xc3\xa9"
                                                           "dia.dll",
                                                           accent}}),
                                              "r.jsonl", policy.keys, 1);
  ASSERT_TRUE(checked) << checked.error().message;

  ReleaseContents release;
  release.entries = {entry("BIN/tool.exe", tool),     // 0: case and ./ differ
                     entry("ExamplePhone.exe", exe),  // 1
                     entry("d3dhelper.dll", media),   // 2: swapped
                     entry("media.dll", d3d),         // 3: swapped
                     entry("me\xcc\x81"
                           "dia.dll",
                           accent),                           // 4: NFD of the NFC subject
                     entry("plugins/ExamplePhone.exe", exe),  // 5: copy, same base name
                     entry("resources/app.asar", asar),       // 6: a base-name subject
                     entry("update.exe", exe)};               // 7: copy under a new name
  auto result = verify_release(release, *checked, policy, kBuilt);
  EXPECT_EQ(result.files[0].verdict, FileVerdict::kAttested);
  EXPECT_EQ(result.files[1].verdict, FileVerdict::kAttested);
  EXPECT_EQ(only_finding(result.files[2]), "provenance.subject-mismatch");
  EXPECT_EQ(only_finding(result.files[3]), "provenance.subject-mismatch");
  EXPECT_NE(result.files[3].findings[0].message.find("as \"d3dhelper.dll\""), std::string::npos)
      << result.files[3].findings[0].message;
  EXPECT_EQ(only_finding(result.files[4]), "provenance.unattested");
  EXPECT_EQ(only_finding(result.files[5]), "provenance.unattested");
  EXPECT_EQ(result.files[6].verdict, FileVerdict::kAttested);
  EXPECT_EQ(only_finding(result.files[7]), "provenance.unattested");
  EXPECT_NE(result.files[7].findings[0].message.find("as \"ExamplePhone.exe\""), std::string::npos)
      << result.files[7].findings[0].message;

  // A base name that fits two files names neither.
  release.entries = {entry("a/app.asar", asar), entry("b/app.asar", asar)};
  result = verify_release(release, *checked, policy, kBuilt);
  for (const auto& file : result.files) {
    EXPECT_EQ(only_finding(file), "provenance.unattested");
    EXPECT_NE(file.findings[0].message.find("could name"), std::string::npos);
  }

  // A release that is one file names itself by its base name; its entries by install path,
  // which a subject inside a container ends with.
  const auto packaged =
      check_attestation_text(f.envelope(f.ci, "https://ci.example/package",
                                        {{"setup.msi", kA}, {"setup.msi!App/media.dll", media}}),
                             "p.jsonl", policy.keys, 1);
  ASSERT_TRUE(packaged);
  ReleaseEntry root = entry("", kB);
  root.path = "downloads/setup.msi";
  release.entries = {root, entry("App/media.dll", media, "")};
  release.entries[1].parent = root.path;
  result = verify_release(release, *packaged, policy, kBuilt);
  EXPECT_EQ(only_finding(result.files[0]), "provenance.subject-mismatch");
  EXPECT_EQ(result.files[1].verdict, FileVerdict::kAttested);
}

TEST(Verify, SubjectNamesNormalise) {
  EXPECT_EQ(normalise_subject_name("./a//b\\.\\C.DLL"), "a/b/c.dll");
  EXPECT_EQ(normalise_subject_name("/Setup.MSI!./App//x.dll"), "setup.msi!app/x.dll");
  EXPECT_EQ(normalise_subject_name("./"), "");
  // Only ASCII folds: the dotted capital I and the NFD accent stay what they are.
  EXPECT_EQ(normalise_subject_name("\xc4\xb0.dll"), "\xc4\xb0.dll");
  EXPECT_NE(normalise_subject_name("me\xcc\x81"
                                   "dia.dll"),
            normalise_subject_name("m\xc3\xa9"
                                   "dia.dll"));
}

// Every document a verdict rests on refuses a repeated key, naming the key and the document.
TEST(Provenance, RepeatedKeysAreRefused) {
  Fixture f;
  auto policy = Policy::parse(f.policy_json(R"(, "builders": ["a"], "builders": ["*"])"), "p.json",
                              "", false);
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().message.find(R"(p.json: duplicate key "builders")"), std::string::npos)
      << policy.error().message;
  policy = Policy::parse(f.policy_json(R"(, "files": [{"path": "a.dll", "sha256": ")" + kA +
                                       R"(", "path": "b.dll"}])"),
                         "p.json", "", false);
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().message.find(R"("/files/0")"), std::string::npos)
      << policy.error().message;
  // YAML: at the top and in a nested mapping, with the line.
  EXPECT_FALSE(yaml_to_json("schema: a\nkeys: []\nschema: b\n"));
  auto nested = yaml_to_json("files:\n  - path: a\n    note: x\n    path: b\n");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, ErrorCode::kAmbiguous);
  EXPECT_NE(nested.error().message.find(R"(duplicate key "path" in a mapping (YAML line 4))"),
            std::string::npos)
      << nested.error().message;
  EXPECT_FALSE(yaml_to_json("a: {b: 1, b: 2}\n"));
  EXPECT_FALSE(yaml_to_json("1: x\n'1': y\n"));  // one key to JSON, so one key here
  EXPECT_TRUE(yaml_to_json("a: {b: 1}\nc: {b: 2}\n"));

  const std::string genuine = f.envelope(f.ci, "https://ci.example/release", {{"a.dll", kA}});
  auto envelope = json::parse(genuine);
  const std::string payload = envelope["payload"];
  const std::string sig = envelope["signatures"][0]["sig"];
  const std::string keyid = envelope["signatures"][0]["keyid"];
  const auto refused = [&](const std::string& text) {
    auto checked = check_attestation_text(text, "b.jsonl", policy_keys(f), 1);
    return checked ? std::string("(accepted)") : checked.error().message;
  };
  // The envelope: a second payload, a repeated field in a signature, in a bundle's line 2, and
  // in a pretty-printed Sigstore bundle.
  std::string error = refused(R"({"payload": ")" + payload +
                              R"(", "payloadType": "x", "payload": "e30=", "signatures": []})");
  EXPECT_NE(error.find(R"(b.jsonl:1: duplicate key "payload")"), std::string::npos) << error;
  error =
      refused(genuine + "\n" + R"({"payload": ")" + payload +
              R"(", "payloadType": "application/vnd.in-toto+json", "signatures": [{"keyid": ")" +
              keyid + R"(", "sig": ")" + sig + R"(", "sig": "AAAA"}]})" + "\n");
  EXPECT_NE(error.find(R"(b.jsonl:2: duplicate key "sig" in the object at "/signatures/0")"),
            std::string::npos)
      << error;
  error = refused("{\n \"dsseEnvelope\": " + genuine + ",\n \"dsseEnvelope\": {}\n}\n");
  EXPECT_NE(error.find(R"(duplicate key "dsseEnvelope")"), std::string::npos) << error;
  // An in-toto link.
  error = refused(R"({"signed": {"_type": "link", "name": "s", "products": {"a": {"sha256": ")" +
                  kA + R"("}, "a": {"sha256": ")" + kB + R"("}}}, "signatures": []})");
  EXPECT_NE(error.find(R"(duplicate key "a" in the object at "/signed/products")"),
            std::string::npos)
      << error;

  // The statement a trusted key signed: one subject with two digests.
  const std::string statement = R"({"_type": "https://in-toto.io/Statement/v1", "subject": [
      {"name": "a.dll", "digest": {"sha256": ")" +
                                kA + R"(", "sha256": ")" + kB + R"("}}],
      "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}})";
  const Bytes bytes(reinterpret_cast<const std::uint8_t*>(statement.data()), statement.size());
  auto direct = parse_statement(bytes);
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, ErrorCode::kAmbiguous);
  const auto signed_by = [&](const PrivateKey& key) {
    return envelope_json(*sign_envelope(kInTotoPayloadType, bytes, key)).dump();
  };
  error = refused(signed_by(f.ci));
  EXPECT_NE(
      error.find(
          R"(b.jsonl:1: the signed statement: duplicate key "sha256" in the object at "/subject/0/digest")"),
      std::string::npos)
      << error;
  // Nothing of a payload no trusted key signed is read: that one is only an unknown key.
  const auto stranger = *PrivateKey::generate(KeyType::kEd25519);
  auto unread = check_attestation_text(signed_by(stranger), "b.jsonl", policy_keys(f), 1);
  ASSERT_TRUE(unread) << unread.error().message;
  EXPECT_EQ((*unread)[0].finding->id, "provenance.unknown-key");

  // An in-toto key file that repeats its public key.
  auto key = PublicKey::parse(
      R"({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": ")" +
      std::string(64, '0') + R"(", "public": ")" + std::string(64, '1') + R"("}})");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kAmbiguous);
}

}  // namespace
}  // namespace cascade::provenance
