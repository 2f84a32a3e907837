// The formats cascade tells files apart by: a closed set, spelt as text only in reports.
#pragma once

#include <optional>
#include <string_view>

namespace cascade {

enum class FileFormat {
  kUnknown,  // none cascade reads (an OLE file that holds no installer database too)
  kPe,       // PE/COFF image, or an MZ file too damaged to be one
  kElf,
  kMacho,     // a thin Mach-O image
  kMachoFat,  // a universal (fat) Mach-O file: several slices
  kMsi,       // Windows Installer package
  kCatalog,   // signed Windows catalog (.cat)
  kArchive,   // anything libarchive opens; only scan names it, on opening it
  kAsar,      // Electron app.asar; only scan names it, on opening it
};

// Every format, in declaration order.
inline constexpr FileFormat kAllFileFormats[] = {
    FileFormat::kUnknown, FileFormat::kPe,       FileFormat::kElf,
    FileFormat::kMacho,   FileFormat::kMachoFat, FileFormat::kMsi,
    FileFormat::kCatalog, FileFormat::kArchive,  FileFormat::kAsar,
};

// The name reports print ("pe", "macho-fat", ...): the JSON "format" value and the text summary.
std::string_view file_format_name(FileFormat format);

// The format a saved report names; nullopt for a name this version does not know.
std::optional<FileFormat> file_format_from_name(std::string_view name);

}  // namespace cascade
