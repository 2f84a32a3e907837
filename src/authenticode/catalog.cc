#include "authenticode/catalog.h"

#include <algorithm>
#include <filesystem>

#include "authenticode/pkcs7_reader.h"
#include "authenticode/trust_list.h"
#include "core/der.h"
#include "core/file_loader.h"
#include "core/utf8.h"

namespace cascade::authenticode {

namespace {

constexpr std::string_view kSpcIndirectData = "1.3.6.1.4.1.311.2.1.4";
constexpr std::string_view kSpcPeImageData = "1.3.6.1.4.1.311.2.1.15";
constexpr std::string_view kCatNameValue = "1.3.6.1.4.1.311.12.2.1";
constexpr std::uint8_t kBmpString = 0x1e;
constexpr std::uint8_t kInteger = 0x02;
// Folders visited while looking for CatRoot under a scanned root; past this the search stops
// and says so (a --catalog names the folder directly).
constexpr std::size_t kMaxCatrootSearchFolders = 200000;

// A member's SpcIndirectDataContent: the hash and whether it is a PE image hash.
bool read_indirect_data(Bytes encoded, CatalogMember& member) {
  auto data = decode_spc_indirect_data(encoded);
  if (!data || !data->algorithm || data->digest.size() != digest_size(*data->algorithm)) {
    return false;
  }
  member.pe_image = data->type_oid == kSpcPeImageData;
  member.algorithm = *data->algorithm;
  member.hash.assign(data->digest.begin(), data->digest.end());
  return true;
}

// CAT_NAMEVALUE ::= SEQUENCE { tag BMPString, flags INTEGER, value OCTET STRING }: the "File"
// name, as UTF-16LE text in the value.
std::optional<std::string> file_name(Bytes encoded) {
  ByteReader r(encoded);
  auto seq = der::expect(r, der::kSequence);
  if (!seq) return std::nullopt;
  ByteReader s(seq->contents);
  auto tag = der::expect(s, kBmpString);
  auto flags = der::expect(s, kInteger);
  auto value = der::expect(s, der::kOctetString);
  if (!tag || !flags || !value) return std::nullopt;
  // BMPString is big-endian UTF-16: "File" is 00 46 00 69 00 6c 00 65.
  static constexpr std::uint8_t kFile[] = {0, 'F', 0, 'i', 0, 'l', 0, 'e'};
  if (!std::equal(tag->contents.begin(), tag->contents.end(), std::begin(kFile), std::end(kFile))) {
    return std::nullopt;
  }
  return utf16le_to_utf8(value->contents);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string hash_key(DigestAlgorithm algorithm, bool pe_image, Bytes hash) {
  std::string key;
  key.push_back(static_cast<char>(algorithm));
  key.push_back(pe_image ? 'i' : 'f');
  key.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return key;
}

bool is_cat_file(const std::filesystem::path& path) {
  return lower(path.extension().string()) == ".cat";
}

}  // namespace

bool looks_like_catalog(Bytes data) {
  // SEQUENCE, then OID 1.2.840.113549.1.7.2 (signedData) within the first bytes, and the CTL
  // content type (1.3.6.1.4.1.311.10.1) soon after.
  static constexpr std::uint8_t kSignedData[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                 0xf7, 0x0d, 0x01, 0x07, 0x02};
  static constexpr std::uint8_t kCtl[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04,
                                          0x01, 0x82, 0x37, 0x0a, 0x01};
  if (data.size() < 96 || data[0] != 0x30) return false;
  const Bytes start = data.first(16);
  const Bytes head = data.first(96);
  return std::search(start.begin(), start.end(), std::begin(kSignedData), std::end(kSignedData)) !=
             start.end() &&
         std::search(head.begin(), head.end(), std::begin(kCtl), std::end(kCtl)) != head.end();
}

Catalog read_catalog(std::string path, Bytes der, const TrustStore& trust, std::time_t now) {
  Catalog catalog;
  catalog.path = std::move(path);
  auto signed_list = read_signed_trust_list(der);
  if (!signed_list) {
    catalog.error = signed_list.error().message;
    return catalog;
  }
  const TrustList& list = signed_list->list;
  if (std::find(list.usages.begin(), list.usages.end(), kCatalogListUsage) == list.usages.end()) {
    catalog.error = "not a catalog (its trust list is for another purpose)";
    return catalog;
  }
  catalog.this_update = list.this_update;
  catalog.note = list.error;
  for (const auto& subject : list.subjects) {
    CatalogMember member;
    const TrustListAttribute* indirect = subject.find(kSpcIndirectData);
    // A SHA-256 catalog pairs each member with a SHA-1-keyed companion that holds no hash.
    if (indirect == nullptr || indirect->values.empty()) continue;
    if (!read_indirect_data(indirect->values.front(), member)) {
      catalog.error = "a member's hash (SPC_INDIRECT_DATA) is malformed";
      return catalog;
    }
    if (const TrustListAttribute* names = subject.find(kCatNameValue)) {
      for (Bytes value : names->values) {
        if (auto name = file_name(value)) member.file_name = *name;
      }
    }
    catalog.members.push_back(std::move(member));
  }
  catalog.signature = verify_signature(*signed_list->signature, nullptr, trust, now,
                                       TrustStore::Usage::kCodeSigning, SignatureFamily::kWindows);
  catalog.signature.kind = SignatureKind::kCatalog;
  catalog.signature.catalog = catalog.path;
  if (!catalog.signature.signature_ok && catalog.signature.signature_error.empty()) {
    catalog.signature.signature_error = "the catalog's signature does not verify";
  }
  return catalog;
}

void CatalogIndex::add(Catalog catalog) {
  const std::size_t index = catalogs_.size();
  if (catalog.covers()) {
    for (std::size_t m = 0; m < catalog.members.size(); ++m) {
      const CatalogMember& member = catalog.members[m];
      by_hash_[hash_key(member.algorithm, member.pe_image,
                        Bytes(member.hash.data(), member.hash.size()))]
          .emplace_back(index, m);
      if (!member.file_name.empty()) {
        auto& names = by_name_[lower(member.file_name)];
        if (names.empty() || names.back() != index) names.push_back(index);
      }
    }
  }
  catalogs_.push_back(std::move(catalog));
}

std::vector<DigestAlgorithm> CatalogIndex::image_algorithms() const {
  std::vector<DigestAlgorithm> out;
  for (const auto& catalog : catalogs_) {
    for (const auto& member : catalog.members) {
      if (member.pe_image && catalog.covers() &&
          std::find(out.begin(), out.end(), member.algorithm) == out.end()) {
        out.push_back(member.algorithm);
      }
    }
  }
  return out;
}

std::vector<DigestAlgorithm> CatalogIndex::flat_algorithms() const {
  std::vector<DigestAlgorithm> out;
  for (const auto& catalog : catalogs_) {
    for (const auto& member : catalog.members) {
      if (!member.pe_image && catalog.covers() &&
          std::find(out.begin(), out.end(), member.algorithm) == out.end()) {
        out.push_back(member.algorithm);
      }
    }
  }
  return out;
}

std::vector<Signature> CatalogIndex::signatures_for(DigestAlgorithm algorithm, Bytes digest,
                                                    bool pe_image) const {
  std::vector<Signature> out;
  auto it = by_hash_.find(hash_key(algorithm, pe_image, digest));
  if (it == by_hash_.end()) return out;
  std::vector<std::size_t> seen;
  for (const auto& [catalog_index, member_index] : it->second) {
    if (std::find(seen.begin(), seen.end(), catalog_index) != seen.end()) continue;
    seen.push_back(catalog_index);
    Signature sig = catalogs_[catalog_index].signature;
    const CatalogMember& member = catalogs_[catalog_index].members[member_index];
    sig.digest_algorithm = std::string(digest_name(member.algorithm));
    sig.signed_digest = to_hex(member.hash);
    sig.computed_digest = sig.signed_digest;
    sig.digest_ok = true;
    out.push_back(std::move(sig));
  }
  return out;
}

std::vector<const Catalog*> CatalogIndex::naming(std::string_view file_name) const {
  std::vector<const Catalog*> out;
  auto it = by_name_.find(lower(file_name));
  if (it == by_name_.end()) return out;
  for (std::size_t index : it->second) out.push_back(&catalogs_[index]);
  return out;
}

CatalogIndex load_catalogs(const std::vector<std::string>& paths, const TrustStore& trust,
                           std::time_t now) {
  CatalogIndex index;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& path : paths) {
    if (!std::filesystem::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    auto it = std::filesystem::recursive_directory_iterator(
        path, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && is_cat_file(it->path())) files.push_back(it->path().string());
      if (files.size() > kMaxCatalogFiles) break;
    }
    if (ec) {
      Catalog problem;
      problem.path = path;
      problem.error = "the folder could not be read whole: " + ec.message();
      index.add(std::move(problem));
      ec.clear();
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (files.size() > kMaxCatalogFiles) {
    Catalog problem;
    problem.path = files[kMaxCatalogFiles];
    problem.error = "more than " + std::to_string(kMaxCatalogFiles) +
                    " catalogs; this one and those after it were not read";
    files.resize(kMaxCatalogFiles);
    index.add(std::move(problem));
  }
  FileLoader loader;
  for (const auto& file : files) {
    if (std::filesystem::file_size(file, ec) > kMaxCatalogBytes && !ec) {
      Catalog big;
      big.path = file;
      big.error = "larger than " + std::to_string(kMaxCatalogBytes >> 20) + " MiB; not read";
      index.add(std::move(big));
      continue;
    }
    auto bytes = loader.load(file);
    if (!bytes) {
      Catalog unreadable;
      unreadable.path = file;
      unreadable.error = bytes.error().message;
      index.add(std::move(unreadable));
      continue;
    }
    index.add(read_catalog(file, *bytes, trust, now));
  }
  return index;
}

CatrootSearch find_catroot_folders(const std::string& root) {
  CatrootSearch out;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return out;
  std::size_t folders = 0;
  auto it = std::filesystem::recursive_directory_iterator(
      root, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
    if (++folders > kMaxCatrootSearchFolders) {
      out.complete = false;
      break;
    }
    if (lower(it->path().filename().string()) == "catroot") {
      out.folders.push_back(it->path().string());
      it.disable_recursion_pending();
    }
  }
  std::sort(out.folders.begin(), out.folders.end());
  return out;
}

}  // namespace cascade::authenticode
