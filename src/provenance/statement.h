// What a build claims, whichever standard document claimed it: an in-toto Statement (v1 or
// v0.1) with an SLSA Provenance predicate (v1 or v0.2), or an in-toto link (`_type: link`,
// in-toto 0.9 / Debian's in-toto 1.3). verify and graph ingest read only this model.
#pragma once

#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::provenance {

inline constexpr std::string_view kStatementV1 = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kStatementV01 = "https://in-toto.io/Statement/v0.1";
inline constexpr std::string_view kSlsaProvenanceV1 = "https://slsa.dev/provenance/v1";
inline constexpr std::string_view kSlsaProvenanceV02 = "https://slsa.dev/provenance/v0.2";

// A digest set as in-toto writes it: algorithm name ("sha256", "gitCommit", ...) to lower-case
// hex.
using DigestSet = std::map<std::string, std::string>;

struct Subject {
  std::string name;
  std::string sha256;  // lower-case hex; subjects without one are dropped (counted)
};

struct Material {
  std::string name;
  std::string uri;
  DigestSet digest;
};

// Which standard document made the claim.
enum class RecordKind {
  kSlsaProvenanceVersion1,
  kSlsaProvenanceVersion02,
  kInTotoLink,
  kStatement,  // an in-toto Statement with another predicate: not a build
};
constexpr std::string_view record_kind_name(RecordKind kind) {
  switch (kind) {
    case RecordKind::kSlsaProvenanceVersion1:
      return "slsa-provenance-v1";
    case RecordKind::kSlsaProvenanceVersion02:
      return "slsa-provenance-v0.2";
    case RecordKind::kInTotoLink:
      return "in-toto-link";
    case RecordKind::kStatement:
      return "statement";
  }
  return "statement";
}

struct BuildRecord {
  RecordKind kind = RecordKind::kSlsaProvenanceVersion1;
  std::string predicate_type;
  std::string builder_id;  // links: "in-toto:<step name>"
  std::string build_type;
  std::string invocation_id;
  std::optional<std::time_t> started;
  std::optional<std::time_t> finished;
  std::vector<Subject> subjects;
  std::vector<Material> materials;
  std::size_t subjects_without_sha256 = 0;

  // Whether this record says how something was built (a provenance predicate or a link), as
  // opposed to another statement about the subjects (an SBOM, a test result, ...).
  bool is_build() const { return kind != RecordKind::kStatement; }
  // The latest time the record names: finished, else started.
  std::optional<std::time_t> time() const { return finished ? finished : started; }
};

// Parses an in-toto Statement payload (the bytes a DSSE envelope carried). A payload that
// repeats a key anywhere is refused with ErrorCode::kAmbiguous.
Result<BuildRecord> parse_statement(Bytes payload);

// Reads the `signed` part of an in-toto link.
Result<BuildRecord> parse_link(const nlohmann::json& signed_part);

// An in-toto Statement v1 with an SLSA Provenance v1 predicate for `record` (kind ignored).
nlohmann::json provenance_statement(const BuildRecord& record,
                                    const nlohmann::json& external_parameters,
                                    const nlohmann::json& internal_parameters);

// Whether `material` satisfies a pin with the given digests (every algorithm both name agrees
// and at least one is shared).
bool digests_agree(const DigestSet& have, const DigestSet& want);

}  // namespace cascade::provenance
