// YARA through libyara: rules compiled once, shared read-only by every scanning thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::scan {

struct RuleFileInfo {
  std::string path;
  std::string sha256;
};

struct YaraMatch {
  std::string rule;
  std::string rule_namespace;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> meta;  // values rendered as text
};

// The external variables rule sets written for LOKI and THOR test (signature-base's
// `filename == "..."`, `extension == ".jpg"`, `filetype == "EXE"`). Every rule set declares
// them, so such rules compile; each scan sets them for the file scanned.
struct YaraFileVariables {
  std::string filename;   // base name
  std::string filepath;   // the path as reported; inside a container "setup.msi!app/x.dll"
  std::string extension;  // of the base name, lower case with its dot (".exe"); "" when none
  std::string filetype;   // "EXE" for PE files (LOKI's name), else the format name upper-cased
};

// The variables of a file at `path` (`nested`: inside a container, where '\' and '!' separate
// names too) whose format inspect named `format` ("pe", "elf", "unknown", ...).
YaraFileVariables yara_file_variables(std::string_view path, bool nested, std::string_view format);

class YaraRules {
 public:
  // Compiles every .yar/.yara file given (directories: their rule files, recursively) into one
  // rule set. A syntax error fails with "FILE:LINE: message" for each error.
  static Result<YaraRules> compile(const std::vector<std::string>& paths);

  YaraRules(YaraRules&&) noexcept;
  YaraRules& operator=(YaraRules&&) noexcept;
  ~YaraRules();

  const std::vector<RuleFileInfo>& files() const;
  std::size_t rule_count() const;

  // Thread-safe. A scan error (timeout, too many matches) is an Error, never an exception.
  Result<std::vector<YaraMatch>> match(Bytes data, const YaraFileVariables& file = {}) const;

 private:
  YaraRules();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cascade::scan
