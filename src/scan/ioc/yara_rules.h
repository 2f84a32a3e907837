// YARA through libyara: rules compiled once, shared read-only by every scanning thread.
#pragma once

#include <memory>
#include <string>
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
  Result<std::vector<YaraMatch>> match(Bytes data) const;

 private:
  YaraRules();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cascade::scan
