#include "provenance/statement.h"

#include <algorithm>
#include <cctype>

#include "core/json_access.h"
#include "core/strict_json.h"
#include "core/time.h"

namespace cascade::provenance {
namespace {

using nlohmann::json;

// Subjects or materials one record may list: a release of a million files is a lot already.
constexpr std::size_t kMaxEntries = 4'000'000;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

using json_access::array_field;
using json_access::object_field;
using json_access::string_or_empty;

DigestSet read_digests(const json* digests) {
  DigestSet out;
  if (digests == nullptr) return out;
  for (const auto& [algorithm, value] : digests->items()) {
    if (value.is_string()) out[algorithm] = lower(value.get<std::string>());
  }
  return out;
}

std::optional<std::time_t> time_at(const json* object, std::string_view key) {
  if (object == nullptr) return std::nullopt;
  const std::string text = string_or_empty(*object, key);
  return text.empty() ? std::nullopt : parse_rfc3339(text);
}

Status read_subjects(const json& statement, BuildRecord& record) {
  const json* subjects = array_field(statement, "subject");
  if (subjects == nullptr || subjects->empty()) {
    return make_error(ErrorCode::kMalformed, "statement has no subject");
  }
  if (subjects->size() > kMaxEntries) return make_error(ErrorCode::kLimit, "too many subjects");
  record.subjects.reserve(subjects->size());
  for (const auto& subject : *subjects) {
    const DigestSet digests = read_digests(object_field(subject, "digest"));
    const auto sha256 = digests.find("sha256");
    if (sha256 == digests.end() || sha256->second.size() != 64) {
      ++record.subjects_without_sha256;
      continue;
    }
    record.subjects.push_back({string_or_empty(subject, "name"), sha256->second});
  }
  return ok_status();
}

Status read_materials(const json* list, BuildRecord& record) {
  if (list == nullptr) return ok_status();
  if (list->size() > kMaxEntries) return make_error(ErrorCode::kLimit, "too many materials");
  for (const auto& entry : *list) {
    Material material{string_or_empty(entry, "name"), string_or_empty(entry, "uri"),
                      read_digests(object_field(entry, "digest"))};
    record.materials.push_back(std::move(material));
  }
  return ok_status();
}

void read_slsa_v1(const json& predicate, BuildRecord& record) {
  const json* definition = object_field(predicate, "buildDefinition");
  const json* run = object_field(predicate, "runDetails");
  if (definition != nullptr) record.build_type = string_or_empty(*definition, "buildType");
  if (run != nullptr) {
    if (const json* builder = object_field(*run, "builder")) {
      record.builder_id = string_or_empty(*builder, "id");
    }
    const json* metadata = object_field(*run, "metadata");
    if (metadata != nullptr) record.invocation_id = string_or_empty(*metadata, "invocationId");
    record.started = time_at(metadata, "startedOn");
    record.finished = time_at(metadata, "finishedOn");
  }
}

void read_slsa_v02(const json& predicate, BuildRecord& record) {
  if (const json* builder = object_field(predicate, "builder")) {
    record.builder_id = string_or_empty(*builder, "id");
  }
  record.build_type = string_or_empty(predicate, "buildType");
  const json* metadata = object_field(predicate, "metadata");
  if (metadata != nullptr) record.invocation_id = string_or_empty(*metadata, "buildInvocationId");
  record.started = time_at(metadata, "buildStartedOn");
  record.finished = time_at(metadata, "buildFinishedOn");
}

}  // namespace

Result<BuildRecord> parse_statement(Bytes payload) {
  auto parsed = parse_strict_json(
      std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
  if (!parsed) return parsed.error();
  const json& statement = *parsed;
  if (!statement.is_object()) {
    return make_error(ErrorCode::kMalformed, "payload is not a JSON object");
  }
  const std::string type = string_or_empty(statement, "_type");
  if (type != kStatementV1 && type != kStatementV01) {
    return make_error(ErrorCode::kUnsupported,
                      "payload is not an in-toto Statement (_type \"" + type.substr(0, 80) + "\")");
  }
  BuildRecord record;
  record.predicate_type = string_or_empty(statement, "predicateType");
  auto subjects = read_subjects(statement, record);
  if (!subjects) return subjects.error();
  const json* predicate = object_field(statement, "predicate");
  if (record.predicate_type == kSlsaProvenanceV1 && predicate != nullptr) {
    record.kind = RecordKind::kSlsaProvenanceVersion1;
    read_slsa_v1(*predicate, record);
    const json* definition = object_field(*predicate, "buildDefinition");
    auto materials = read_materials(
        definition ? array_field(*definition, "resolvedDependencies") : nullptr, record);
    if (!materials) return materials.error();
  } else if (record.predicate_type == kSlsaProvenanceV02 && predicate != nullptr) {
    record.kind = RecordKind::kSlsaProvenanceVersion02;
    read_slsa_v02(*predicate, record);
    auto materials = read_materials(array_field(*predicate, "materials"), record);
    if (!materials) return materials.error();
  } else {
    record.kind = RecordKind::kStatement;
  }
  return record;
}

Result<BuildRecord> parse_link(const json& signed_part) {
  if (string_or_empty(signed_part, "_type") != "link") {
    return make_error(ErrorCode::kMalformed, "not an in-toto link (_type is not \"link\")");
  }
  BuildRecord record;
  record.kind = RecordKind::kInTotoLink;
  record.predicate_type = "https://in-toto.io/Link/v0.2";
  const std::string name = string_or_empty(signed_part, "name");
  if (name.empty()) return make_error(ErrorCode::kMalformed, "in-toto link without a step name");
  record.builder_id = "in-toto:" + name;
  auto read_artifacts = [&](std::string_view key, bool products) -> Status {
    const json* artifacts = object_field(signed_part, key);
    if (artifacts == nullptr) return ok_status();
    if (artifacts->size() > kMaxEntries) return make_error(ErrorCode::kLimit, "too many artifacts");
    for (const auto& [path, hashes] : artifacts->items()) {
      DigestSet digests = hashes.is_object() ? read_digests(&hashes) : DigestSet{};
      if (products) {
        const auto sha256 = digests.find("sha256");
        if (sha256 == digests.end() || sha256->second.size() != 64) {
          ++record.subjects_without_sha256;
          continue;
        }
        record.subjects.push_back({path, sha256->second});
      } else {
        record.materials.push_back({path, "", std::move(digests)});
      }
    }
    return ok_status();
  };
  auto products = read_artifacts("products", true);
  if (!products) return products.error();
  auto materials = read_artifacts("materials", false);
  if (!materials) return materials.error();
  return record;
}

json provenance_statement(const BuildRecord& record, const json& external_parameters,
                          const json& internal_parameters) {
  json subjects = json::array();
  for (const auto& subject : record.subjects) {
    subjects.push_back({{"name", subject.name}, {"digest", {{"sha256", subject.sha256}}}});
  }
  json dependencies = json::array();
  for (const auto& material : record.materials) {
    json entry = {{"digest", material.digest}};
    if (!material.name.empty()) entry["name"] = material.name;
    if (!material.uri.empty()) entry["uri"] = material.uri;
    dependencies.push_back(std::move(entry));
  }
  json metadata = json::object();
  if (!record.invocation_id.empty()) metadata["invocationId"] = record.invocation_id;
  if (record.started) metadata["startedOn"] = format_rfc3339(*record.started);
  if (record.finished) metadata["finishedOn"] = format_rfc3339(*record.finished);
  return {{"_type", kStatementV1},
          {"subject", std::move(subjects)},
          {"predicateType", kSlsaProvenanceV1},
          {"predicate",
           {{"buildDefinition",
             {{"buildType", record.build_type},
              {"externalParameters", external_parameters},
              {"internalParameters", internal_parameters},
              {"resolvedDependencies", std::move(dependencies)}}},
            {"runDetails",
             {{"builder", {{"id", record.builder_id}}},
              {"metadata", std::move(metadata)},
              {"byproducts", json::array()}}}}}};
}

bool digests_agree(const DigestSet& have, const DigestSet& want) {
  bool shared = false;
  for (const auto& [algorithm, value] : want) {
    const auto it = have.find(algorithm);
    if (it == have.end()) continue;
    if (it->second != value) return false;
    shared = true;
  }
  return shared;
}

}  // namespace cascade::provenance
