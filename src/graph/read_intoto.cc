// in-toto as graph facts: Statements (v1, v0.1) with SLSA Provenance, bare or in a DSSE envelope,
// one envelope a line (.intoto.jsonl), inside a Sigstore bundle, and in-toto links. Signatures
// are NOT checked here: ingest records what documents claim; `cascade verify` checks who
// signed them.
#include "core/digest.h"
#include "graph/readers.h"
#include "provenance/canonical_json.h"
#include "provenance/dsse.h"
#include "provenance/statement.h"

namespace cascade::graph {
namespace {

using nlohmann::json;
namespace pv = cascade::provenance;

// What one envelope, link or statement gave.
struct EntryOutcome {
  bool ignored = false;  // a valid document that claims no build (another payload type, ...)
  bool cap = false;      // the fact cap was reached
  std::string problem;   // why the entry was skipped, when it was
};

EntryOutcome problem(std::string message) {
  EntryOutcome outcome;
  outcome.problem = std::move(message);
  return outcome;
}

std::string sha256_hex(std::string_view bytes) {
  return to_hex(digest(DigestAlgorithm::kSha256,
                       Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
}

std::optional<std::int64_t> seconds(std::optional<std::time_t> time) {
  if (!time) return std::nullopt;
  return static_cast<std::int64_t>(*time);
}

// The facts of one build. `key_source` names the build (by its SHA-256) when the record carries
// no invocation id: the statement payload, or a link's canonical signed part.
EntryOutcome add_build(const pv::BuildRecord& record, std::string_view key_source, std::size_t line,
                       FactCollector& out) {
  EntryOutcome outcome;
  auto build = make_node(NodeKind::kBuild, record.invocation_id.empty()
                                               ? sha256_hex(key_source)
                                               : std::string_view(record.invocation_id));
  if (!build) return problem("build invocation id: " + build.error().message);
  const std::size_t edges_before = out.document().edges.size();
  const auto started = seconds(record.started);
  const auto finished = seconds(record.finished);
  // A link names a step ("in-toto:<step>"), not a machine: it gives no built-on edge.
  if (record.kind != pv::RecordKind::kInTotoLink && !record.builder_id.empty()) {
    auto host = make_node(NodeKind::kHost, builder_host(record.builder_id));
    if (!host) {
      out.problem(line, "builder id: " + host.error().message + "; no built-on edge");
    } else if (!out.add_edge({.kind = EdgeKind::kBuiltOn,
                              .src = *build,
                              .dst = *host,
                              .time = started,
                              .until = finished})) {
      outcome.cap = true;
      return outcome;
    }
  }
  for (const auto& material : record.materials) {
    const auto sha256 = material.digest.find("sha256");
    if (sha256 == material.digest.end()) continue;
    auto artifact = make_node(NodeKind::kArtifact, sha256->second);
    if (!artifact) continue;  // a material pinned by another digest form: nothing to link
    const std::string& name = material.name.empty() ? material.uri : material.name;
    if (!out.add_edge(
            {.kind = EdgeKind::kConsumed, .src = *build, .dst = *artifact, .time = started}) ||
        !out.add_name(*artifact, name)) {
      outcome.cap = true;
      return outcome;
    }
  }
  for (const auto& subject : record.subjects) {
    auto artifact = make_node(NodeKind::kArtifact, subject.sha256);
    if (!artifact) continue;
    if (!out.add_edge(
            {EdgeKind::kProduced, *build, *artifact, seconds(record.time()), std::nullopt, ""}) ||
        !out.add_name(*artifact, subject.name)) {
      outcome.cap = true;
      return outcome;
    }
  }
  if (out.document().edges.size() == edges_before && !out.add_node(*build)) outcome.cap = true;
  return outcome;
}

EntryOutcome read_statement(std::string_view payload, std::size_t line, FactCollector& out) {
  // The payload was base64 inside the envelope, so its nesting was not checked yet.
  if (!json_depth_within(payload, out.limits().max_json_depth)) {
    return problem("statement nests deeper than " + std::to_string(out.limits().max_json_depth) +
                   " levels");
  }
  auto record = pv::parse_statement(
      Bytes(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
  if (!record) return problem("statement: " + record.error().message);
  if (!record->is_build()) {
    EntryOutcome outcome;
    outcome.ignored = true;  // an SBOM, test result, ... attestation: not about a build
    return outcome;
  }
  return add_build(*record, payload, line, out);
}

EntryOutcome read_link(const json& signed_part, std::string_view raw, std::size_t line,
                       FactCollector& out) {
  auto record = pv::parse_link(signed_part);
  if (!record) return problem("in-toto link: " + record.error().message);
  // The canonical form names the build, so the same link signed twice is one build.
  auto canonical = pv::canonical_json(signed_part);
  return add_build(*record, canonical ? std::string_view(*canonical) : raw, line, out);
}

EntryOutcome read_entry(const json& entry, std::string_view raw, std::size_t line,
                        FactCollector& out) {
  if (!entry.is_object()) return problem("not a JSON object");
  const json* envelope = entry.contains("payloadType") ? &entry : field(entry, "dsseEnvelope");
  if (envelope != nullptr) {
    auto parsed = pv::parse_envelope(*envelope);
    if (!parsed) return problem("DSSE envelope: " + parsed.error().message);
    if (parsed->payload_type != pv::kInTotoPayloadType) {
      EntryOutcome outcome;
      outcome.ignored = true;  // bundles may carry other payloads: not ours
      return outcome;
    }
    const std::string_view payload(reinterpret_cast<const char*>(parsed->payload.data()),
                                   parsed->payload.size());
    return read_statement(payload, line, out);
  }
  if (entry.contains("signed") && entry.contains("signatures")) {
    const json* signed_part = field(entry, "signed");
    if (!signed_part->is_object()) return problem("in-toto link: signed is not an object");
    return read_link(*signed_part, raw, line, out);
  }
  const std::string* type = string_field(entry, "_type");
  if (type != nullptr && *type == "link") return read_link(entry, raw, line, out);
  if (type != nullptr && type->starts_with("https://in-toto.io/Statement/")) {
    return read_statement(raw, line, out);
  }
  return problem("neither a DSSE envelope, a Sigstore bundle, an in-toto link nor a Statement");
}

}  // namespace

Result<Document> read_intoto_document(const json& parsed, std::string_view text,
                                      const ReadLimits& limits) {
  FactCollector out(DocumentFormat::kInToto, limits);
  const EntryOutcome outcome = read_entry(parsed, text, 0, out);
  if (!outcome.problem.empty()) return make_error(ErrorCode::kMalformed, outcome.problem);
  if (outcome.ignored) {
    return make_error(ErrorCode::kUnsupported,
                      "the in-toto document makes no build claim (another payload type or "
                      "predicate)");
  }
  return std::move(out).finish();
}

Result<Document> read_intoto_lines(std::string_view text, const ReadLimits& limits) {
  FactCollector out(DocumentFormat::kInToto, limits);
  std::size_t ignored = 0;
  std::size_t read = 0;
  for_each_line(text, [&](std::size_t line, std::string_view line_text) {
    const auto entry = parse_json(line_text, limits);
    if (!entry) {
      out.problem(line,
                  entry.error().code == ErrorCode::kAmbiguous ? entry.error().message : "not JSON");
      return true;
    }
    const EntryOutcome outcome = read_entry(*entry, line_text, line, out);
    if (!outcome.problem.empty()) out.problem(line, outcome.problem);
    if (outcome.ignored) ++ignored;
    if (outcome.problem.empty() && !outcome.ignored) ++read;
    return !outcome.cap;
  });
  if (read == 0 && !out.has_problems() && ignored > 0) {
    return make_error(ErrorCode::kUnsupported, "no line of the bundle makes a build claim (" +
                                                   std::to_string(ignored) +
                                                   " of other payload types or predicates)");
  }
  return std::move(out).finish();
}

}  // namespace cascade::graph
