// Windows security catalogs (.cat): signed lists of file hashes. Most of a Windows system's
// files carry no signature of their own; a catalog under System32/CatRoot lists them instead,
// and its one signature vouches for every member. A catalog is a certificate trust list
// (trust_list.h) whose subjects are member files:
//   - SPC_INDIRECT_DATA (1.3.6.1.4.1.311.2.1.4): the member's hash, typed SPC_PE_IMAGE_DATA for
//     a PE file (its Authenticode image hash) or SPC_CAB_DATA for any other file (a flat hash);
//   - CAT_NAMEVALUE (1.3.6.1.4.1.311.12.2.1) "File": the member's file name, when the author
//     wrote one.
// Members are matched by the hash inside SPC_INDIRECT_DATA, never by their tag (which is only a
// string the author chose).
#pragma once

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/byte_reader.h"
#include "core/digest.h"

namespace cascade::authenticode {

inline constexpr std::string_view kCatalogListUsage = "1.3.6.1.4.1.311.12.1.1";
// Catalog files larger than this are not read (the largest Windows catalogs are a few MiB).
inline constexpr std::size_t kMaxCatalogBytes = 64u << 20;
// Catalogs a --catalog folder or a CatRoot tree may hold; more are reported and left unread.
inline constexpr std::size_t kMaxCatalogFiles = 65536;

struct CatalogMember {
  DigestAlgorithm algorithm = DigestAlgorithm::kSha1;
  Digest hash;
  bool pe_image = false;  // the hash is a PE Authenticode image hash, not the file's hash
  std::string file_name;  // CAT_NAMEVALUE "File"; empty when the catalog names none
};

struct Catalog {
  std::string path;
  std::vector<CatalogMember> members;
  std::time_t this_update = 0;
  Signature signature;  // the catalog's own signature, judged as Windows code signing
  std::string error;    // the catalog could not be read
  std::string note;     // a cap cut the member list short

  // A catalog vouches for its members only when it was read whole and its signature verifies
  // over its content; whether the signer is trusted is reported with each covered file.
  bool covers() const { return error.empty() && signature.signature_ok; }
};

// Whether `data` looks like a signed catalog (PKCS#7 SignedData of a CTL), by its first bytes.
bool looks_like_catalog(Bytes data);

// Reads and checks one catalog.
Catalog read_catalog(std::string path, Bytes der, const TrustStore& trust, std::time_t now);

// The members of many catalogs by hash, for looking files up.
class CatalogIndex {
 public:
  void add(Catalog catalog);
  bool empty() const { return catalogs_.empty(); }
  const std::vector<Catalog>& catalogs() const { return catalogs_; }

  // The hash algorithms covering catalogs use, for PE image hashes and for flat file hashes.
  std::vector<DigestAlgorithm> image_algorithms() const;
  std::vector<DigestAlgorithm> flat_algorithms() const;

  // One catalog signature (kind kCatalog) for each covering catalog that lists this digest.
  std::vector<Signature> signatures_for(DigestAlgorithm algorithm, Bytes digest,
                                        bool pe_image) const;

  // Covering catalogs that name `file_name` (case-insensitively) among their members.
  std::vector<const Catalog*> naming(std::string_view file_name) const;

 private:
  std::vector<Catalog> catalogs_;
  // (algorithm, image or flat, hash bytes) -> (catalog, member) indexes.
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> by_hash_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_name_;
};

// Loads every catalog at `paths`: a .cat file, or a folder searched (recursively) for *.cat.
// Unreadable catalogs are kept, with their error, so they can be reported.
CatalogIndex load_catalogs(const std::vector<std::string>& paths, const TrustStore& trust,
                           std::time_t now);

// Folders named CatRoot (any case) under `root`, where Windows keeps its catalogs. The search
// visits a bounded number of folders; `complete` is false when it stopped early.
struct CatrootSearch {
  std::vector<std::string> folders;
  bool complete = true;
};
CatrootSearch find_catroot_folders(const std::string& root);

}  // namespace cascade::authenticode
