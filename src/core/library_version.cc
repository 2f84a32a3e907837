#include "core/library_version.h"

#include <openssl/crypto.h>

#include <string_view>

namespace cascade {

LibraryVersion openssl_version() {
  // "OpenSSL 3.0.11 19 Sep 2023": the second word is the version.
  std::string_view text = OpenSSL_version(OPENSSL_VERSION);
  if (text.starts_with("OpenSSL ")) text.remove_prefix(8);
  text = text.substr(0, text.find(' '));
  return {"OpenSSL", std::string(text)};
}

}  // namespace cascade
