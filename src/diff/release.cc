#include "diff/release.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <map>

#include <nlohmann/json.hpp>

#include "core/input_file.h"
#include "core/mapped_file.h"
#include "diff/install_scripts.h"
#include "diff/line_diff.h"
#include "inspect/file_report_json.h"
#include "scan/catalogs.h"
#include "scan/saved_report.h"
#include "scan/scanner.h"

namespace cascade::diff {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

std::string trim_slashes(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

// Keys are compared case-insensitively (Windows install paths are), except where two files of
// one release differ only in case: those keep their case so neither is lost.
void assign_keys(std::vector<ReleaseFile>& files) {
  std::map<std::string, std::size_t> count;
  for (const auto& f : files) ++count[lower(f.key)];
  for (auto& f : files) {
    if (count[lower(f.key)] == 1) f.key = lower(f.key);
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const ReleaseFile& a, const ReleaseFile& b) { return a.key < b.key; });
  // The same path twice (overlapping roots, a crafted report): number the repeats.
  std::string previous;
  std::size_t repeat = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i > 0 && files[i].key == previous) {
      files[i].key += '#' + std::to_string(++repeat + 1);
    } else {
      previous = files[i].key;
      repeat = 0;
    }
  }
}

// Which roots are single files: a file record carries exactly the root's path. `strip` drops
// leading components of the keys of a single-file root (ReleaseOptions::strip_prefix).
void add_files(Release& release, std::vector<ReleaseFile> files,
               const std::vector<std::string>& roots, std::size_t strip = 0) {
  std::vector<std::string> trimmed;
  trimmed.reserve(roots.size());
  for (const auto& r : roots) trimmed.push_back(trim_slashes(r));
  std::vector<bool> root_is_file(trimmed.size(), false);
  for (const auto& f : files) {
    for (std::size_t i = 0; i < trimmed.size(); ++i)
      root_is_file[i] = root_is_file[i] || f.facts.path == trimmed[i];
  }
  for (auto& f : files) {
    f.key = f.facts.path;
    for (std::size_t i = 0; i < trimmed.size(); ++i) {
      const std::string& root = trimmed[i];
      if (f.facts.path == root || f.facts.path.starts_with(root + (root_is_file[i] ? '!' : '/'))) {
        f.key = install_path(f.facts.path, root, root_is_file[i]);
        if (strip > 0 && root_is_file[i]) {
          const bool deb = ends_with_ci(root, ".deb") || ends_with_ci(root, ".udeb");
          f.key = strip_components(f.key, strip, deb);
        }
        break;
      }
    }
    release.files.push_back(std::move(f));
  }
  assign_keys(release.files);
}

// An inspect document lists files, not a tree: keys are paths below their common directory.
std::vector<std::string> common_directory(const std::vector<ReleaseFile>& files) {
  if (files.empty()) return {};
  std::string prefix = files.front().facts.path;
  for (const auto& f : files) {
    const std::string& path = f.facts.path;
    std::size_t n = 0;
    while (n < prefix.size() && n < path.size() && prefix[n] == path[n]) ++n;
    prefix.resize(n);
  }
  const auto slash = prefix.rfind('/');
  if (slash == std::string::npos) return {};
  return {prefix.substr(0, slash)};
}

}  // namespace

std::string install_path(const std::string& path, const std::string& root, bool root_is_file) {
  const std::string base = trim_slashes(root);
  std::string rest = path;
  if (path == base) return "";
  if (path.starts_with(base + (root_is_file ? '!' : '/'))) rest = path.substr(base.size() + 1);
  std::replace(rest.begin(), rest.end(), '\\', '/');
  while (rest.starts_with("/")) rest.erase(0, 1);
  // Drop an MSI's media cabinet: the cabinet's entries are already named by install path.
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto bang = rest.find(scan::kNestSeparator, start);
    parts.push_back(
        rest.substr(start, bang == std::string::npos ? std::string::npos : bang - start));
    if (bang == std::string::npos) break;
    start = bang + 1;
  }
  const bool root_msi = root_is_file && ends_with_ci(base, ".msi");
  std::string key;
  bool first = true;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool after_msi = i == 0 ? root_msi : ends_with_ci(parts[i - 1], ".msi");
    const bool has_children = i + 1 < parts.size();
    if (after_msi && has_children && ends_with_ci(parts[i], ".cab")) continue;
    if (!first) key += scan::kNestSeparator;
    key += parts[i];
    first = false;
  }
  return key;
}

std::string strip_components(const std::string& key, std::size_t count, bool root_is_deb) {
  struct Component {
    std::string_view text;
    char separator;  // the one before it ('\0' for the first)
  };
  std::vector<Component> parts;
  const std::string_view k(key);
  std::size_t start = 0;
  char separator = '\0';
  while (start <= k.size()) {
    const auto end = std::min(k.find_first_of("/!", start), k.size());
    const std::string_view part = k.substr(start, end - start);
    if (!part.empty() && part != ".") {
      parts.push_back({part, separator});
      separator = '\0';
    }
    if (end == k.size()) break;
    // Across a dropped "." the container boundary ('!') is the one that counts.
    if (separator != scan::kNestSeparator) separator = k[end];
    start = end + 1;
  }
  if (root_is_deb && parts.size() >= 2 && parts[0].text.starts_with("control.tar") &&
      parts[1].separator == scan::kNestSeparator) {
    // Maintainer scripts and the control file, named as in the package's source tree.
    std::string out = "DEBIAN";
    for (std::size_t i = 1; i < parts.size(); ++i) out += '/' + std::string(parts[i].text);
    return out;
  }
  if (parts.size() <= count) return key;
  std::string out;
  for (std::size_t i = count; i < parts.size(); ++i) {
    if (i > count) out += parts[i].separator;
    out += parts[i].text;
  }
  return out;
}

Result<Release> release_from_report(std::string_view text, const std::string& source) {
  auto report = scan::read_saved_report(text, source);
  if (!report) return report.error();
  std::vector<ReleaseFile> files;
  for (const nlohmann::json* file : report->files()) files.push_back({{}, facts_from_json(*file)});
  Release release{.source = source, .kind = ReleaseKind::kReport};
  const auto roots =
      report->schema == scan::SavedReportSchema::kInspect ? common_directory(files) : report->roots;
  add_files(release, std::move(files), roots);
  return release;
}

namespace {

bool looks_like_report(const std::string& path) {
  if (!path.ends_with(".json") && !path.ends_with(".jsonl")) return false;
  auto file = InputFile::open(path);
  if (!file) return false;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(file->fd(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    for (ssize_t i = 0; i < n; ++i) {
      if (!std::isspace(static_cast<unsigned char>(buffer[i]))) return buffer[i] == '{';
    }
  }
}

Result<Release> release_from_file(const std::string& path) {
  auto text = read_whole_file(path, kMaxReportBytes);
  if (!text) return text.error();
  return release_from_report(*text, path);
}

}  // namespace

Result<Release> load_release(const std::string& path, const ReleaseOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(ErrorCode::kIo, path + ": no such file or directory");
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kIo, path + ": " + file_type_name(st.st_mode) +
                                          ", not a regular file or directory; refused");
  }
  if (S_ISREG(st.st_mode) && looks_like_report(path)) return release_from_file(path);

  scan::ScanOptions scan_options;
  scan_options.inspect.trust = options.trust;
  scan_options.inspect.now = options.now;
  scan_options.limits = options.limits;
  scan_options.walk.threads = std::max(1u, options.threads);
  std::optional<scan::CatalogSet> catalogs;
  if (options.trust != nullptr) {
    catalogs =
        scan::load_scan_catalogs({path}, options.catalogs, true, *options.trust, options.now);
    if (!catalogs->index.empty()) scan_options.inspect.catalogs = &catalogs->index;
  }
  // Install scripts are read from the same single read of each file that inspects it.
  // Every worker asks at once; the total kept stays under kMaxKeptBytes.
  std::atomic<std::uint64_t> kept{0};
  std::atomic<bool> over{false};
  scan_options.keep_bytes = [&, keep_text = options.keep_text](const std::string& name,
                                                               Bytes data) {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    const bool wanted = (data.size() <= kMaxScriptFileBytes && may_hold_install_script(name)) ||
                        (keep_text && data.size() <= kMaxTextBytes && looks_like_text(text));
    if (!wanted) return false;
    if (kept.fetch_add(data.size()) + data.size() > kMaxKeptBytes) {
      over = true;
      return false;
    }
    return true;
  };
  std::vector<ReleaseFile> files;
  scan::ScanStats stats;
  scan::run_scan({path}, scan_options, stats, [&](scan::ScannedFile&& scanned) {
    return [&files, f = facts_from_json(file_report_json(scanned.report)),
            bytes = std::move(scanned.bytes)]() mutable {
      files.push_back({{}, std::move(f), std::move(bytes)});
    };
  });
  Release release{.source = path,
                  .kind = S_ISDIR(st.st_mode) ? ReleaseKind::kDirectory : ReleaseKind::kFile};
  if (catalogs) release.notes = std::move(catalogs->notes);
  if (over) {
    release.notes.push_back(path + ": more than " + std::to_string(kMaxKeptBytes >> 20) +
                            " MiB of scripts and text files; the rest were not read, so their "
                            "install scripts and line diffs are missing");
  }
  add_files(release, std::move(files), {path}, options.strip_prefix);
  return release;
}

}  // namespace cascade::diff
