#include "diff/differ.h"

#include <algorithm>
#include <unordered_map>

#include "core/finding_catalogue.h"
#include "diff/delta.h"

namespace cascade::diff {

namespace {

bool validly_signed(const FileFacts& f) {
  return f.signature && f.signature->verifies && !f.signature->adhoc;
}

// The CN of an RFC 2253 subject ("CN=Example Corp,O=Example,C=US" -> "Example Corp").
std::string common_name(const std::string& subject) {
  std::size_t at = 0;
  while (at < subject.size()) {
    if (subject.compare(at, 3, "CN=") == 0) {
      std::string cn;
      for (std::size_t i = at + 3; i < subject.size(); ++i) {
        if (subject[i] == '\\' && i + 1 < subject.size()) {
          cn += subject[++i];
        } else if (subject[i] == ',') {
          break;
        } else {
          cn += subject[i];
        }
      }
      return cn;
    }
    // Next attribute: after an unescaped comma.
    while (at < subject.size() && subject[at] != ',') at += subject[at] == '\\' ? 2 : 1;
    ++at;
  }
  return "";
}

bool signer_matches(const std::string& expected, const SignatureFacts& s) {
  return !s.adhoc && (expected == s.signer || expected == common_name(s.signer));
}

// Why no signature of the NEW file satisfies the policy's signer, or nothing when one does.
// A signer is a key, not a name: the name counts only on a chain to a trusted anchor, and the
// pins compare certificates.
std::optional<std::string> signer_problem(const PathPolicy& policy, const FileFacts& n) {
  std::optional<std::string> first;
  auto note = [&](std::string why) {
    if (!first) first = std::move(why);
  };
  bool any_valid = false;
  for (const auto& s : n.signatures) {
    if (!s.verifies || s.adhoc) continue;
    any_valid = true;
    if (policy.signer && !signer_matches(*policy.signer, s)) {
      note("expected " + *policy.signer + ", found " + describe_signer(s));
    } else if (!s.trusted) {
      note("signed in the name of " + (policy.signer ? *policy.signer : s.signer) +
           " by a certificate that chains to no trusted anchor (" + describe_signer(s) +
           "): a look-alike, not the expected key");
    } else if (policy.signer_sha256 && s.thumbprint != *policy.signer_sha256) {
      note("expected signer certificate " + policy.signer_sha256->substr(0, 16) + "..., found " +
           s.thumbprint.substr(0, 16) + "... (" + describe_signer(s) + ")");
    } else if (policy.anchor_sha256 && s.anchor != *policy.anchor_sha256) {
      note("expected a chain to anchor " + policy.anchor_sha256->substr(0, 16) +
           "..., found one to " +
           (s.anchor.empty() ? std::string("none") : s.anchor.substr(0, 16) + "..."));
    } else {
      return std::nullopt;
    }
  }
  if (!any_valid) {
    return "expected a valid signature" +
           (policy.signer ? " by " + *policy.signer : std::string()) + ", found " +
           (n.signature ? "one that does not verify" : "none");
  }
  return first;
}

int status_rank(ChangeStatus s) {
  switch (s) {
    case ChangeStatus::kModified:
      return 0;
    case ChangeStatus::kAdded:
      return 1;
    case ChangeStatus::kRemoved:
      return 2;
    case ChangeStatus::kMoved:
      return 3;
    case ChangeStatus::kUnchanged:
      return 4;
  }
  return 5;
}

// Findings the baseline itself raises for the NEW file at `key`.
void apply_policy_checks(const PathPolicy& policy, const FileFacts& n, std::vector<Finding>& out) {
  if (policy.sha256 && *policy.sha256 != n.sha256) {
    out.push_back(make_finding(
        findings::kDiffPinMismatch,
        "pinned " + policy.sha256->substr(0, 16) + "..., found " + n.sha256.substr(0, 16) + "..."));
  }
  if (policy.signer || policy.signer_sha256 || policy.anchor_sha256) {
    if (auto problem = signer_problem(policy, n)) {
      out.push_back(make_finding(findings::kDiffUnexpectedSigner, *problem));
    }
  }
}

void finish(FileDiff& file, const PathPolicy& policy, std::vector<Finding> findings,
            DiffSummary& summary) {
  for (auto& f : findings) {
    if (f.is(findings::kDiffSilentChange) && policy.third_party) f.severity = Severity::kHigh;
    bool expected = policy.expects(f.id);
    if (f.is(findings::kDiffCapabilityGained)) {
      // The message starts with the capability's id (see compare_capabilities).
      expected = policy.expects_capability(f.message.substr(0, f.message.find(' ')));
    }
    if (expected) {
      ++summary.expected;
    } else {
      file.risk += risk_weight(f.severity);
      ++summary.findings[f.severity];
    }
    file.findings.push_back({std::move(f), expected});
  }
  std::stable_sort(file.findings.begin(), file.findings.end(),
                   [](const DiffFinding& a, const DiffFinding& b) {
                     if (a.expected != b.expected) return !a.expected;
                     return a.finding.severity > b.finding.severity;
                   });
}

// The entry of the file at `key`: the one whose NEW (`new_side`) or OLD path is that file's.
FileDiff& file_for(DiffResult& result, const Release& release, const std::string& key,
                   bool new_side) {
  std::string path;
  for (const auto& f : release.files) {
    if (f.key == key) path = f.facts.path;
  }
  for (auto& f : result.files) {
    if ((new_side ? f.new_path : f.old_path) == path) return f;
  }
  // Not listed: the file has the same digest on both sides (unchanged files are listed only
  // with --all, and were counted), which a changed script's file cannot have; total anyway.
  return result.files.emplace_back(FileDiff{.key = key,
                                            .old_path = new_side ? "" : path,
                                            .new_path = new_side ? path : "",
                                            .status = ChangeStatus::kUnchanged});
}

// Each script change becomes a finding on the file holding the script.
void add_script_findings(const Release& old_release, const Release& new_release,
                         const Baseline& baseline, DiffResult& result) {
  for (auto& change : compare_install_scripts(old_release, new_release)) {
    FileDiff& file =
        file_for(result, change.in_new ? new_release : old_release, change.file_key, change.in_new);
    file.install_scripts.push_back(std::move(change.change));
    finish(file, baseline.policy_for(file.key), {std::move(change.finding)}, result.summary);
  }
}

}  // namespace

std::string_view status_name(ChangeStatus status) {
  switch (status) {
    case ChangeStatus::kModified:
      return "modified";
    case ChangeStatus::kAdded:
      return "added";
    case ChangeStatus::kRemoved:
      return "removed";
    case ChangeStatus::kMoved:
      return "moved";
    case ChangeStatus::kUnchanged:
      return "unchanged";
  }
  return "unknown";
}

std::uint64_t risk_weight(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return 100;
    case Severity::kHigh:
      return 40;
    case Severity::kMedium:
      return 15;
    case Severity::kLow:
      return 5;
    case Severity::kInfo:
      return 1;
  }
  return 0;
}

DiffResult diff_releases(const Release& old_release, const Release& new_release,
                         const DiffOptions& options) {
  const CapabilitySet& capabilities =
      options.capabilities != nullptr ? *options.capabilities : CapabilitySet::builtin();
  const Baseline kNoBaseline;
  const Baseline& baseline = options.baseline != nullptr ? *options.baseline : kNoBaseline;
  DiffResult result;
  auto& summary = result.summary;

  std::unordered_map<std::string, const ReleaseFile*> old_by_key;
  bool release_was_signed = false;
  for (const auto& f : old_release.files) {
    old_by_key.emplace(f.key, &f);
    release_was_signed = release_was_signed || validly_signed(f.facts);
  }
  std::unordered_map<std::string, bool> old_seen;
  std::vector<const ReleaseFile*> added;
  for (const auto& nf : new_release.files) {
    const auto it = old_by_key.find(nf.key);
    if (it == old_by_key.end()) {
      added.push_back(&nf);
      continue;
    }
    old_seen[nf.key] = true;
    const FileFacts& o = it->second->facts;
    const FileFacts& n = nf.facts;
    const PathPolicy policy = baseline.policy_for(nf.key);
    std::vector<Finding> findings;
    if (policy.matched) apply_policy_checks(policy, n, findings);
    if (!o.sha256.empty() && o.sha256 == n.sha256 && findings.empty()) {
      ++summary.status[ChangeStatus::kUnchanged];
      if (options.list_unchanged) {
        result.files.push_back({.key = nf.key,
                                .old_path = o.path,
                                .new_path = n.path,
                                .status = ChangeStatus::kUnchanged});
      }
      continue;
    }
    FileDiff file{
        .key = nf.key, .old_path = o.path, .new_path = n.path, .status = ChangeStatus::kModified};
    if (o.sha256 != n.sha256 || o.sha256.empty()) {
      FileDelta delta = compare_files(o, n, capabilities);
      file.delta = std::move(delta.delta);
      file.capabilities_gained = std::move(delta.capabilities_gained);
      findings.insert(findings.end(), delta.findings.begin(), delta.findings.end());
      for (auto& f : new_inspection_findings(&o, n)) findings.push_back(std::move(f));
      const auto& old_text = it->second->content;
      const auto& new_text = nf.content;
      if (options.text_diffs && old_text && new_text && looks_like_text(*old_text) &&
          looks_like_text(*new_text)) {
        file.text_diff = unified_diff(*old_text, *new_text);
      }
    } else {
      file.status = ChangeStatus::kUnchanged;  // the baseline still had something to say
    }
    ++summary.status[file.status];
    finish(file, policy, std::move(findings), summary);
    result.files.push_back(std::move(file));
  }

  // Files only in OLD; then moves: an added file with the digest of a removed one.
  std::unordered_multimap<std::string, const ReleaseFile*> removed_by_digest;
  std::vector<const ReleaseFile*> removed;
  for (const auto& f : old_release.files) {
    if (old_seen.contains(f.key)) continue;
    removed.push_back(&f);
    if (!f.facts.sha256.empty()) removed_by_digest.emplace(f.facts.sha256, &f);
  }
  std::unordered_map<const ReleaseFile*, bool> moved_away;
  for (const ReleaseFile* nf : added) {
    const PathPolicy policy = baseline.policy_for(nf->key);
    std::vector<Finding> findings;
    if (policy.matched) apply_policy_checks(policy, nf->facts, findings);
    FileDiff file{.key = nf->key, .new_path = nf->facts.path, .status = ChangeStatus::kAdded};
    const auto from = nf->facts.sha256.empty() ? removed_by_digest.end()
                                               : removed_by_digest.find(nf->facts.sha256);
    if (from != removed_by_digest.end()) {
      file.status = ChangeStatus::kMoved;
      file.old_path = from->second->facts.path;
      moved_away[from->second] = true;
      removed_by_digest.erase(from);
    } else {
      for (auto& f : new_inspection_findings(nullptr, nf->facts)) findings.push_back(std::move(f));
      if (release_was_signed && nf->facts.binary && nf->facts.signable &&
          !validly_signed(nf->facts)) {
        findings.push_back(make_finding(
            findings::kDiffNewUnsignedBinary,
            std::string(file_format_name(nf->facts.format)) +
                " binary without a valid signature in a release whose files were signed"));
      }
    }
    ++summary.status[file.status];
    finish(file, policy, std::move(findings), summary);
    result.files.push_back(std::move(file));
  }
  for (const ReleaseFile* of : removed) {
    if (moved_away.contains(of)) continue;
    ++summary.status[ChangeStatus::kRemoved];
    result.files.push_back(
        {.key = of->key, .old_path = of->facts.path, .status = ChangeStatus::kRemoved});
  }
  add_script_findings(old_release, new_release, baseline, result);

  std::stable_sort(result.files.begin(), result.files.end(),
                   [](const FileDiff& a, const FileDiff& b) {
                     if (a.risk != b.risk) return a.risk > b.risk;
                     if (a.status != b.status) return status_rank(a.status) < status_rank(b.status);
                     return a.key < b.key;
                   });
  return result;
}

}  // namespace cascade::diff
