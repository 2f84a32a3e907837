// attest: digests a build's materials and products and writes them as a signed in-toto
// Statement v1 with an SLSA Provenance v1 predicate, in a DSSE envelope.
#pragma once

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "provenance/keys.h"
#include "provenance/statement.h"

namespace cascade::provenance {

struct DigestOptions {
  unsigned threads = 1;
  bool expand = false;  // products: also a subject for every file inside containers
};

// Every regular file under each path (a file names itself by its base name, a directory's
// files by their path relative to it), with its SHA-256, sorted by name.
Result<std::vector<Subject>> digest_paths(const std::vector<std::string>& paths,
                                          const DigestOptions& options);

// A material argument: a path (digested like products, never expanded), or "URI@ALG:HEX" for
// something fetched elsewhere (ALG: sha256, sha512, sha1 or gitCommit), e.g.
// "git+https://example.com/ffmpeg.git@gitCommit:1a2b...".
Result<std::vector<Material>> digest_materials(const std::vector<std::string>& arguments,
                                               unsigned threads);

struct AttestRequest {
  std::string builder_id;
  std::string build_type;
  std::string invocation_id;
  std::optional<std::time_t> started;
  std::optional<std::time_t> finished;
  nlohmann::json external_parameters = nlohmann::json::object();
  nlohmann::json internal_parameters = nlohmann::json::object();
  std::vector<Material> materials;
  std::vector<Subject> products;
};

// The signed envelope, as one line of an .intoto.jsonl bundle (no newline).
Result<std::string> attest(const AttestRequest& request, const PrivateKey& key);

}  // namespace cascade::provenance
