// Digests through OpenSSL EVP (hardware SHA extensions when the CPU has them).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade {

enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

std::string_view digest_name(DigestAlgorithm algorithm);
std::optional<DigestAlgorithm> digest_from_name(std::string_view name);
std::size_t digest_size(DigestAlgorithm algorithm);
// The algorithm, fetched once for the process: digests initialised with it skip OpenSSL's
// per-init lookup.
const EVP_MD* evp_md(DigestAlgorithm algorithm);

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
inline std::string to_hex(const Digest& d) {
  return to_hex(Bytes(d.data(), d.size()));
}

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

// Byte frequencies of [begin, end) of the data, filled by run_file_pass.
struct RangeHistogram {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::array<std::uint64_t, 256> counts{};
};

// One's-complement sum (end-around carry, folded to at most 33 bits) of the whole
// little-endian dwords of `block`; trailing bytes that make no dword are left out.
std::uint64_t sum_dwords(Bytes block);

struct FilePassResult {
  std::vector<Digest> digests;  // in job order
  std::uint64_t dword_sum = 0;  // sum_dwords() of the whole data (for PE checksums)
};

// Everything inspect measures over a file's bytes, in a single pass: each block is hashed,
// counted and summed while it is in cache, so the file streams from memory once.
FilePassResult run_file_pass(Bytes data, const std::vector<HashJob>& jobs,
                             std::vector<RangeHistogram>& histograms, bool dword_sum);

}  // namespace cascade
