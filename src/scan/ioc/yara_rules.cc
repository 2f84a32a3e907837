#include "scan/ioc/yara_rules.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <set>

#include "core/digest.h"
#include "core/input_file.h"
#include "scan/ioc/yara_internal.h"

// libyara last: its headers define short macros.
#include <yara.h>

namespace cascade::scan {

namespace fs = std::filesystem;

namespace {

// libyara is initialised once and never finalised: rules may live until exit, and
// yr_finalize would tear down the modules under them.
int initialize_yara() {
  static std::once_flag once;
  static int result = ERROR_SUCCESS;
  std::call_once(once, [] { result = yr_initialize(); });
  return result;
}

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};
using CompilerPtr = std::unique_ptr<YR_COMPILER, CompilerDeleter>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct Diagnostics {
  std::string current_path;
  std::vector<std::string> errors;
};

void on_compiler_message(int level, const char* file, int line, const YR_RULE* /*rule*/,
                         const char* message, void* user) {
  // Warnings ("$a may slow down scanning") do not stop a rule set from working.
  if (level != YARA_ERROR_LEVEL_ERROR) return;
  auto* diagnostics = static_cast<Diagnostics*>(user);
  try {
    diagnostics->errors.push_back(
        (file != nullptr ? std::string(file) : diagnostics->current_path) + ":" +
        std::to_string(line) + ": " + message);
  } catch (...) {  // nothing may unwind through libyara's C frames
  }
}

// The names of YaraFileVariables' members, in their order.
constexpr const char* kFileVariableNames[] = {"filename", "filepath", "extension", "filetype"};

CompilerPtr new_compiler(Diagnostics& diagnostics) {
  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS) return nullptr;
  CompilerPtr compiler(raw);
  yr_compiler_set_callback(compiler.get(), on_compiler_message, &diagnostics);
  for (const char* name : kFileVariableNames) {
    if (yr_compiler_define_string_variable(compiler.get(), name, "") != ERROR_SUCCESS) {
      return nullptr;
    }
  }
  return compiler;
}

struct ScannerDeleter {
  void operator()(YR_SCANNER* s) const { yr_scanner_destroy(s); }
};
using ScannerPtr = std::unique_ptr<YR_SCANNER, ScannerDeleter>;

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool rule_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".yar" || ext == ".yara";
}

// Rules of different files may reuse names, so each file gets its own namespace: its stem,
// made unique with a numeric suffix.
std::string namespace_for(const std::string& path, std::set<std::string>& used) {
  const std::string stem = fs::path(path).stem().string();
  std::string name = stem.empty() ? "rules" : stem;
  for (int n = 2; !used.insert(name).second; ++n) name = stem + "-" + std::to_string(n);
  return name;
}

struct ScanState {
  std::vector<YaraMatch> matches;
  std::string too_many;  // the string that hit libyara's match limit
  bool failed = false;
};

int on_scan_message(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  auto* state = static_cast<ScanState*>(user);
  try {
    if (message == CALLBACK_MSG_RULE_MATCHING) {
      const auto* rule = static_cast<const YR_RULE*>(data);
      YaraMatch m;
      m.rule = rule->identifier;
      m.rule_namespace = rule->ns != nullptr && rule->ns->name != nullptr ? rule->ns->name : "";
      const char* tag = nullptr;
      yr_rule_tags_foreach(rule, tag) {
        m.tags.emplace_back(tag);
      }
      const YR_META* meta = nullptr;
      yr_rule_metas_foreach(rule, meta) {
        std::string value;
        switch (meta->type) {
          case META_TYPE_INTEGER:
            value = std::to_string(meta->integer);
            break;
          case META_TYPE_BOOLEAN:
            value = meta->integer != 0 ? "true" : "false";
            break;
          default:
            value = meta->string != nullptr ? meta->string : "";
            break;
        }
        m.meta.emplace_back(meta->identifier, std::move(value));
      }
      state->matches.push_back(std::move(m));
    } else if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
      // Continuing would evaluate the rule on a truncated match list; stop with an error.
      const auto* string = static_cast<const YR_STRING*>(data);
      state->too_many = std::string("string ") + string->identifier;
      if (context != nullptr && context->rules != nullptr) {
        state->too_many +=
            std::string(" of rule ") + context->rules->rules_table[string->rule_idx].identifier;
      }
      return CALLBACK_ERROR;
    }
  } catch (...) {
    state->failed = true;
    return CALLBACK_ERROR;
  }
  return CALLBACK_CONTINUE;
}

}  // namespace

YaraFileVariables yara_file_variables(std::string_view path, bool nested, std::string_view format) {
  YaraFileVariables out;
  out.filepath = std::string(path);
  const auto cut = path.find_last_of(nested ? "/\\!" : "/");
  out.filename = std::string(cut == std::string_view::npos ? path : path.substr(cut + 1));
  // As Python's os.path.splitext, which LOKI uses: a leading dot starts no extension.
  const auto dot = out.filename.find_last_of('.');
  const auto stem_start = out.filename.find_first_not_of('.');
  if (dot != std::string::npos && stem_start != std::string::npos && dot > stem_start) {
    out.extension = lower_ascii(std::string_view(out.filename).substr(dot));
  }
  out.filetype = format == "pe" ? "EXE" : upper_ascii(format);
  return out;
}

namespace yara {

Error scan_error(int code, std::string_view detail) {
  const std::string extra = detail.empty() ? "" : " (" + std::string(detail) + ")";
  switch (code) {
    case ERROR_SCAN_TIMEOUT:
      return make_error(ErrorCode::kLimit, "YARA scan timed out after " +
                                               std::to_string(kScanTimeoutSeconds) + " s" + extra);
    case ERROR_TOO_MANY_MATCHES:
      return make_error(ErrorCode::kLimit, "YARA: too many matches" + extra);
    case ERROR_INSUFFICIENT_MEMORY:
      return make_error(ErrorCode::kLimit, "YARA ran out of memory" + extra);
    case ERROR_EXEC_STACK_OVERFLOW:
      return make_error(ErrorCode::kLimit,
                        "YARA condition evaluation overflowed its stack" + extra);
    case ERROR_TOO_MANY_SCAN_THREADS:
      return make_error(ErrorCode::kLimit, "YARA: too many concurrent scans" + extra);
    case ERROR_CALLBACK_ERROR:
      return make_error(ErrorCode::kLimit, "YARA: collecting the matches failed" + extra);
    default:
      return make_error(ErrorCode::kUnsupported,
                        "YARA scan failed (libyara error " + std::to_string(code) + ")" + extra);
  }
}

Result<std::vector<std::string>> rule_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec) return make_error(ErrorCode::kIo, path + ": cannot read: " + ec.message());
    if (fs::is_regular_file(status)) {
      files.push_back(path);
      continue;
    }
    if (!fs::is_directory(status)) {
      struct stat st {};
      const char* what = ::stat(path.c_str(), &st) == 0 ? file_type_name(st.st_mode) : "unknown";
      return make_error(ErrorCode::kIo, path + ": " + what + ", not a rule file or directory");
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_regular_file(type_ec) && rule_extension(it->path())) {
        found.push_back(it->path().string());
      }
    }
    if (ec) return make_error(ErrorCode::kIo, path + ": cannot list: " + ec.message());
    if (found.empty()) {
      return make_error(ErrorCode::kUsage, path + ": no .yar or .yara rule files in the directory");
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  if (files.empty()) return make_error(ErrorCode::kUsage, "no YARA rule files given");
  // The same file twice (named and inside a named directory) would report every match twice.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (auto& f : files) {
    std::error_code ec;
    const auto canonical = fs::weakly_canonical(f, ec);
    if (seen.insert(ec ? f : canonical.string()).second) unique.push_back(std::move(f));
  }
  return unique;
}

}  // namespace yara

struct YaraRules::Impl {
  YR_RULES* rules = nullptr;
  std::vector<RuleFileInfo> files;
  ~Impl() {
    if (rules != nullptr) yr_rules_destroy(rules);
  }
};

YaraRules::YaraRules() : impl_(std::make_unique<Impl>()) {}
YaraRules::YaraRules(YaraRules&&) noexcept = default;
YaraRules& YaraRules::operator=(YaraRules&&) noexcept = default;
YaraRules::~YaraRules() = default;

Result<YaraRules> YaraRules::compile(const std::vector<std::string>& paths) {
  if (const int rc = initialize_yara(); rc != ERROR_SUCCESS) {
    return make_error(ErrorCode::kUnsupported,
                      "libyara could not be initialised (error " + std::to_string(rc) + ")");
  }
  auto files = yara::rule_files(paths);
  if (!files) return files.error();

  Diagnostics diagnostics;
  CompilerPtr compiler = new_compiler(diagnostics);
  if (!compiler) return make_error(ErrorCode::kLimit, "libyara could not create a compiler");
  YaraRules result;
  std::set<std::string> namespaces;
  bool failed = false;
  for (const auto& path : *files) {
    diagnostics.current_path = path;
    auto input = InputFile::open(path);
    if (!input) {
      diagnostics.errors.push_back(path + ": cannot read: " + input.error().message);
      failed = true;
      continue;
    }
    FilePtr file(::fdopen(input->fd(), "rb"));
    if (!file) {
      diagnostics.errors.push_back(path + ": cannot read: " + std::strerror(errno));
      failed = true;
      continue;
    }
    (void)input->release();  // the FILE owns the descriptor now
    // Hash and compile the same open file, so the recorded digest is of the rules used.
    Hasher hasher(DigestAlgorithm::kSha256);
    std::uint8_t buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
      hasher.update(Bytes(buffer, n));
    if (std::ferror(file.get()) != 0) {
      diagnostics.errors.push_back(path + ": cannot read: " + std::strerror(errno));
      failed = true;
      continue;
    }
    std::rewind(file.get());
    result.impl_->files.push_back(RuleFileInfo{path, to_hex(hasher.finish())});
    const std::string ns = namespace_for(path, namespaces);
    const std::size_t errors_before = diagnostics.errors.size();
    int file_errors = 0;
    if (!failed) {
      file_errors = yr_compiler_add_file(compiler.get(), file.get(), ns.c_str(), path.c_str());
    } else {
      // A compiler takes no more input after an error; check the remaining files on their own
      // so one run reports every error.
      Diagnostics scratch_diagnostics;
      scratch_diagnostics.current_path = path;
      CompilerPtr scratch = new_compiler(scratch_diagnostics);
      if (scratch) {
        file_errors = yr_compiler_add_file(scratch.get(), file.get(), ns.c_str(), path.c_str());
      }
      diagnostics.errors.insert(diagnostics.errors.end(), scratch_diagnostics.errors.begin(),
                                scratch_diagnostics.errors.end());
    }
    if (file_errors > 0) {
      failed = true;
      if (diagnostics.errors.size() == errors_before) {
        diagnostics.errors.push_back(path + ": the rules could not be compiled");
      }
    }
  }
  if (failed) {
    std::string message;
    for (const auto& e : diagnostics.errors) message += (message.empty() ? "" : "\n") + e;
    return make_error(ErrorCode::kMalformed, message);
  }
  if (yr_compiler_get_rules(compiler.get(), &result.impl_->rules) != ERROR_SUCCESS) {
    return make_error(ErrorCode::kLimit, "libyara could not build the compiled rules");
  }
  return result;
}

const std::vector<RuleFileInfo>& YaraRules::files() const {
  static const std::vector<RuleFileInfo> kNone;
  return impl_ ? impl_->files : kNone;  // a moved-from set is empty
}

std::size_t YaraRules::rule_count() const {
  return impl_ && impl_->rules != nullptr ? impl_->rules->num_rules : 0;
}

Result<std::vector<YaraMatch>> YaraRules::match(Bytes data, const YaraFileVariables& file) const {
  if (!impl_ || impl_->rules == nullptr) return std::vector<YaraMatch>{};
  // A scanner of its own for every scan, as yr_rules_scan_mem makes one, so each file's
  // variables stay its own while threads share the compiled rules.
  YR_SCANNER* raw = nullptr;
  if (const int rc = yr_scanner_create(impl_->rules, &raw); rc != ERROR_SUCCESS) {
    return yara::scan_error(rc, "");
  }
  ScannerPtr scanner(raw);
  const std::string* values[] = {&file.filename, &file.filepath, &file.extension, &file.filetype};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    const int rc =
        yr_scanner_define_string_variable(scanner.get(), kFileVariableNames[i], values[i]->c_str());
    if (rc != ERROR_SUCCESS) return yara::scan_error(rc, kFileVariableNames[i]);
  }
  ScanState state;
  yr_scanner_set_callback(scanner.get(), on_scan_message, &state);
  yr_scanner_set_flags(scanner.get(), SCAN_FLAGS_REPORT_RULES_MATCHING);
  yr_scanner_set_timeout(scanner.get(), yara::kScanTimeoutSeconds);
  static const std::uint8_t kEmpty = 0;
  const int rc =
      yr_scanner_scan_mem(scanner.get(), data.empty() ? &kEmpty : data.data(), data.size());
  if (rc != ERROR_SUCCESS) return yara::scan_error(rc, state.too_many);
  if (state.failed) return yara::scan_error(ERROR_CALLBACK_ERROR, "");
  return std::move(state.matches);
}

}  // namespace cascade::scan
