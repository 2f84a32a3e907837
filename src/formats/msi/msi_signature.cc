#include "formats/msi/msi_signature.h"

#include <algorithm>

#include "authenticode/pkcs7_reader.h"
#include "core/entropy.h"
#include "formats/msi/msi_internal.h"

namespace cascade::msi {

namespace {

// Large fragmented streams are hashed piecewise, so libgsf never copies one whole.
constexpr std::size_t kChunk = std::size_t{1} << 20;

bool signature_stream(const OleEntry& e) {
  return e.name == kDigitalSignature || e.name == kDigitalSignatureEx;
}

std::vector<std::uint32_t> sorted_children(const OleDirectory& dir, std::uint32_t index) {
  std::vector<std::uint32_t> children = dir.entries[index].children;
  std::sort(children.begin(), children.end(), [&](std::uint32_t a, std::uint32_t b) {
    return signature_order(dir.entries[a], dir.entries[b]);
  });
  return children;
}

void put_le(Hasher& h, std::uint64_t v, int bytes) {
  std::uint8_t buf[8];
  for (int i = 0; i < bytes; ++i) buf[i] = static_cast<std::uint8_t>(v >> (8 * i));
  h.update(Bytes(buf, static_cast<std::size_t>(bytes)));
}

// One entry's share of the MsiDigitalSignatureEx pre-hash: the root contributes only its CLSID
// and state bits; streams their size's low dword instead of a CLSID.
void hash_metadata(const OleEntry& e, Hasher& h) {
  if (e.type != kOleRoot) {
    for (char16_t c : e.name) put_le(h, c, 2);
  }
  if (e.type != kOleStream) {
    h.update(Bytes(e.clsid.data(), e.clsid.size()));
  } else {
    put_le(h, e.size_low, 4);
  }
  put_le(h, e.state_bits, 4);
  if (e.type != kOleRoot) {
    put_le(h, e.created, 8);
    put_le(h, e.modified, 8);
  }
}

void prehash(const OleDirectory& dir, std::uint32_t index, Hasher& h) {
  hash_metadata(dir.entries[index], h);
  for (std::uint32_t child : sorted_children(dir, index)) {
    const OleEntry& e = dir.entries[child];
    if (index == 0 && signature_stream(e)) continue;
    if (e.type == kOleStream) hash_metadata(e, h);
    if (e.type == kOleStorage) prehash(dir, child, h);
  }
}

std::optional<Error> hash_content(const OleFile& file, std::uint32_t index,
                                  std::vector<Hasher>& hashers) {
  const OleDirectory& dir = file.directory();
  for (std::uint32_t child : sorted_children(dir, index)) {
    const OleEntry& e = dir.entries[child];
    if (index == 0 && signature_stream(e)) continue;
    if (e.type == kOleStream) {
      auto error = file.read_chunks(child, kChunk, [&](Bytes piece) {
        for (auto& h : hashers) h.update(piece);
      });
      if (error) return error;
    } else if (e.type == kOleStorage) {
      if (auto error = hash_content(file, child, hashers)) return error;
    }
  }
  const auto& clsid = dir.entries[index].clsid;
  for (auto& h : hashers) h.update(Bytes(clsid.data(), clsid.size()));
  return std::nullopt;
}

// One digest per algorithm, all from a single read of the streams; nullopt entries when the
// streams could not be read (the reason is in `errors`).
std::vector<std::optional<Digest>> package_digests(const OleFile& file,
                                                   const std::vector<DigestAlgorithm>& algorithms,
                                                   std::vector<std::string>& errors) {
  const OleDirectory& dir = file.directory();
  std::vector<Hasher> hashers;
  hashers.reserve(algorithms.size());
  for (auto algorithm : algorithms) hashers.emplace_back(algorithm);
  if (auto ex = root_stream(dir, kDigitalSignatureEx)) {
    auto stored = file.stream(*ex);
    for (auto& h : hashers) {
      Hasher pre(h.algorithm());
      prehash(dir, 0, pre);
      const Digest pre_digest = pre.finish();
      h.update(Bytes(pre_digest.data(), pre_digest.size()));
      const std::string name(digest_name(h.algorithm()));
      if (!stored) {
        errors.push_back("\\x05MsiDigitalSignatureEx: " + stored.error().message);
      } else if (stored->bytes().size() != pre_digest.size()) {
        errors.push_back("\\x05MsiDigitalSignatureEx holds " +
                         std::to_string(stored->bytes().size()) + " bytes, not a " + name +
                         " pre-hash");
      } else if (!std::equal(pre_digest.begin(), pre_digest.end(), stored->bytes().begin())) {
        errors.push_back("\\x05MsiDigitalSignatureEx does not match the " + name +
                         " pre-hash of the entries' names, sizes and times");
      }
    }
  }
  std::vector<std::optional<Digest>> out(algorithms.size());
  if (auto error = hash_content(file, 0, hashers)) {
    errors.push_back("the package's streams could not be hashed: " + error->message);
    return out;
  }
  for (std::size_t i = 0; i < hashers.size(); ++i) out[i] = hashers[i].finish();
  return out;
}

}  // namespace

MsiSignatureCheck verify_msi_signatures(Bytes data, const authenticode::TrustStore& trust,
                                        std::time_t now) {
  MsiSignatureCheck out;
  auto file = OleFile::open(data);
  if (!file) {
    out.errors.push_back(file.error().message);
    return out;
  }
  auto stream = root_stream(file->directory(), kDigitalSignature);
  if (!stream) return out;
  auto blob = file->stream(*stream);
  if (!blob) {
    out.errors.push_back("\\x05DigitalSignature: " + blob.error().message);
    return out;
  }
  auto length = der_length(blob->bytes());
  if (!length) {
    out.errors.push_back("\\x05DigitalSignature does not start with a DER SEQUENCE");
    return out;
  }
  const Bytes padding = blob->bytes().subspan(static_cast<std::size_t>(*length));
  out.padding = padding.size();
  out.padding_entropy = shannon_entropy(padding);
  std::vector<std::unique_ptr<authenticode::ParsedSignature>> parsed;
  authenticode::read_signatures(blob->bytes().first(static_cast<std::size_t>(*length)), 0, parsed);
  std::vector<DigestAlgorithm> algorithms;
  for (const auto& p : parsed) {
    if (p->algorithm &&
        std::find(algorithms.begin(), algorithms.end(), *p->algorithm) == algorithms.end()) {
      algorithms.push_back(*p->algorithm);
    }
  }
  const std::size_t errors_before = out.errors.size();
  const auto digests = package_digests(*file, algorithms, out.errors);
  for (const auto& p : parsed) {
    const Digest* computed = nullptr;
    bool unreadable = false;
    for (std::size_t i = 0; i < algorithms.size(); ++i) {
      if (p->algorithm && algorithms[i] == *p->algorithm) {
        computed = digests[i] ? &*digests[i] : nullptr;
        unreadable = !digests[i];
      }
    }
    auto sig = authenticode::verify_signature(*p, computed, trust, now);
    // verify_signature blames a missing digest on the algorithm; here the streams were at fault.
    if (unreadable && out.errors.size() > errors_before) sig.error = out.errors.back();
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

Result<Digest> msi_digest(Bytes data, DigestAlgorithm algorithm) {
  auto file = OleFile::open(data);
  if (!file) return file.error();
  std::vector<std::string> errors;
  auto digests = package_digests(*file, {algorithm}, errors);
  if (!digests[0]) return make_error(ErrorCode::kMalformed, errors.back());
  return *digests[0];
}

Result<Digest> msi_prehash(Bytes data, DigestAlgorithm algorithm) {
  auto file = OleFile::open(data);
  if (!file) return file.error();
  Hasher h(algorithm);
  prehash(file->directory(), 0, h);
  return h.finish();
}

}  // namespace cascade::msi
