#include "core/digest.h"

#include <cstring>

#include "core/entropy.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

namespace cascade {

namespace {
const EVP_MD* legacy_md(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return EVP_md5();
    case DigestAlgorithm::kSha1:
      return EVP_sha1();
    case DigestAlgorithm::kSha256:
      return EVP_sha256();
    case DigestAlgorithm::kSha384:
      return EVP_sha384();
    case DigestAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

using FetchedMd = std::unique_ptr<EVP_MD, ossl::Deleter<EVP_MD_free>>;

FetchedMd fetch(DigestAlgorithm algorithm) {
  return FetchedMd(EVP_MD_fetch(nullptr, EVP_MD_get0_name(legacy_md(algorithm)), nullptr));
}
}  // namespace

const EVP_MD* evp_md(DigestAlgorithm algorithm) {
  // OpenSSL 3 looks a legacy EVP_sha256()-style algorithm up again on every digest init, under a
  // process-wide lock; ingest hashes millions of node keys. Each algorithm is fetched once.
  static const std::array<FetchedMd, 5> fetched = {
      fetch(DigestAlgorithm::kMd5), fetch(DigestAlgorithm::kSha1), fetch(DigestAlgorithm::kSha256),
      fetch(DigestAlgorithm::kSha384), fetch(DigestAlgorithm::kSha512)};
  const auto index = static_cast<std::size_t>(algorithm);
  if (index < fetched.size() && fetched[index]) return fetched[index].get();
  return legacy_md(algorithm);  // no provider offers it: the slower lookup still works
}

std::string_view digest_name(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return "md5";
    case DigestAlgorithm::kSha1:
      return "sha1";
    case DigestAlgorithm::kSha256:
      return "sha256";
    case DigestAlgorithm::kSha384:
      return "sha384";
    case DigestAlgorithm::kSha512:
      return "sha512";
  }
  return "unknown";
}

std::optional<DigestAlgorithm> digest_from_name(std::string_view name) {
  for (auto a : {DigestAlgorithm::kMd5, DigestAlgorithm::kSha1, DigestAlgorithm::kSha256,
                 DigestAlgorithm::kSha384, DigestAlgorithm::kSha512}) {
    if (digest_name(a) == name) return a;
  }
  return std::nullopt;
}

std::size_t digest_size(DigestAlgorithm algorithm) {
  return static_cast<std::size_t>(EVP_MD_get_size(evp_md(algorithm)));
}

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  // Allocation failure or a refused init leaves nothing sensible to return; it is fatal.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), evp_md(algorithm), nullptr) != 1) std::abort();
}

void Hasher::update(Bytes data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

Digest Hasher::finish() {
  Digest out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), out.data(), &len);
  out.resize(len);
  return out;
}

Digest digest(DigestAlgorithm algorithm, Bytes data) {
  Hasher h(algorithm);
  h.update(data);
  return h.finish();
}

FileHashes hash_file(Bytes data, bool with_legacy) {
  Hasher sha256(DigestAlgorithm::kSha256);
  std::optional<Hasher> sha1;
  std::optional<Hasher> md5;
  if (with_legacy) {
    sha1.emplace(DigestAlgorithm::kSha1);
    md5.emplace(DigestAlgorithm::kMd5);
  }
  // Feed every hasher the same cache-sized block so the file is read from memory once.
  constexpr std::size_t kBlock = std::size_t{256} * 1024;
  for (std::size_t off = 0; off < data.size(); off += kBlock) {
    Bytes block = data.subspan(off, std::min(kBlock, data.size() - off));
    sha256.update(block);
    if (sha1) sha1->update(block);
    if (md5) md5->update(block);
  }
  FileHashes out;
  out.sha256 = to_hex(sha256.finish());
  if (sha1) out.sha1 = to_hex(sha1->finish());
  if (md5) out.md5 = to_hex(md5->finish());
  return out;
}

std::string to_hex(Bytes data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace cascade

namespace cascade {

std::vector<Digest> run_hash_jobs(Bytes data, const std::vector<HashJob>& jobs) {
  std::vector<RangeHistogram> none;
  return run_file_pass(data, jobs, none, false).digests;
}

std::uint64_t sum_dwords(Bytes block) {
  // Four independent accumulators let the compiler keep several additions in flight.
  std::uint64_t acc[4] = {0, 0, 0, 0};
  const std::size_t dwords = block.size() / 4;
  std::size_t i = 0;
  for (; i + 4 <= dwords; i += 4) {
    std::uint32_t d[4];
    std::memcpy(d, block.data() + i * 4, 16);
    acc[0] += d[0];
    acc[1] += d[1];
    acc[2] += d[2];
    acc[3] += d[3];
  }
  for (; i < dwords; ++i) {
    std::uint32_t dword;
    std::memcpy(&dword, block.data() + i * 4, 4);
    acc[0] += dword;
  }
  std::uint64_t sum = acc[0] + acc[1] + acc[2] + acc[3];
  // Folding with end-around carry keeps the one's-complement value and bounds the total.
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  return sum;
}

FilePassResult run_file_pass(Bytes data, const std::vector<HashJob>& jobs,
                             std::vector<RangeHistogram>& histograms, bool dword_sum) {
  struct Running {
    Hasher hasher;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> excluded;  // sorted, clamped
  };
  std::vector<Running> running;
  running.reserve(jobs.size());
  for (const auto& job : jobs) {
    Running r{Hasher(job.algorithm), {}};
    for (auto [begin, end] : job.excluded) {
      end = std::min<std::uint64_t>(end, data.size());
      if (begin < end) r.excluded.emplace_back(begin, end);
    }
    std::sort(r.excluded.begin(), r.excluded.end());
    running.push_back(std::move(r));
  }
  FilePassResult result;
  // A multiple of 4, so blocks split no dword; small enough to stay in L2 while it is used.
  constexpr std::size_t kBlock = std::size_t{256} * 1024;
  for (std::uint64_t block = 0; block < data.size(); block += kBlock) {
    const std::uint64_t block_end = std::min<std::uint64_t>(block + kBlock, data.size());
    for (auto& r : running) {
      std::uint64_t pos = block;
      for (auto [begin, end] : r.excluded) {
        if (end <= pos) continue;
        if (begin >= block_end) break;
        if (begin > pos) r.hasher.update(data.subspan(pos, begin - pos));
        pos = std::max(pos, end);
        if (pos >= block_end) break;
      }
      if (pos < block_end) r.hasher.update(data.subspan(pos, block_end - pos));
    }
    for (auto& h : histograms) {
      const std::uint64_t begin = std::max(h.begin, block);
      const std::uint64_t end =
          std::min({h.end, block_end, static_cast<std::uint64_t>(data.size())});
      if (begin < end) count_bytes(data.subspan(begin, end - begin), h.counts);
    }
    if (dword_sum) {
      result.dword_sum += sum_dwords(data.subspan(block, block_end - block));
      result.dword_sum = (result.dword_sum & 0xffffffff) + (result.dword_sum >> 32);
    }
  }
  result.digests.reserve(running.size());
  for (auto& r : running) result.digests.push_back(r.hasher.finish());
  return result;
}

}  // namespace cascade
