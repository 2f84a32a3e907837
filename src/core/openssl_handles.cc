#include "core/openssl_handles.h"

#include <openssl/err.h>

namespace cascade::ossl {

std::string take_errors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace cascade::ossl
