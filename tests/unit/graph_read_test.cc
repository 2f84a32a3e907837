// The graph's document readers on synthetic documents: the facts each format gives, how each
// one is recognised by content, the caps, and hostile input refused without a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/base64.h"
#include "core/digest.h"
#include "core/time.h"
#include "graph/facts.h"
#include "graph/readers.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

const std::string kA(64, 'a');
const std::string kB(64, 'b');
const std::string kC(64, 'c');
const std::string kD(64, 'd');
const std::string kUpperE(64, 'E');
const std::string kE(64, 'e');

Bytes bytes_of(std::string_view text) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

Result<Document> read(std::string_view text) {
  return read_document(bytes_of(text), "test");
}

Document read_ok(std::string_view text) {
  auto document = read(text);
  EXPECT_TRUE(document) << document.error().message;
  return document ? std::move(document).value() : Document{};
}

std::int64_t at(std::string_view time) {
  return static_cast<std::int64_t>(*parse_rfc3339(time));
}

NodeRef artifact(const std::string& hex) {
  return {NodeKind::kArtifact, hex};
}
NodeRef host(const std::string& name) {
  return {NodeKind::kHost, name};
}
NodeRef build(const std::string& id) {
  return {NodeKind::kBuild, id};
}
NodeRef release(const std::string& id) {
  return {NodeKind::kRelease, id};
}

const EdgeFact* find_edge(const Document& document, EdgeKind kind, const NodeRef& src,
                          const NodeRef& dst) {
  for (const auto& edge : document.edges) {
    if (edge.kind == kind && edge.src == src && edge.dst == dst) return &edge;
  }
  return nullptr;
}

bool has_name(const Document& document, const NodeRef& node, const std::string& name) {
  return std::find(document.names.begin(), document.names.end(), NameFact{node, name}) !=
         document.names.end();
}

std::string problem_text(const Document& document) {
  std::string text;
  for (const auto& problem : document.problems) {
    text += std::to_string(problem.line) + ": " + problem.message + "\n";
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Scan reports

json scan_report() {
  return {{"schema", "cascade.scan/1"},
          {"tool", {{"name", "cascade"}, {"version", "0.7.0"}}},
          {"host", "ws01.corp.example"},
          {"started", "2024-05-01T10:00:00Z"},
          {"roots", {"C:/"}},
          {"feeds", json::array()},
          {"rules", json::array()},
          {"rule_count", 0},
          {"files",
           {{{"path", "C:/app/x.dll"},
             {"sha256", kA},
             {"findings",
              {{{"id", "ioc.sha256"}, {"severity", "critical"}, {"message", "3CX"}},
               {{"id", "pe.overlay"}, {"severity", "info"}, {"message", "overlay"}}}}},
            {{"path", "C:/setup.msi!inner.dll"},
             {"sha256", kB},
             {"findings",
              {{{"id", "signature.invalid"}, {"severity", "high"}, {"message", "bad"}},
               {{"id", "yara.Trojan"}, {"severity", "medium"}, {"message", "rule"}}}}},
            {{"path", "C:/locked.sys"}, {"sha256", nullptr}, {"findings", json::array()}}}},
          {"finished", "2024-05-01T10:05:00Z"},
          {"summary", json::object()}};
}

TEST(GraphReadScan, JsonReportGivesRanOnEdgesNamesAndSignals) {
  const Document document = read_ok(scan_report().dump());
  EXPECT_EQ(document.format, DocumentFormat::kScanReport);
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  ASSERT_EQ(document.edges.size(), 2u);  // the unreadable file names no artifact
  const EdgeFact* ran =
      find_edge(document, EdgeKind::kRanOn, artifact(kA), host("ws01.corp.example"));
  ASSERT_NE(ran, nullptr);
  EXPECT_EQ(ran->time, at("2024-05-01T10:00:00Z"));
  EXPECT_EQ(ran->until, std::nullopt);
  ASSERT_NE(find_edge(document, EdgeKind::kRanOn, artifact(kB), host("ws01.corp.example")),
            nullptr);
  EXPECT_TRUE(has_name(document, artifact(kA), "C:/app/x.dll"));
  EXPECT_TRUE(has_name(document, artifact(kB), "C:/setup.msi!inner.dll"));
  // ioc.*, yara.* and high/critical findings are signals; an info finding is not.
  std::vector<SignalFact> signals = document.signals;
  std::sort(signals.begin(), signals.end());
  ASSERT_EQ(signals.size(), 3u);
  EXPECT_EQ(signals[0], (SignalFact{artifact(kA), "ioc.sha256", "critical"}));
  EXPECT_EQ(signals[1], (SignalFact{artifact(kB), "signature.invalid", "high"}));
  EXPECT_EQ(signals[2], (SignalFact{artifact(kB), "yara.Trojan", "medium"}));
}

json certificate(char fill, const std::string& subject) {
  return {{"subject", subject},
          {"issuer", "CN=Root"},
          {"serial", std::string(4, fill)},
          {"sha1", std::string(40, fill)},
          {"sha256", std::string(64, fill)},
          {"not_before", "2020-01-01T00:00:00Z"},
          {"not_after", "2030-01-01T00:00:00Z"}};
}

SignerFact signer(const std::string& digest, CertificateRole role, char fill,
                  const std::string& subject) {
  return {artifact(digest), role,
          CertificateFact{std::string(64, fill), std::string(40, fill), std::string(4, fill),
                          "CN=Root", subject}};
}

TEST(GraphReadScan, SignatureCertificatesBecomeSignerFacts) {
  json report = scan_report();
  json chain = {
      {"trusted", true},
      {"certificates", {"CN=Signer", "CN=Root"}},
      {"certificate_details", {certificate('a', "CN=Signer"), certificate('b', "CN=Root")}}};
  // Upper-case hex, as a hand-edited report might hold, is read as the store spells it.
  json signer_certificate = certificate('A', "CN=Signer");
  report["files"][0]["signatures"] = {
      {{"signer_certificate", signer_certificate},
       {"chain", chain},
       {"timestamps",
        {{{"signer_certificate", certificate('c', "CN=TSA")}, {"chain", chain}},
         {{"signer_certificate", nullptr}}}}},
      // A signature without a signer (it did not parse) and one from an older report whose
      // chain carries subjects only.
      {{"signer_certificate", nullptr}, {"chain", {{"certificates", json::array()}}}},
      {{"signer_certificate", certificate('d', "CN=Old")},
       {"chain", {{"certificates", {"CN=Old"}}}},
       {"timestamps", json::array()}}};
  // A thin Mach-O file's code signature and a universal one's slices.
  report["files"][1]["codesign"] = {
      {"cms", {{"signer_certificate", certificate('e', "CN=Developer ID")}, {"chain", chain}}}};
  report["files"][1]["slices"] = {
      {{"codesign", {{"cms", {{"signer_certificate", certificate('f', "CN=Slice")}}}}}},
      {{"error", "unreadable slice"}}};
  const Document document = read_ok(report.dump());
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  std::vector<SignerFact> signers = document.signers;
  std::sort(signers.begin(), signers.end());
  signers.erase(std::unique(signers.begin(), signers.end()), signers.end());
  std::vector<SignerFact> expected = {
      signer(kA, CertificateRole::kSigner, 'a', "CN=Signer"),
      signer(kA, CertificateRole::kSigner, 'd', "CN=Old"),
      signer(kA, CertificateRole::kChain, 'a', "CN=Signer"),
      signer(kA, CertificateRole::kChain, 'b', "CN=Root"),
      signer(kA, CertificateRole::kTimestamp, 'c', "CN=TSA"),
      signer(kB, CertificateRole::kSigner, 'e', "CN=Developer ID"),
      signer(kB, CertificateRole::kSigner, 'f', "CN=Slice"),
      signer(kB, CertificateRole::kChain, 'a', "CN=Signer"),
      signer(kB, CertificateRole::kChain, 'b', "CN=Root"),
  };
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(signers, expected);
}

TEST(GraphReadScan, MalformedCertificatesAreProblemsNotFacts) {
  json report = scan_report();
  json no_thumbprint = certificate('a', "CN=x");
  no_thumbprint.erase("sha256");
  json short_sha1 = certificate('a', "CN=x");
  short_sha1["sha1"] = "abcd";
  json bad_serial = certificate('a', "CN=x");
  bad_serial["serial"] = "12:34";
  json control = certificate('a', "CN=line\nbreak\u001b[2J");
  json long_name = certificate('a', std::string(5000, 'x'));
  report["files"][0]["signatures"] = {{{"signer_certificate", no_thumbprint}},
                                      {{"signer_certificate", short_sha1}},
                                      {{"signer_certificate", bad_serial}},
                                      {{"signer_certificate", "CN=a string"}},
                                      {{"signer_certificate", long_name}},
                                      {{"signer_certificate", control}},
                                      {{"chain", {{"certificate_details", "not a list"}}}},
                                      {{"signer_certificate", certificate('b', "CN=good")}}};
  const Document document = read_ok(report.dump());
  ASSERT_EQ(document.signers.size(), 1u);
  EXPECT_EQ(document.signers[0], signer(kA, CertificateRole::kSigner, 'b', "CN=good"));
  const std::string problems = problem_text(document);
  EXPECT_NE(problems.find("signer certificate: needs sha256"), std::string::npos) << problems;
  EXPECT_NE(problems.find("sha1 is not 40 hex digits"), std::string::npos) << problems;
  EXPECT_NE(problems.find("serial is not hex"), std::string::npos) << problems;
  EXPECT_NE(problems.find("signer certificate: not an object"), std::string::npos) << problems;
  EXPECT_NE(problems.find("over 4096 bytes"), std::string::npos) << problems;
  EXPECT_NE(problems.find("certificate_details is not a list"), std::string::npos) << problems;
  EXPECT_EQ(document.problems.size(), 7u) << problems;
}

TEST(GraphReadScan, JsonLinesRecordsWithAMalformedLine) {
  json head = scan_report();
  head.erase("files");
  head.erase("finished");
  head.erase("summary");
  head["schema"] = "cascade.scan-jsonl/1";
  head["record"] = "scan";
  json file = scan_report()["files"][0];
  file["record"] = "file";
  json second = scan_report()["files"][1];
  second["record"] = "file";
  const std::string text = head.dump() + "\n" + file.dump() + "\n{\"record\": \"file\", \n\n" +
                           second.dump() + "\r\n" +
                           R"({"record":"summary","finished":"2024-05-01T10:05:00Z"})" + "\n";
  const Document document = read_ok(text);
  EXPECT_EQ(document.format, DocumentFormat::kScanReport);
  ASSERT_EQ(document.problems.size(), 1u) << problem_text(document);
  EXPECT_EQ(document.problems[0].line, 3u);
  EXPECT_EQ(document.edges.size(), 2u);
  EXPECT_NE(find_edge(document, EdgeKind::kRanOn, artifact(kB), host("ws01.corp.example")),
            nullptr);
  EXPECT_EQ(document.signals.size(), 3u);
}

TEST(GraphReadScan, RepeatedKeysAreRefusedNotBelieved) {
  // A whole report that repeats a key is refused; so is one JSON Lines record (the others
  // stay), each naming the key: two readers would take two different hosts or digests.
  std::string whole = scan_report().dump();
  whole.insert(1, R"("host":"decoy.example",)");
  const auto refused = read(whole);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAmbiguous);
  EXPECT_NE(refused.error().message.find("\"host\""), std::string::npos) << refused.error().message;

  json head = scan_report();
  head.erase("files");
  head.erase("finished");
  head.erase("summary");
  head["schema"] = "cascade.scan-jsonl/1";
  head["record"] = "scan";
  json file = scan_report()["files"][0];
  file["record"] = "file";
  json second = scan_report()["files"][1];
  second["record"] = "file";
  std::string forged = second.dump();
  forged.insert(1, R"("sha256":")" + kC + R"(",)");
  const Document document = read_ok(head.dump() + "\n" + file.dump() + "\n" + forged + "\n");
  ASSERT_EQ(document.problems.size(), 1u) << problem_text(document);
  EXPECT_EQ(document.problems[0].line, 3u);
  EXPECT_NE(problem_text(document).find("duplicate key"), std::string::npos)
      << problem_text(document);
  for (const auto& edge : document.edges) EXPECT_NE(edge.src, artifact(kC));
}

TEST(GraphReadScan, FileRecordBeforeTheScanRecordIsAProblem) {
  json file = scan_report()["files"][0];
  file["record"] = "file";
  json head = {{"record", "scan"},
               {"schema", "cascade.scan-jsonl/1"},
               {"host", "h"},
               {"started", "2024-05-01T10:00:00Z"}};
  // The first line decides the format: a file record first is not recognised at all.
  EXPECT_FALSE(read(file.dump() + "\n" + head.dump() + "\n"));
  const Document document = read_ok(head.dump() + "\n" + head.dump() + "\n" + file.dump() + "\n");
  ASSERT_EQ(document.problems.size(), 1u);
  EXPECT_EQ(document.problems[0].line, 2u);  // a second scan record
  EXPECT_EQ(document.edges.size(), 1u);
}

TEST(GraphReadScan, WrongTypesAreRefusedOrSkipped) {
  json report = scan_report();
  report["host"] = 5;
  EXPECT_FALSE(read(report.dump()));
  report = scan_report();
  report["files"] = "none";
  EXPECT_FALSE(read(report.dump()));
  report = scan_report();
  report["files"] = {5,
                     {{"path", 7}, {"sha256", 9}},
                     {{"path", "x"}, {"sha256", "abc"}},
                     {{"path", "y"}, {"sha256", kC}, {"findings", "none"}}};
  report["started"] = "yesterday";
  const Document document = read_ok(report.dump());
  EXPECT_EQ(document.problems.size(), 5u) << problem_text(document);
  ASSERT_EQ(document.edges.size(), 1u);
  EXPECT_EQ(document.edges[0].time, std::nullopt);  // started unreadable: no time
}

// ---------------------------------------------------------------------------------------------
// in-toto

json provenance(const std::string& invocation, const std::string& builder) {
  json metadata = {{"startedOn", "2024-04-30T08:00:00Z"}, {"finishedOn", "2024-04-30T08:20:00Z"}};
  if (!invocation.empty()) metadata["invocationId"] = invocation;
  return {{"_type", "https://in-toto.io/Statement/v1"},
          {"subject",
           {{{"name", "app.exe"}, {"digest", {{"sha256", kA}}}},
            {{"name", "app.pdb"}, {"digest", {{"sha512", std::string(128, 'f')}}}}}},
          {"predicateType", "https://slsa.dev/provenance/v1"},
          {"predicate",
           {{"buildDefinition",
             {{"buildType", "https://example.com/build/v1"},
              {"externalParameters", json::object()},
              {"resolvedDependencies",
               {{{"uri", "git+https://example.com/app@v1"}, {"digest", {{"sha256", kC}}}},
                {{"name", "gitonly"}, {"digest", {{"gitCommit", std::string(40, '1')}}}}}}}},
            {"runDetails", {{"builder", {{"id", builder}}}, {"metadata", metadata}}}}}};
}

std::string envelope(const std::string& payload, const std::string& type) {
  return json({{"payload", base64_encode(bytes_of(payload))},
               {"payloadType", type},
               {"signatures", {{{"keyid", "k"}, {"sig", "AAAA"}}}}})
      .dump();
}

std::string sha256_hex(std::string_view text) {
  return to_hex(digest(DigestAlgorithm::kSha256, bytes_of(text)));
}

void expect_provenance_facts(const Document& document, const NodeRef& build_node,
                             const NodeRef& host_node) {
  const EdgeFact* built = find_edge(document, EdgeKind::kBuiltOn, build_node, host_node);
  ASSERT_NE(built, nullptr);
  EXPECT_EQ(built->time, at("2024-04-30T08:00:00Z"));
  EXPECT_EQ(built->until, at("2024-04-30T08:20:00Z"));
  const EdgeFact* consumed = find_edge(document, EdgeKind::kConsumed, build_node, artifact(kC));
  ASSERT_NE(consumed, nullptr);
  EXPECT_EQ(consumed->time, at("2024-04-30T08:00:00Z"));
  const EdgeFact* produced = find_edge(document, EdgeKind::kProduced, build_node, artifact(kA));
  ASSERT_NE(produced, nullptr);
  EXPECT_EQ(produced->time, at("2024-04-30T08:20:00Z"));
  EXPECT_EQ(document.edges.size(), 3u);  // no sha512-only subject, no gitCommit-only material
  EXPECT_TRUE(has_name(document, artifact(kA), "app.exe"));
  EXPECT_TRUE(has_name(document, artifact(kC), "git+https://example.com/app@v1"));
}

TEST(GraphReadInToto, RawStatement) {
  const std::string statement =
      provenance("run-42", "https://build01.example.com/runners/7").dump();
  const Document document = read_ok(statement);
  EXPECT_EQ(document.format, DocumentFormat::kInToto);
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  expect_provenance_facts(document, build("run-42"), host("build01.example.com"));
}

TEST(GraphReadInToto, DsseEnvelopeWithoutInvocationIdNamesTheBuildByPayloadDigest) {
  const std::string payload = provenance("", "https://build01.example.com/x").dump();
  const Document document = read_ok(envelope(payload, "application/vnd.in-toto+json"));
  EXPECT_EQ(document.format, DocumentFormat::kInToto);
  expect_provenance_facts(document, build(sha256_hex(payload)), host("build01.example.com"));
}

TEST(GraphReadInToto, SigstoreBundle) {
  const std::string payload = provenance("sig-1", "https://ci.example.org").dump();
  const std::string bundle =
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},)"
      R"("dsseEnvelope":)" +
      envelope(payload, "application/vnd.in-toto+json") + "}";
  const Document document = read_ok(bundle);
  expect_provenance_facts(document, build("sig-1"), host("ci.example.org"));
}

TEST(GraphReadInToto, JsonLinesBundleKeepsGoodLinesAndReportsBadOnes) {
  const std::string first = envelope(provenance("b1", "https://build01.example.com/x").dump(),
                                     "application/vnd.in-toto+json");
  const std::string other_type = envelope("{}", "application/vnd.cyclonedx+json");
  const std::string sigstore =
      R"({"dsseEnvelope":)" +
      envelope(provenance("b2", "runner-7").dump(), "application/vnd.in-toto+json") + "}";
  const std::string text = first + "\n" + other_type + "\n{broken\n" + sigstore + "\n" +
                           R"({"payload":"!!","payloadType":"x","signatures":[{"sig":"AA"}]})" +
                           "\n";
  const Document document = read_ok(text);
  ASSERT_EQ(document.problems.size(), 2u) << problem_text(document);
  EXPECT_EQ(document.problems[0].line, 3u);
  EXPECT_EQ(document.problems[1].line, 5u);
  EXPECT_EQ(document.edges.size(), 6u);
  EXPECT_NE(find_edge(document, EdgeKind::kBuiltOn, build("b1"), host("build01.example.com")),
            nullptr);
  EXPECT_NE(find_edge(document, EdgeKind::kProduced, build("b2"), artifact(kA)), nullptr);
  // A builder id that is not a URI is the host's whole name.
  EXPECT_NE(find_edge(document, EdgeKind::kBuiltOn, build("b2"), host("runner-7")), nullptr);
}

TEST(GraphReadInToto, InTotoLinkGivesMaterialsAndProductsWithoutAHost) {
  const json link = {
      {"signatures", {{{"keyid", "abc"}, {"sig", "00"}}}},
      {"signed",
       {{"_type", "link"},
        {"name", "compile"},
        {"command", {"make"}},
        {"materials", {{"src/main.c", {{"sha256", kC}}}}},
        {"products", {{"bin/app", {{"sha256", kUpperE}}}, {"bin/app.map", json::object()}}},
        {"byproducts", json::object()},
        {"environment", json::object()}}}};
  const Document document = read_ok(link.dump(2));
  EXPECT_EQ(document.format, DocumentFormat::kInToto);
  ASSERT_EQ(document.edges.size(), 2u) << problem_text(document);
  const NodeRef build_node = document.edges[0].src;
  EXPECT_EQ(build_node.kind, NodeKind::kBuild);
  EXPECT_EQ(build_node.key.size(), 64u);  // the SHA-256 of the signed part
  EXPECT_NE(find_edge(document, EdgeKind::kConsumed, build_node, artifact(kC)), nullptr);
  EXPECT_NE(find_edge(document, EdgeKind::kProduced, build_node, artifact(kE)), nullptr);
  EXPECT_TRUE(has_name(document, artifact(kE), "bin/app"));
  // The same link re-serialised is the same build.
  const Document again = read_ok(link.dump());
  EXPECT_EQ(again.edges[0].src, build_node);
}

TEST(GraphReadInToto, BuilderHostPart) {
  EXPECT_EQ(builder_host("https://build01.example.com/x"), "build01.example.com");
  EXPECT_EQ(builder_host("https://build01.example.com"), "build01.example.com");
  EXPECT_EQ(builder_host("https://ci@build02.example.com:8443/a?b#c"), "build02.example.com");
  EXPECT_EQ(builder_host("https://[2001:db8::1]:8080/x"), "2001:db8::1");
  EXPECT_EQ(builder_host("github-runner-7"), "github-runner-7");
  EXPECT_EQ(builder_host("urn:example:builder"), "urn:example:builder");
  EXPECT_EQ(builder_host("file:///opt/builder"), "file:///opt/builder");
  EXPECT_EQ(builder_host("1https://x/y"), "1https://x/y");
}

TEST(GraphReadInToto, DocumentsWithoutABuildClaimAreRefused) {
  json sbom_statement = provenance("x", "https://b/");
  sbom_statement["predicateType"] = "https://cyclonedx.org/bom";
  auto result = read(sbom_statement.dump());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(read(envelope("{}", "text/plain")));
  EXPECT_FALSE(read(R"({"payload":"%%%","payloadType":"application/vnd.in-toto+json",)"
                    R"("signatures":[{"sig":"AA"}]})"));
  EXPECT_FALSE(read(envelope("[[[[", "application/vnd.in-toto+json")));
  EXPECT_FALSE(read(R"({"signed": 5, "signatures": []})"));
  // A payload nested too deep for the DOM is refused before it is parsed.
  EXPECT_FALSE(read(envelope(std::string(100000, '['), "application/vnd.in-toto+json")));
}

TEST(GraphReadInToto, UnusableBuilderIdSkipsOnlyTheBuiltOnEdge) {
  const Document document = read_ok(provenance("b9", std::string("https://bad\x01host/x")).dump());
  EXPECT_EQ(document.problems.size(), 1u);
  EXPECT_EQ(document.edges.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// CycloneDX

json cyclonedx() {
  return json::parse(R"({"bomFormat":"CycloneDX","specVersion":"1.6",
    "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
    "metadata":{"timestamp":"2024-05-01T12:00:00Z","tools":{"components":[]},
      "component":{"type":"application","bom-ref":"app","name":"acme-app","version":"2.3.1",
        "hashes":[{"alg":"SHA-256","content":")" +
                     kD + R"("}]}},
    "components":[
      {"type":"library","bom-ref":"libfoo","name":"libfoo","version":"1.0",
       "hashes":[{"alg":"SHA-1","content":")" +
                     std::string(40, '9') + R"("},
                 {"alg":"SHA-256","content":")" +
                     kUpperE + R"("}],
       "components":[{"type":"file","bom-ref":"libfoo/so","name":"libfoo.so.1",
                      "hashes":[{"alg":"SHA-256","content":")" +
                     kB + R"("}],
                      "components":[{"type":"file","name":"deep.dat",
                        "hashes":[{"alg":"SHA-256","content":")" +
                     kC + R"("}]}]}]},
      {"type":"library","name":"nohash","version":"3"},
      {"type":"library","name":"shorthash","hashes":[{"alg":"SHA-256","content":"abcd"}]}],
    "dependencies":[{"ref":"app","dependsOn":["libfoo"]}]})");
}

TEST(GraphReadCycloneDx, NestedComponentsAreContainedByTheRelease) {
  const Document document = read_ok(cyclonedx().dump());
  EXPECT_EQ(document.format, DocumentFormat::kCycloneDx);
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  const NodeRef product = release("acme-app@2.3.1");
  ASSERT_EQ(document.edges.size(), 4u);  // the product, libfoo, libfoo.so.1, deep.dat
  for (const auto& hex : {kD, kE, kB, kC}) {
    const EdgeFact* contains = find_edge(document, EdgeKind::kContains, product, artifact(hex));
    ASSERT_NE(contains, nullptr) << hex;
    // A release holds its content from its creation: the SBOM's timestamp is not the time.
    EXPECT_EQ(contains->time, std::nullopt);
  }
  EXPECT_TRUE(has_name(document, artifact(kE), "libfoo"));  // upper-case hex lower-cased
  EXPECT_TRUE(has_name(document, artifact(kC), "deep.dat"));
  EXPECT_TRUE(has_name(document, artifact(kD), "acme-app"));
}

TEST(GraphReadCycloneDx, NestingPastTheCapIsCountedAsOneProblem) {
  // 70 levels, each component with its own digest: levels 1..64 are read, 65..70 counted.
  json innermost = json::array();
  for (int level = 70; level >= 1; --level) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", static_cast<unsigned>(level));
    json component = {{"type", "library"},
                      {"name", "level" + std::to_string(level)},
                      {"hashes", {{{"alg", "SHA-256"}, {"content", hex}}}}};
    if (!innermost.empty()) component["components"] = innermost;
    innermost = json::array({component});
  }
  json bom = cyclonedx();
  bom["metadata"]["component"].erase("hashes");
  bom["components"] = innermost;
  bom.erase("dependencies");  // libfoo is gone
  const Document document = read_ok(bom.dump());
  EXPECT_EQ(document.edges.size(), 64u);
  ASSERT_EQ(document.problems.size(), 1u);
  EXPECT_NE(document.problems[0].message.find("6 components nested deeper than 64"),
            std::string::npos)
      << document.problems[0].message;
}

TEST(GraphReadCycloneDx, WrongTypesAreRefusedOrSkipped) {
  json bom = cyclonedx();
  bom["metadata"] = "x";
  EXPECT_FALSE(read(bom.dump()));
  bom = cyclonedx();
  bom["metadata"]["component"].erase("version");
  EXPECT_FALSE(read(bom.dump()));
  bom = cyclonedx();
  bom["components"] = {{"a", 1}};
  EXPECT_FALSE(read(bom.dump()));
  bom = cyclonedx();
  bom["components"] = {
      5, "x", {{"name", 5}, {"hashes", "no"}}, {{"hashes", {{{"alg", 1}, {"content", kA}}, 7}}}};
  bom["metadata"]["timestamp"] = 12;
  const Document document = read_ok(bom.dump());
  EXPECT_EQ(document.problems.size(), 3u) << problem_text(document);  // two entries, the time
  ASSERT_EQ(document.edges.size(), 1u);                               // the product's own digest
  EXPECT_EQ(document.edges[0].time, std::nullopt);
}

TEST(GraphReadCycloneDx, ReleaseWithoutContentsIsStillANode) {
  json bom = cyclonedx();
  bom["metadata"]["component"].erase("hashes");
  bom.erase("components");
  bom.erase("dependencies");
  const Document document = read_ok(bom.dump());
  EXPECT_TRUE(document.edges.empty());
  ASSERT_EQ(document.nodes.size(), 1u);
  EXPECT_EQ(document.nodes[0], release("acme-app@2.3.1"));
  // Nothing with an identity: said, never a silent success.
  ASSERT_EQ(document.problems.size(), 1u) << problem_text(document);
  EXPECT_NE(document.problems[0].message.find("nothing could be read"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// SPDX

json spdx() {
  return json::parse(
      R"({"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT",
    "name":"acme-app-2.3.1","documentNamespace":"https://example.invalid/spdx/acme-app-2.3.1-0001",
    "creationInfo":{"created":"2024-05-01T12:00:00Z","creators":["Tool: cascade-testgen-1"]},
    "packages":[
      {"SPDXID":"SPDXRef-Package-app","name":"acme-app","versionInfo":"2.3.1",
       "downloadLocation":"NOASSERTION","filesAnalyzed":true,"hasFiles":["SPDXRef-File-1"]},
      {"SPDXID":"SPDXRef-Package-libfoo","name":"libfoo","versionInfo":"1.0",
       "downloadLocation":"NOASSERTION","filesAnalyzed":false,
       "checksums":[{"algorithm":"SHA256","checksumValue":")" +
      kUpperE + R"("}]},
      {"SPDXID":"SPDXRef-Package-sha1","name":"old","downloadLocation":"NOASSERTION",
       "checksums":[{"algorithm":"SHA1","checksumValue":")" +
      std::string(40, '2') + R"("}]}],
    "files":[{"SPDXID":"SPDXRef-File-1","fileName":"./bin/acme",
      "checksums":[{"algorithm":"SHA1","checksumValue":")" +
      std::string(40, '3') + R"("},
                   {"algorithm":"SHA256","checksumValue":")" +
      kB + R"("}]}],
    "relationships":[
      {"spdxElementId":"SPDXRef-Package-app","relationshipType":"CONTAINS",
       "relatedSpdxElement":"SPDXRef-File-1"},
      {"spdxElementId":"SPDXRef-Package-app","relationshipType":"DEPENDS_ON",
       "relatedSpdxElement":"SPDXRef-Package-libfoo"}]})");
}

void expect_spdx_facts(const Document& document) {
  EXPECT_EQ(document.format, DocumentFormat::kSpdx);
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  const NodeRef product = release("acme-app@2.3.1");
  // The file and libfoo by their SHA-256 (the file's SHA-1 beside it is not kept), and the
  // package known only by a SHA-1, recorded as such.
  ASSERT_EQ(document.edges.size(), 3u);
  const EdgeFact* file = find_edge(document, EdgeKind::kContains, product, artifact(kB));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->time, std::nullopt);
  EXPECT_NE(find_edge(document, EdgeKind::kContains, product, artifact(kE)), nullptr);
  const NodeRef weak{NodeKind::kArtifact, "sha1:" + std::string(40, '2')};
  EXPECT_NE(find_edge(document, EdgeKind::kContains, product, weak), nullptr);
  EXPECT_TRUE(has_name(document, artifact(kB), "./bin/acme"));
  EXPECT_TRUE(has_name(document, artifact(kE), "libfoo"));
}

TEST(GraphReadSpdx, DocumentDescribes) {
  json document = spdx();
  document["documentDescribes"] = {"SPDXRef-Package-app"};
  expect_spdx_facts(read_ok(document.dump()));
}

TEST(GraphReadSpdx, DescribesRelationship) {
  json document = spdx();
  document["relationships"].push_back({{"spdxElementId", "SPDXRef-DOCUMENT"},
                                       {"relationshipType", "DESCRIBES"},
                                       {"relatedSpdxElement", "SPDXRef-Package-app"}});
  expect_spdx_facts(read_ok(document.dump()));
}

TEST(GraphReadSpdx, DescribedByRelationship) {
  json document = spdx();
  document["relationships"].push_back({{"spdxElementId", "SPDXRef-Package-app"},
                                       {"relationshipType", "DESCRIBED_BY"},
                                       {"relatedSpdxElement", "SPDXRef-DOCUMENT"}});
  expect_spdx_facts(read_ok(document.dump()));
}

TEST(GraphReadSpdx, NoDescribedPackageIsRefused) {
  auto result = read(spdx().dump());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kMalformed);
  json document = spdx();
  document["documentDescribes"] = {"SPDXRef-File-1", "SPDXRef-Package-sha1"};  // no versionInfo
  EXPECT_FALSE(read(document.dump()));
}

TEST(GraphReadSpdx, WrongTypesAreRefusedOrSkipped) {
  json document = spdx();
  document["documentDescribes"] = {"SPDXRef-Package-app"};
  document["packages"] = "x";
  EXPECT_FALSE(read(document.dump()));
  document = spdx();
  document["documentDescribes"] = {"SPDXRef-Package-app", 5};
  document["files"].push_back(5);
  document["files"].push_back({{"fileName", 3}, {"checksums", {{{"algorithm", "SHA256"}}}}});
  document["relationships"].push_back({{"spdxElementId", 1}});
  const Document read_back = read_ok(document.dump());
  EXPECT_EQ(read_back.problems.size(), 3u) << problem_text(read_back);
  EXPECT_EQ(read_back.edges.size(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Events

TEST(GraphReadEvents, EveryEventKind) {
  const std::string text =
      R"({"event":"ran-on","artifact":")" + kUpperE +
      R"(","host":"ws01","time":"2024-05-02T09:00:00Z","name":"C:/x.exe"})"
      "\n"
      R"({"event":"ran-on","artifact":"sha256:)" +
      kA +
      R"(","host":"ws02","time":"2024-05-02T09:30:00+02:00"})"
      "\n"
      R"({"event":"access","from":"ws01","to":"db01","time":"2024-05-02T10:00:00Z","until":"2024-05-03T10:00:00Z","via":"rdp"})"
      "\n"
      R"({"event":"access","from":"ws01","to":"fs01","time":"2024-05-02T10:00:00Z","extra":{"a":[1]}})"
      "\n"
      R"({"event":"deployed-on","release":"acme-app@2.3.1","host":"srv01","time":"2024-05-04T00:00:00Z"})"
      "\n"
      R"({"event":"owned-by","host":"ws01","org":"Acme Corp"})"
      "\n";
  const Document document = read_ok(text);
  EXPECT_EQ(document.format, DocumentFormat::kEvents);
  EXPECT_TRUE(document.problems.empty()) << problem_text(document);
  ASSERT_EQ(document.edges.size(), 6u);
  const EdgeFact* ran = find_edge(document, EdgeKind::kRanOn, artifact(kE), host("ws01"));
  ASSERT_NE(ran, nullptr);
  EXPECT_EQ(ran->time, at("2024-05-02T09:00:00Z"));
  EXPECT_TRUE(has_name(document, artifact(kE), "C:/x.exe"));
  const EdgeFact* ran2 = find_edge(document, EdgeKind::kRanOn, artifact(kA), host("ws02"));
  ASSERT_NE(ran2, nullptr);
  EXPECT_EQ(ran2->time, at("2024-05-02T07:30:00Z"));
  const EdgeFact* rdp = find_edge(document, EdgeKind::kAccess, host("ws01"), host("db01"));
  ASSERT_NE(rdp, nullptr);
  EXPECT_EQ(rdp->time, at("2024-05-02T10:00:00Z"));
  EXPECT_EQ(rdp->until, at("2024-05-03T10:00:00Z"));
  EXPECT_EQ(rdp->note, "rdp");
  const EdgeFact* open = find_edge(document, EdgeKind::kAccess, host("ws01"), host("fs01"));
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->until, std::nullopt);
  const EdgeFact* deployed =
      find_edge(document, EdgeKind::kDeployedOn, release("acme-app@2.3.1"), host("srv01"));
  ASSERT_NE(deployed, nullptr);
  EXPECT_EQ(deployed->time, at("2024-05-04T00:00:00Z"));
  const EdgeFact* owned =
      find_edge(document, EdgeKind::kOwnedBy, host("ws01"), NodeRef{NodeKind::kOrg, "Acme Corp"});
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(owned->time, std::nullopt);
}

TEST(GraphReadEvents, MalformedLinesAreReportedWithTheirNumbersAndSkipped) {
  const std::string good = R"({"event":"ran-on","artifact":")" + kA +
                           R"(","host":"ws01","time":"2024-05-02T09:00:00Z"})";
  const std::vector<std::string> lines = {
      good,                                    // 1
      "",                                      // 2 blank
      "{not json",                             // 3
      R"({"event":"teleported","host":"x"})",  // 4
      R"({"event":"ran-on","artifact":")" + kA + R"(","host":"h","time":"2024-13-02T00:00:00Z"})",
      R"({"event":"ran-on","artifact":"abc","host":"h","time":"2024-05-02T09:00:00Z"})",  // 6
      R"({"event":"owned-by","host":7,"org":"o"})",                                       // 7
      R"({"event":"deployed-on","release":"nover","host":"h","time":"2024-05-02T09:00:00Z"})",
      R"({"event":"access","from":"a","to":"b"})",  // 9
      R"({"event":"access","from":"a","to":"b","time":"2024-05-02T09:00:00Z","until":"2024-05-01T09:00:00Z"})",
      R"(["event","ran-on"])",  // 11
      R"({"host":"h"})",        // 12
      R"({"event":"owned-by","host":"bad)"
      "\\u0001"
      R"(","org":"o"})",                                // 13
      R"({"event":"owned-by","host":"h2","org":"o"})",  // 14
  };
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  const Document document = read_ok(text);
  std::vector<std::size_t> numbers;
  for (const auto& problem : document.problems) numbers.push_back(problem.line);
  EXPECT_EQ(numbers, (std::vector<std::size_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}))
      << problem_text(document);
  ASSERT_EQ(document.edges.size(), 2u);
  EXPECT_NE(find_edge(document, EdgeKind::kRanOn, artifact(kA), host("ws01")), nullptr);
  EXPECT_NE(find_edge(document, EdgeKind::kOwnedBy, host("h2"), NodeRef{NodeKind::kOrg, "o"}),
            nullptr);
  EXPECT_NE(document.problems[1].message.find("teleported"), std::string::npos);
  EXPECT_NE(document.problems[4].message.find("host is not a string"), std::string::npos);
  EXPECT_NE(document.problems[6].message.find("time is missing"), std::string::npos);
}

TEST(GraphReadEvents, OneLineFileIsRecognised) {
  const Document document = read_ok(R"({"event":"owned-by","host":"h","org":"o"})");
  EXPECT_EQ(document.format, DocumentFormat::kEvents);
  EXPECT_EQ(document.edges.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Caps

TEST(GraphReadCaps, DefaultsAreTheDocumentedOnes) {
  const ReadLimits limits;
  EXPECT_EQ(limits.max_document_bytes, std::size_t{256} * 1024 * 1024);
  EXPECT_EQ(limits.max_facts, 10'000'000u);
  EXPECT_EQ(limits.max_component_depth, 64u);
}

TEST(GraphReadCaps, DocumentSizeIsCheckedBeforeParsing) {
  ReadLimits limits;
  limits.max_document_bytes = 16;
  const std::string text = R"({"event":"owned-by","host":"h","org":"o"})";
  auto result = read_document_with_limits(bytes_of(text), "big", limits);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kLimit);
}

TEST(GraphReadCaps, FactCapRefusesTheDocument) {
  ReadLimits limits;
  limits.max_facts = 3;
  std::string text;
  for (int i = 0; i < 5; ++i) {
    text += R"({"event":"owned-by","host":"h)" + std::to_string(i) +
            R"(","org":"o"})"
            "\n";
  }
  auto result = read_document_with_limits(bytes_of(text), "many", limits);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kLimit);
  limits.max_facts = 5;
  EXPECT_TRUE(read_document_with_limits(bytes_of(text), "many", limits));
  // Names count too: a scan report of two files is four facts.
  limits.max_facts = 3;
  EXPECT_FALSE(read_document_with_limits(bytes_of(scan_report().dump()), "scan", limits));
}

TEST(GraphReadCaps, ProblemsBeyondTheCapAreCounted) {
  ReadLimits limits;
  limits.max_problems = 2;
  const std::string text = "{\"event\":1}\n{\"event\":2}\n{\"event\":3}\n{\"event\":4}\n";
  auto result = read_document_with_limits(bytes_of(text), "bad", limits);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->problems.size(), 3u);
  EXPECT_EQ(result->problems[1].line, 2u);
  EXPECT_NE(result->problems[2].message.find("2 more"), std::string::npos);
}

TEST(GraphReadCaps, DeepJsonIsRefusedWithoutACrash) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(read(deep));
  const std::string deep_object =
      R"({"schema":"cascade.scan/1","x":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_FALSE(read(deep_object));
  // In events, only the deep line is lost.
  const std::string text = R"({"event":"owned-by","host":"h","org":"o"})"
                           "\n"
                           R"({"event":"owned-by","x":)" +
                           std::string(1000, '[') + std::string(1000, ']') + "}\n";
  const Document document = read_ok(text);
  ASSERT_EQ(document.problems.size(), 1u);
  EXPECT_EQ(document.problems[0].line, 2u);
  EXPECT_EQ(document.edges.size(), 1u);
}

TEST(GraphReadCaps, DepthScanSkipsBracketsInStrings) {
  EXPECT_TRUE(json_depth_within(R"({"a":"[[[[[[\"[[["})", 1));
  EXPECT_FALSE(json_depth_within(R"({"a":[[1]]})", 2));
  EXPECT_TRUE(json_depth_within(R"({"a":[[1]]})", 3));
}

// ---------------------------------------------------------------------------------------------
// Refusals and the document itself

TEST(GraphReadRefuses, NonJsonAndUnknownDocuments) {
  for (const std::string& text :
       {std::string(), std::string("   \n\n"), std::string("hello"), std::string("[1,2]"),
        std::string("{\"foo\":1}"), std::string("{\"foo\":1}\n{\"bar\":2}\n"), std::string("\"s\""),
        std::string("\x00\x01\x02\xff", 4), std::string("{\"schema\":\"cascade.scan/2\"}"),
        std::string("{\"spdxVersion\":\"SPDX-3.0\"}"), std::string("{\"event\"")}) {
    auto result = read(text);
    EXPECT_FALSE(result) << text;
  }
}

TEST(GraphReadRefuses, WrongTypesAtTheTopDoNotCrash) {
  for (const std::string text : {
           R"({"schema":"cascade.scan/1","host":["h"],"files":{}})",
           R"({"schema":"cascade.scan/1","host":"h","files":[{"sha256":[]}]})",
           R"({"bomFormat":"CycloneDX","metadata":{"component":[]}})",
           R"({"bomFormat":"CycloneDX","metadata":{"component":{"name":1,"version":{}}}})",
           R"({"spdxVersion":"SPDX-2.3","documentDescribes":"x","relationships":{}})",
           R"({"payloadType":5,"payload":[],"signatures":"x"})",
           R"({"dsseEnvelope":[]})",
           R"({"_type":"link","name":[],"materials":[],"products":5})",
           R"({"_type":"https://in-toto.io/Statement/v1","subject":"x","predicate":[]})",
           R"({"event":null})",
           "{\"schema\":\"cascade.scan-jsonl/1\",\"record\":\"scan\",\"host\":1}\n{}\n",
       }) {
    auto result = read(text);
    if (result) {
      EXPECT_TRUE(result->edges.empty()) << text;
    }
  }
}

TEST(GraphReadDocument, FormatNames) {
  EXPECT_EQ(document_format_name(DocumentFormat::kScanReport), "scan");
  EXPECT_EQ(document_format_name(DocumentFormat::kInToto), "in-toto");
  EXPECT_EQ(document_format_name(DocumentFormat::kCycloneDx), "cyclonedx");
  EXPECT_EQ(document_format_name(DocumentFormat::kSpdx), "spdx");
  EXPECT_EQ(document_format_name(DocumentFormat::kEvents), "events");
}

TEST(GraphReadDocument, DeduplicateSortsAndDropsRepeats) {
  const std::string line = R"({"event":"ran-on","artifact":")" + kA +
                           R"(","host":"h","time":"2024-05-02T09:00:00Z","name":"x"})";
  const std::string other = R"({"event":"ran-on","artifact":")" + kB +
                            R"(","host":"h","time":"2024-05-02T09:00:00Z","name":"x"})";
  Document document = read_ok(other + "\n" + line + "\n" + line + "\nbad\n");
  EXPECT_EQ(document.edges.size(), 3u);
  document.deduplicate();
  ASSERT_EQ(document.edges.size(), 2u);
  EXPECT_EQ(document.edges[0].src, artifact(kA));
  EXPECT_EQ(document.names.size(), 2u);
  EXPECT_EQ(document.problems.size(), 1u);
}

}  // namespace
}  // namespace cascade::graph
