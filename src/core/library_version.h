// The version of a library cascade links, as the library reports it at run time where it can:
// a binary built against one release and run with another says which one it is really using.
#pragma once

#include <string>

namespace cascade {

struct LibraryVersion {
  std::string library;  // e.g. "OpenSSL"
  std::string version;  // e.g. "3.0.11"
};

// OpenSSL's libcrypto, from OpenSSL_version_num's text form (OpenSSL_version(OPENSSL_VERSION)
// without its "OpenSSL " prefix and build date).
LibraryVersion openssl_version();

}  // namespace cascade
