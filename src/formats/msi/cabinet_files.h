// The file list of a Microsoft cabinet (MS-CAB: CFHEADER, then its CFFILE records), read without
// decompressing anything, so an MSI's File table can be checked against what its cabinets hold.
#pragma once

#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::msi {

// The names of the files the cabinet stores, as stored (a '\'-separated path is kept as is), in
// CFFILE order. kMalformed / kTruncated when the header or a record does not parse.
Result<std::vector<std::string>> cabinet_file_names(Bytes cabinet);

}  // namespace cascade::msi
