// Certificate trust lists from hostile bytes: the signed envelope and its CTL read as a catalog
// (members, names, the signature checked against a store with no anchors), as Microsoft's root
// list (against the built-in roots, which the pinned signer check must refuse), and the same
// bytes as a bare CTL body.
#include <cstddef>
#include <cstdint>

#include "authenticode/builtin_trust.h"
#include "authenticode/catalog.h"
#include "authenticode/root_program.h"
#include "authenticode/trust_list.h"
#include "authenticode/trust_store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cascade::authenticode;
  static const auto trust = TrustStore::create({.builtin = false});
  const cascade::Bytes bytes(data, size);
  looks_like_catalog(bytes);
  Catalog catalog = read_catalog("fuzz.cat", bytes, trust.value(), 1800000000);
  CatalogIndex index;
  index.add(std::move(catalog));
  for (const auto& c : index.catalogs()) {
    for (const auto& m : c.members) {
      index.signatures_for(m.algorithm, cascade::Bytes(m.hash.data(), m.hash.size()), m.pe_image);
      index.naming(m.file_name);
    }
  }
  (void)load_root_program(bytes, builtin_trust_file(BuiltinTrustFile::kMicrosoftRoots),
                          kMicrosoftListRootsSha256);
  (void)parse_trust_list(bytes);
  return 0;
}
