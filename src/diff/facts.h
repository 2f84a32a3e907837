// FileFacts: what `diff` compares about one file, read from inspect's JSON file object
// (docs/json-schema.md). Live trees and saved scan reports both go through that object, so a
// release diffed from its bits and from its saved report gives the same result by construction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/finding.h"
#include "inspect/file_format.h"

namespace cascade::diff {

// The file's own signature (Authenticode for PE/MSI, the code signature for Mach-O).
struct SignatureFacts {
  bool verifies = false;  // the signed digest matches and the signature over it is good
  bool trusted = false;   // a chain to a trusted root
  bool adhoc = false;     // Mach-O ad hoc: hashes only, no identity
  std::string signer;     // subject
  std::string issuer;
  std::string thumbprint;        // the signer certificate's SHA-256
  std::string anchor;            // the SHA-256 of the anchor its chain ends at, when trusted
  bool catalog = false;          // vouched for by a signed catalog, not embedded
  std::string digest_algorithm;  // "sha256", "sha1", ...
  std::string signed_digest;     // Authenticode digest or the Mach-O cdhash
};

struct SectionFacts {
  std::string name;
  std::uint64_t size = 0;
  double entropy = 0.0;
};

// An MSI CustomAction row as inspect's JSON gives it, written as text for install-script diffs.
struct CustomActionFacts {
  std::string action;
  std::string description;  // type, source, target and each schedule, one per line
};

struct FileFacts {
  std::string path;                          // as reported (nested paths joined with '!')
  FileFormat format = FileFormat::kUnknown;  // a name this version does not know reads as unknown
  std::uint64_t size = 0;
  std::string sha256;
  std::string error;
  bool binary = false;    // PE, ELF or Mach-O
  bool signable = false;  // a format whose files carry their own signature (PE, MSI, Mach-O)

  // Version information: PE VERSIONINFO strings and fixed versions, Mach-O dylib id version,
  // MSI ProductVersion. Empty when the format has none.
  std::map<std::string, std::string> version;
  std::map<std::string, std::string> header;  // machine, subsystem, type, flags, ...
  std::optional<std::uint64_t> entry_point;

  std::set<std::string> imports;           // "library!function" (library lower case, or "")
  std::set<std::string> import_functions;  // the function names alone
  std::set<std::string> import_libraries;  // lower case
  std::set<std::string> exports;
  std::vector<SectionFacts> sections;
  std::optional<std::uint64_t> overlay_size;
  double overlay_entropy = 0.0;

  std::optional<SignatureFacts> signature;  // the primary (outermost) signature
  std::vector<SignatureFacts> signatures;   // every top-level one, catalog signatures included
  std::size_t signature_count = 0;
  std::uint64_t unsigned_bytes = 0;  // certificate-table padding and trailing data

  std::vector<CustomActionFacts> custom_actions;  // MSI only

  std::vector<Finding> findings;
};

// Reads one inspect/scan file object. Never throws: fields of the wrong type are ignored, so a
// crafted report yields fewer facts, not a crash.
FileFacts facts_from_json(const nlohmann::json& file);

}  // namespace cascade::diff
