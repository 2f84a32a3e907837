// The trust data compiled into cascade (data/trust/, with its provenance in data/trust/README.md),
// so the binary judges signatures with no data directory.
#pragma once

#include "core/byte_reader.h"

namespace cascade::authenticode {

enum class BuiltinTrustFile {
  kMicrosoftAuthroot,  // authroot.stl: Microsoft's signed root list
  kMicrosoftRoots,     // the roots it names (PEM)
  kSecureBoot,         // Secure Boot db certificates (PEM)
  kShimVendor,         // shim's vendor CA (PEM)
  kApple,              // Apple's roots (PEM)
};

Bytes builtin_trust_file(BuiltinTrustFile file);

}  // namespace cascade::authenticode
