// Refreshing the Microsoft root program store offline: a new authroot.stl and its roots are
// checked exactly as the built-in ones are (the list's signature chains to Microsoft's pinned
// roots) before they replace the store in a folder.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"

namespace cascade::authenticode {

struct RootProgramUpdate {
  std::string sequence_number;  // of the installed list, hex
  std::time_t this_update = 0;
  std::string signer;                    // the list's signer
  std::size_t listed = 0;                // roots the list names
  std::size_t installed = 0;             // of which the roots file supplied
  std::time_t replaced_this_update = 0;  // the list it replaced (the built-in one or the folder's)
};

// Verifies `stl_path` and `roots_path` and writes them as `dir`/authroot.stl and `dir`/roots.pem
// (each written beside and renamed into place). A list older than the one in use is refused
// unless `allow_older`: an old list may still trust roots Microsoft has since disallowed.
Result<RootProgramUpdate> update_root_program_store(const std::string& stl_path,
                                                    const std::string& roots_path,
                                                    const std::string& dir, bool allow_older,
                                                    const std::vector<std::string>& pins = {});

}  // namespace cascade::authenticode
