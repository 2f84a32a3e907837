#include "scan/catalogs.h"

namespace cascade::scan {

CatalogSet load_scan_catalogs(const std::vector<std::string>& roots,
                              const std::vector<std::string>& explicit_paths, bool find_catroot,
                              const authenticode::TrustStore& trust, std::time_t now) {
  CatalogSet out;
  std::vector<std::string> paths = explicit_paths;
  if (find_catroot) {
    for (const auto& root : roots) {
      auto search = authenticode::find_catroot_folders(root);
      if (!search.complete) {
        out.notes.push_back("the search for CatRoot folders under " + root +
                            " stopped early (too many folders); name them with --catalog");
      }
      for (auto& folder : search.folders) {
        out.catroots.push_back(folder);
        paths.push_back(std::move(folder));
      }
    }
  }
  if (paths.empty()) return out;
  out.index = authenticode::load_catalogs(paths, trust, now);
  for (const auto& catalog : out.index.catalogs()) {
    if (!catalog.covers()) {
      out.notes.push_back(
          "catalog " + catalog.path + " covers nothing: " +
          (catalog.error.empty() ? catalog.signature.signature_error : catalog.error));
    } else if (!catalog.note.empty()) {
      out.notes.push_back("catalog " + catalog.path + ": " + catalog.note);
    }
  }
  return out;
}

}  // namespace cascade::scan
