// An MSI's two views of the files it carries: the File table (what Windows Installer installs,
// and from which cabinet, through the Media table) and the embedded cabinets themselves (what
// any extractor, and scan, unpacks). A file only one of them has is `container.ambiguous`.
#pragma once

#include <string>
#include <vector>

#include "formats/msi/msi_internal.h"

namespace cascade::msi {

// One message per file only one view has (at most a few dozen, then how many more): a cabinet
// file no File row names, and a File row the package compresses into an embedded cabinet that
// does not hold it. Uncompressed files and files on external media are not in any embedded
// cabinet by design and are not reported. Cabinets that cannot be listed add an anomaly.
std::vector<std::string> compare_file_views(const OleFile& file, const Database& db,
                                            std::vector<std::string>& anomalies);

}  // namespace cascade::msi
