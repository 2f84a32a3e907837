// Digests through OpenSSL EVP (hardware SHA extensions when the CPU has them).
#pragma once

#include <cstdint>
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade {

enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

std::string_view digest_name(DigestAlgorithm algorithm);
std::optional<DigestAlgorithm> digest_from_name(std::string_view name);
std::size_t digest_size(DigestAlgorithm algorithm);

using Digest = std::vector<std::uint8_t>;

// Incremental hasher; one per algorithm and stream.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm);
  void update(Bytes data);
  Digest finish();
  DigestAlgorithm algorithm() const { return algorithm_; }

 private:
  DigestAlgorithm algorithm_;
  ossl::MdCtxPtr ctx_;
};

Digest digest(DigestAlgorithm algorithm, Bytes data);

// The whole-file hashes inspect reports. MD5/SHA-1 only when asked: they cost as much as SHA-256.
struct FileHashes {
  std::string sha256;
  std::optional<std::string> sha1;
  std::optional<std::string> md5;
};
FileHashes hash_file(Bytes data, bool with_legacy);

std::string to_hex(Bytes data);
inline std::string to_hex(const Digest& d) { return to_hex(Bytes(d.data(), d.size())); }

}  // namespace cascade

namespace cascade {

// One digest over `data` with some byte ranges left out (as Authenticode leaves out the
// checksum, the certificate directory entry and the certificate table).
struct HashJob {
  DigestAlgorithm algorithm = DigestAlgorithm::kSha256;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> excluded;  // [begin, end), any order
};

// Runs every job over `data` in one cache-friendly pass; results in job order.
std::vector<Digest> run_hash_jobs(Bytes data, const std::vector<HashJob>& jobs);

}  // namespace cascade
