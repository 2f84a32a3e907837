// imphash, byte for byte as pefile's get_imphash() (the value VirusTotal shows).
#include <algorithm>
#include <cctype>

#include "core/digest.h"
#include "formats/pe/ordinal_names.h"
#include "formats/pe/pe_image.h"

namespace cascade::pe {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

std::string imphash(const PeImage& image) {
  std::string joined;
  bool any = false;
  for (const auto& dll : image.imports) {
    if (dll.delay_load) continue;  // pefile hashes DIRECTORY_ENTRY_IMPORT only
    any = true;
    std::string lib = lower(dll.name);
    // Drop one extension, and only these three (so "foo.drv" keeps its ".drv").
    if (auto dot = lib.rfind('.'); dot != std::string::npos) {
      const std::string ext = lib.substr(dot + 1);
      if (ext == "dll" || ext == "ocx" || ext == "sys") lib.resize(dot);
    }
    for (const auto& fn : dll.functions) {
      std::string name;
      if (fn.ordinal) {
        name = ordinal_name(lower(dll.name), *fn.ordinal)
                   .value_or("ord" + std::to_string(*fn.ordinal));
      } else {
        name = fn.name_valid ? fn.name : "*invalid*";
      }
      if (name.empty()) continue;
      if (!joined.empty()) joined += ',';
      joined += lib;
      joined += '.';
      joined += lower(name);
    }
  }
  if (!any) return "";
  const auto* p = reinterpret_cast<const std::uint8_t*>(joined.data());
  return to_hex(digest(DigestAlgorithm::kMd5, Bytes(p, joined.size())));
}

}  // namespace cascade::pe
