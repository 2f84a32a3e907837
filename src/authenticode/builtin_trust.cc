#include "authenticode/builtin_trust.h"

// Each file is included byte for byte by the assembler (.incbin), with a symbol at each end.
// CASCADE_TRUST_DATA_DIR is set by the build; the object depends on the files (sources.cmake).
#define CASCADE_EMBED(name, file)                                                                 \
  __asm__(".section .rodata\n.balign 16\n.globl " #name "_begin\n.hidden " #name "_begin\n" #name \
          "_begin:\n.incbin \"" CASCADE_TRUST_DATA_DIR "/" file "\"\n.globl " #name               \
          "_end\n.hidden " #name "_end\n" #name "_end:\n.byte 0\n.previous\n");                   \
  extern "C" const unsigned char name##_begin[];                                                  \
  extern "C" const unsigned char name##_end[];

CASCADE_EMBED(cascade_trust_authroot, "microsoft-authroot.stl")
CASCADE_EMBED(cascade_trust_roots, "microsoft-roots.pem")
CASCADE_EMBED(cascade_trust_secure_boot, "secure-boot.pem")
CASCADE_EMBED(cascade_trust_shim_vendor, "shim-vendor.pem")
CASCADE_EMBED(cascade_trust_apple, "apple-roots.pem")

namespace cascade::authenticode {

namespace {
Bytes span_of(const unsigned char* begin, const unsigned char* end) {
  return Bytes(begin, static_cast<std::size_t>(end - begin));
}
}  // namespace

Bytes builtin_trust_file(BuiltinTrustFile file) {
  switch (file) {
    case BuiltinTrustFile::kMicrosoftAuthroot:
      return span_of(cascade_trust_authroot_begin, cascade_trust_authroot_end);
    case BuiltinTrustFile::kMicrosoftRoots:
      return span_of(cascade_trust_roots_begin, cascade_trust_roots_end);
    case BuiltinTrustFile::kSecureBoot:
      return span_of(cascade_trust_secure_boot_begin, cascade_trust_secure_boot_end);
    case BuiltinTrustFile::kShimVendor:
      return span_of(cascade_trust_shim_vendor_begin, cascade_trust_shim_vendor_end);
    case BuiltinTrustFile::kApple:
      return span_of(cascade_trust_apple_begin, cascade_trust_apple_end);
  }
  return {};
}

}  // namespace cascade::authenticode
