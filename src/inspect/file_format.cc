#include "inspect/file_format.h"

namespace cascade {

std::string_view file_format_name(FileFormat format) {
  switch (format) {
    case FileFormat::kUnknown:
      return "unknown";
    case FileFormat::kPe:
      return "pe";
    case FileFormat::kElf:
      return "elf";
    case FileFormat::kMacho:
      return "macho";
    case FileFormat::kMachoFat:
      return "macho-fat";
    case FileFormat::kMsi:
      return "msi";
    case FileFormat::kCatalog:
      return "catalog";
    case FileFormat::kArchive:
      return "archive";
    case FileFormat::kAsar:
      return "asar";
  }
  return "unknown";
}

std::optional<FileFormat> file_format_from_name(std::string_view name) {
  for (FileFormat format : kAllFileFormats) {
    if (file_format_name(format) == name) return format;
  }
  return std::nullopt;
}

}  // namespace cascade
