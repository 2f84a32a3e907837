// elf-probe FILE...: one JSON line per file with what parse_elf() found (needed libraries,
// soname, build ID, interpreter, exported and imported dynamic symbol names, bare and as
// name@version, anomalies), or an "error". tests/peer/elf_vs_readelf.py compares these lines with
// readelf.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/file_loader.h"
#include "formats/elf/elf_image.h"

namespace {

nlohmann::json optional_text(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

// Symbol names, or "name@version" (just "name" when unversioned) with `versions`.
nlohmann::json names(const std::vector<cascade::elf::Symbol>& symbols, bool versions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : symbols) {
    out.push_back(versions && !s.version.empty() ? s.name + "@" + s.version : s.name);
  }
  return out;
}

nlohmann::json probe(cascade::FileLoader& loader, const std::string& path) {
  nlohmann::json line = {{"path", path}};
  auto bytes = loader.load(path);
  if (!bytes) {
    line["error"] = bytes.error().message;
    return line;
  }
  auto image = cascade::elf::parse_elf(*bytes);
  if (!image) {
    line["error"] = image.error().message;
    return line;
  }
  line["needed"] = image->needed;
  line["soname"] = optional_text(image->soname);
  line["build_id"] = optional_text(image->build_id);
  line["interpreter"] = optional_text(image->interpreter);
  line["exports"] = names(image->exports, false);
  line["imports"] = names(image->imports, false);
  line["versioned_exports"] = names(image->exports, true);
  line["versioned_imports"] = names(image->imports, true);
  line["anomalies"] = image->anomalies;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: elf-probe FILE...\n";
    return 2;
  }
  cascade::FileLoader loader;
  for (int i = 1; i < argc; ++i) {
    // Names from hostile files may hold invalid UTF-8: replace rather than throw.
    std::cout
        << probe(loader, argv[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
  }
  return 0;
}
