#include "provenance/attest.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "core/digest.h"
#include "core/file_loader.h"
#include "provenance/dsse.h"
#include "provenance/verifier.h"
#include "scan/walker.h"

namespace cascade::provenance {
namespace {

std::string trim_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The name a file under `root` gets: relative to a directory root, the base name of a file.
std::string subject_name(const std::string& path, const std::string& root, bool root_is_file) {
  if (root_is_file) return base_name(root);
  if (path.starts_with(root + "/")) return path.substr(root.size() + 1);
  return path;
}

Result<std::vector<Subject>> hash_tree(const std::string& root, unsigned threads) {
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return make_error(ErrorCode::kIo, root + ": not found");
  const bool root_is_file = S_ISREG(st.st_mode);
  std::vector<FileLoader> loaders(std::max(1u, threads));
  std::vector<Subject> subjects;
  std::optional<Error> failure;
  scan::WalkOptions walk;
  walk.threads = std::max(1u, threads);
  // Hashed on the workers, collected in walk order: the first failure is the same every run.
  scan::walk_parallel(
      {root}, walk,
      [&](const std::string& path, unsigned worker, const scan::DeliverStep& deliver) {
        auto bytes = loaders[worker].load(path);
        if (!bytes) {
          deliver(
              [&failure, error = make_error(ErrorCode::kIo, path + ": " + bytes.error().message)] {
                if (!failure) failure = error;
              });
          return;
        }
        deliver([&subjects, subject = Subject{subject_name(path, root, root_is_file),
                                              to_hex(digest(DigestAlgorithm::kSha256, *bytes))}] {
          subjects.push_back(subject);
        });
      },
      [&](const scan::WalkProblem& problem) {
        if (!failure) failure = make_error(ErrorCode::kIo, problem.path + ": " + problem.message);
      });
  if (failure) return *failure;
  return subjects;
}

Result<std::vector<Subject>> expand_tree(const std::string& root, unsigned threads) {
  ReleaseReadOptions options;
  options.threads = threads;
  const ReleaseContents contents = read_release(root, options);
  std::vector<Subject> subjects;
  for (const auto& entry : contents.entries) {
    if (!entry.error.empty()) return make_error(ErrorCode::kIo, entry.path + ": " + entry.error);
    if (entry.media_cabinet) continue;
    std::string name = entry.key.empty() ? base_name(root) : entry.key;
    if (contents.root_is_file && !entry.key.empty()) {
      name = base_name(root) + "!" + entry.key;
    }
    subjects.push_back({std::move(name), entry.sha256});
  }
  if (subjects.empty()) return make_error(ErrorCode::kIo, root + ": no files");
  return subjects;
}

bool is_hex(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) || (c >= 'a' && c <= 'f');
  });
}

// "URI@ALG:HEX" when the argument has that shape and names no existing file.
std::optional<Material> remote_material(const std::string& argument) {
  struct stat st {};
  if (::stat(argument.c_str(), &st) == 0) return std::nullopt;
  const auto at = argument.find_last_of('@');
  if (at == std::string::npos || at == 0) return std::nullopt;
  const auto colon = argument.find(':', at);
  if (colon == std::string::npos) return std::nullopt;
  const std::string algorithm = argument.substr(at + 1, colon - at - 1);
  std::string value = argument.substr(colon + 1);
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<std::string_view, std::size_t> kKnown[] = {
      {"sha256", 64}, {"sha512", 128}, {"sha1", 40}, {"gitCommit", 40}};
  for (const auto& [name, length] : kKnown) {
    if (algorithm == name && value.size() == length && is_hex(value)) {
      Material material;
      material.uri = argument.substr(0, at);
      material.digest[algorithm] = value;
      return material;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Subject>> digest_paths(const std::vector<std::string>& paths,
                                          const DigestOptions& options) {
  std::vector<Subject> all;
  for (const auto& path : paths) {
    const std::string root = trim_slashes(path);
    auto subjects =
        options.expand ? expand_tree(root, options.threads) : hash_tree(root, options.threads);
    if (!subjects) return subjects.error();
    if (subjects->empty()) return make_error(ErrorCode::kIo, path + ": no files");
    all.insert(all.end(), subjects->begin(), subjects->end());
  }
  std::sort(all.begin(), all.end(), [](const Subject& a, const Subject& b) {
    return a.name != b.name ? a.name < b.name : a.sha256 < b.sha256;
  });
  all.erase(std::unique(all.begin(), all.end(),
                        [](const Subject& a, const Subject& b) {
                          return a.name == b.name && a.sha256 == b.sha256;
                        }),
            all.end());
  return all;
}

Result<std::vector<Material>> digest_materials(const std::vector<std::string>& arguments,
                                               unsigned threads) {
  std::vector<Material> materials;
  std::vector<std::string> paths;
  for (const auto& argument : arguments) {
    if (auto remote = remote_material(argument)) {
      materials.push_back(std::move(*remote));
    } else {
      paths.push_back(argument);
    }
  }
  if (!paths.empty()) {
    auto subjects = digest_paths(paths, {threads, false});
    if (!subjects) return subjects.error();
    for (auto& subject : *subjects) {
      Material material;
      material.name = std::move(subject.name);
      material.digest["sha256"] = std::move(subject.sha256);
      materials.push_back(std::move(material));
    }
  }
  return materials;
}

Result<std::string> attest(const AttestRequest& request, const PrivateKey& key) {
  if (request.products.empty()) return make_error(ErrorCode::kUsage, "no products to attest");
  BuildRecord record;
  record.builder_id = request.builder_id;
  record.build_type = request.build_type;
  record.invocation_id = request.invocation_id;
  record.started = request.started;
  record.finished = request.finished;
  record.subjects = request.products;
  record.materials = request.materials;
  const std::string payload =
      provenance_statement(record, request.external_parameters, request.internal_parameters).dump();
  auto envelope = sign_envelope(
      kInTotoPayloadType,
      Bytes(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()), key);
  if (!envelope) return envelope.error();
  return envelope_json(*envelope).dump();
}

}  // namespace cascade::provenance
