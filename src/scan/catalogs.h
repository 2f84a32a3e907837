// The catalogs a scan or a release diff judges its files by: the ones named with --catalog and
// the CatRoot folders found inside the scanned trees (where a Windows system keeps its own).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "authenticode/catalog.h"
#include "authenticode/trust_store.h"

namespace cascade::scan {

struct CatalogSet {
  authenticode::CatalogIndex index;
  std::vector<std::string> catroots;  // CatRoot folders found under the roots
  std::vector<std::string> notes;     // what a reader should know: catalogs covering nothing,
                                      // a CatRoot search cut short
};

// Loads `explicit_paths` (files or folders) and, when `find_catroot`, every CatRoot folder under
// the roots that are directories. Catalogs are checked against `trust` at `now`.
CatalogSet load_scan_catalogs(const std::vector<std::string>& roots,
                              const std::vector<std::string>& explicit_paths, bool find_catroot,
                              const authenticode::TrustStore& trust, std::time_t now);

}  // namespace cascade::scan
