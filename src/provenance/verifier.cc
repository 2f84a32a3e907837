#include "provenance/verifier.h"

#include <sys/stat.h>
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "core/finding_catalogue.h"
#include "core/time.h"
#include "diff/release.h"
#include "provenance/subject_names.h"
#include "scan/scanner.h"

namespace cascade::provenance {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool ends_with_ci(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && lower(text.substr(text.size() - suffix.size())) == suffix;
}

// Where a name came from, for messages: the statement's source and the subject's name.
std::string describe_subject(const SubjectBinding& binding) {
  return "\"" + binding.subject->name.substr(0, 200) + "\" (" + binding.attestation->source + ")";
}

// The name subjects are matched against: the install path, or the release file's base name.
std::string entry_name(const ReleaseEntry& entry) {
  if (!entry.key.empty()) return entry.key;
  const auto slash = entry.path.find_last_of('/');
  return slash == std::string::npos ? entry.path : entry.path.substr(slash + 1);
}

// The finding for a file no subject with its digest names.
Finding name_finding(const ReleaseEntry& entry, const SubjectBindings& bindings,
                     std::size_t index) {
  const SubjectBinding* same_content = bindings.with_digest(entry.sha256);
  const auto bound = bindings.of(index);
  if (!bound.empty()) {
    std::string message = bound.front().attestation->source + " attests this path with sha256 " +
                          bound.front().subject->sha256 + "; the release holds " + entry.sha256;
    if (same_content != nullptr) {
      message += ", which is attested as " + describe_subject(*same_content) +
                 ": files swapped or renamed after the build";
    } else {
      message += ": changed after it was built";
    }
    return make_finding(findings::kProvenanceSubjectMismatch, std::move(message));
  }
  const auto ambiguous = bindings.ambiguous(index);
  if (!ambiguous.empty()) {
    return make_finding(findings::kProvenanceUnattested,
                        "subject " + describe_subject(ambiguous.front()) +
                            " could name this file and others of the release, so it attests "
                            "none of them");
  }
  if (same_content != nullptr) {
    return make_finding(findings::kProvenanceUnattested,
                        "no verified statement names this path; its content is attested as " +
                            describe_subject(*same_content) + ", a copy under another name");
  }
  return make_finding(findings::kProvenanceUnattested, "no verified statement names this file");
}

// The statements with a subject that names this file and has its digest, each once.
std::vector<const Attestation*> attesting(std::span<const SubjectBinding> bound,
                                          const std::string& sha256) {
  std::vector<const Attestation*> out;
  for (const auto& binding : bound) {
    if (binding.subject->sha256 != sha256) continue;
    if (std::find(out.begin(), out.end(), binding.attestation) == out.end()) {
      out.push_back(binding.attestation);
    }
  }
  return out;
}

bool material_satisfies(const Material& material, const MaterialPin& pin) {
  return digests_agree(material.digest, pin.digest);
}

// The dependency a pin is about, by name or uri, for the mismatch message.
const Material* same_named(const BuildRecord& record, const MaterialPin& pin) {
  for (const auto& material : record.materials) {
    if (!pin.uri.empty() && material.uri == pin.uri) return &material;
    if (pin.name.empty()) continue;
    if (material.name == pin.name) return &material;
    const auto slash = material.uri.find_last_of('/');
    if (slash != std::string::npos && material.uri.substr(slash + 1) == pin.name) return &material;
  }
  return nullptr;
}

std::string describe_pin(const MaterialPin& pin) {
  std::string text = !pin.name.empty() ? pin.name : !pin.uri.empty() ? pin.uri : "a material";
  for (const auto& [algorithm, value] : pin.digest) {
    text += ' ';
    text += algorithm;
    text += ':';
    text += value;
  }
  return text;
}

std::string describe_digests(const DigestSet& digests) {
  std::string text;
  for (const auto& [algorithm, value] : digests) {
    if (!text.empty()) text += ' ';
    text += algorithm;
    text += ':';
    text += value;
  }
  return text.empty() ? "no digest" : text;
}

// Checks one file that verified statements name; returns the statements that pass every rule,
// or adds the finding for the first rule none passes.
void check_attested(const std::vector<const Attestation*>& statements, const FileRule* rule,
                    const Policy& policy, std::time_t at, FileResult& result) {
  std::vector<const Attestation*> allowed;
  for (const auto* statement : statements) {
    if (policy.builder_allowed(rule, statement->record.builder_id)) allowed.push_back(statement);
  }
  if (allowed.empty()) {
    std::string builders;
    for (const auto* statement : statements) {
      if (!builders.empty()) builders += ", ";
      builders += "\"" + statement->record.builder_id + "\" (" + statement->source + ")";
    }
    result.findings.push_back(make_finding(
        findings::kProvenanceUntrustedBuilder,
        "attested only by builders the policy does not allow for this path: " + builders));
    return;
  }
  if (rule != nullptr && !rule->materials.empty()) {
    std::vector<const Attestation*> built_right;
    std::string why;
    for (const auto* statement : allowed) {
      bool all = true;
      for (const auto& pin : rule->materials) {
        const auto& materials = statement->record.materials;
        if (std::any_of(materials.begin(), materials.end(),
                        [&](const Material& m) { return material_satisfies(m, pin); })) {
          continue;
        }
        all = false;
        if (why.empty()) {
          const Material* near = same_named(statement->record, pin);
          why = statement->source + " was built from " +
                (near != nullptr ? (near->name.empty() ? near->uri : near->name) + " " +
                                       describe_digests(near->digest)
                                 : "no such material") +
                "; the policy pins " + describe_pin(pin);
        }
        break;
      }
      if (all) built_right.push_back(statement);
    }
    if (built_right.empty()) {
      result.findings.push_back(make_finding(findings::kProvenanceMaterialMismatch, why));
      return;
    }
    allowed = std::move(built_right);
  }
  if (policy.max_age_seconds) {
    std::vector<const Attestation*> fresh;
    std::optional<std::time_t> newest;
    for (const auto* statement : allowed) {
      const auto time = statement->record.time();
      if (!time) continue;
      if (!newest || *time > *newest) newest = time;
      if (at - *time <= *policy.max_age_seconds) fresh.push_back(statement);
    }
    if (fresh.empty()) {
      result.findings.push_back(make_finding(
          findings::kProvenanceExpired,
          newest ? "the newest statement is from " + format_rfc3339(*newest) +
                       ", older than the policy's maximum age"
                 : "no statement records a build time, and the policy sets a maximum age"));
      return;
    }
    allowed = std::move(fresh);
  }
  result.verdict = FileVerdict::kAttested;
  for (const auto* statement : allowed) result.evidence.push_back(statement->source);
}

}  // namespace

std::string_view verdict_name(FileVerdict verdict) {
  switch (verdict) {
    case FileVerdict::kAttested:
      return "attested";
    case FileVerdict::kCovered:
      return "covered";
    case FileVerdict::kPinned:
      return "pinned";
    case FileVerdict::kIgnored:
      return "ignored";
    case FileVerdict::kFailed:
      return "failed";
  }
  return "failed";
}

ReleaseContents read_release(const std::string& root, const ReleaseReadOptions& options) {
  ReleaseContents contents;
  struct stat st {};
  contents.root_is_file = ::stat(root.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  scan::ScanOptions scan_options;
  scan_options.inspect.section_entropy = false;  // verify needs digests, not measurements
  scan_options.limits = options.limits;
  scan_options.walk.threads = options.threads;
  scan::ScanStats stats;
  scan::run_scan({root}, scan_options, stats, [&](scan::ScannedFile&& scanned) {
    ReleaseEntry entry;
    entry.path = std::move(scanned.report.path);
    entry.sha256 = std::move(scanned.report.hashes.sha256);
    entry.error = std::move(scanned.report.error);
    if (entry.error.empty() && entry.sha256.empty()) entry.error = "not read";
    const auto bang = entry.path.find_last_of(scan::kNestSeparator);
    if (scanned.depth > 0 && bang != std::string::npos) entry.parent = entry.path.substr(0, bang);
    entry.key = diff::install_path(entry.path, root, contents.root_is_file);
    entry.release_archive = scanned.depth == 0 && scanned.report.format == FileFormat::kArchive;
    return [&contents, entry = std::move(entry)]() mutable {
      contents.entries.push_back(std::move(entry));
    };
  });
  contents.bytes = stats.bytes;
  std::sort(contents.entries.begin(), contents.entries.end(),
            [](const ReleaseEntry& a, const ReleaseEntry& b) { return a.path < b.path; });
  // An MSI's media cabinet: a .cab directly inside an .msi that has entries of its own.
  for (std::size_t i = 0; i < contents.entries.size(); ++i) {
    auto& entry = contents.entries[i];
    if (entry.release_archive) {
      // Only a release that is one archive, and only one with entries: an archive with none
      // read (empty, or unreadable past its header) is checked as a file.
      const std::string prefix = entry.path + scan::kNestSeparator;
      entry.release_archive = contents.root_is_file && i + 1 < contents.entries.size() &&
                              contents.entries[i + 1].path.starts_with(prefix);
    }
    if (entry.parent.empty() || !ends_with_ci(entry.parent, ".msi") ||
        !ends_with_ci(entry.path, ".cab")) {
      continue;
    }
    const std::string prefix = entry.path + scan::kNestSeparator;
    entry.media_cabinet =
        i + 1 < contents.entries.size() && contents.entries[i + 1].path.starts_with(prefix);
  }
  return contents;
}

VerifyResult verify_release(const ReleaseContents& release,
                            const std::vector<Attestation>& attestations, const Policy& policy,
                            std::time_t at) {
  std::vector<std::string> names;
  names.reserve(release.entries.size());
  for (const auto& entry : release.entries) names.push_back(entry_name(entry));
  const SubjectBindings bindings(names, attestations);
  // Containers whose verdict speaks for their entries: attested, pinned or covered ones, and
  // those that failed a rule of a statement that names them (expired, wrong builder or
  // materials) or a pin, whose finding already says it all. Entries of an unattested or
  // swapped container are checked one by one, to point at what inside changed.
  std::unordered_map<std::string, bool> speaks_for_entries;
  VerifyResult out;
  // Sorted by path, a container comes before its entries ("a.msi" < "a.msi!x").
  for (std::size_t index = 0; index < release.entries.size(); ++index) {
    const ReleaseEntry& entry = release.entries[index];
    FileResult result{entry.path, entry.key, entry.sha256, FileVerdict::kFailed, {}, {}};
    const FileRule* rule = policy.rule_for(entry.key);
    bool covered = false;
    for (std::string parent = entry.parent; !parent.empty();) {
      const auto it = speaks_for_entries.find(parent);
      if (it != speaks_for_entries.end() && it->second) {
        covered = true;
        break;
      }
      const auto bang = parent.find_last_of(scan::kNestSeparator);
      parent = bang == std::string::npos ? "" : parent.substr(0, bang);
    }
    // The release archive no statement names: its entries are the release, checked one by one.
    const bool unnamed_archive =
        entry.release_archive && bindings.of(index).empty() && bindings.ambiguous(index).empty();
    if (!entry.error.empty()) {
      result.findings.push_back(make_finding(findings::kProvenanceUnreadable, entry.error));
    } else if (policy.ignored(entry.key) || entry.media_cabinet || unnamed_archive) {
      result.verdict = FileVerdict::kIgnored;
    } else if (rule != nullptr && !rule->pinned_sha256.empty()) {
      const auto& pins = rule->pinned_sha256;
      if (std::find(pins.begin(), pins.end(), entry.sha256) != pins.end()) {
        result.verdict = FileVerdict::kPinned;
      } else {
        result.findings.push_back(
            make_finding(findings::kProvenancePinnedMismatch,
                         "the policy pins this third-party file (" + rule->glob + ") to " +
                             pins.front().substr(0, 16) + "...; this is " + entry.sha256));
      }
    } else if (covered) {
      result.verdict = FileVerdict::kCovered;
    } else if (auto statements = attesting(bindings.of(index), entry.sha256); !statements.empty()) {
      check_attested(statements, rule, policy, at, result);
    } else {
      result.findings.push_back(name_finding(entry, bindings, index));
    }
    const bool speaks =
        result.verdict == FileVerdict::kAttested || result.verdict == FileVerdict::kPinned ||
        result.verdict == FileVerdict::kCovered ||
        std::any_of(result.findings.begin(), result.findings.end(), [](const Finding& f) {
          return f.is(findings::kProvenanceUntrustedBuilder) ||
                 f.is(findings::kProvenanceMaterialMismatch) ||
                 f.is(findings::kProvenanceExpired) || f.is(findings::kProvenancePinnedMismatch);
        });
    speaks_for_entries[entry.path] = speaks;
    out.files.push_back(std::move(result));
  }
  return out;
}

}  // namespace cascade::provenance
