#include "diff/delta.h"
#include "core/finding_catalogue.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace cascade::diff {

namespace {

using nlohmann::json;

json set_difference_json(const std::set<std::string>& from, const std::set<std::string>& minus) {
  json out = json::array();
  std::set_difference(from.begin(), from.end(), minus.begin(), minus.end(),
                      std::back_inserter(out));
  return out;
}

json changed_fields(const std::map<std::string, std::string>& old_map,
                    const std::map<std::string, std::string>& new_map) {
  json out = json::object();
  std::set<std::string> keys;
  for (const auto& [k, v] : old_map) keys.insert(k);
  for (const auto& [k, v] : new_map) keys.insert(k);
  for (const auto& k : keys) {
    const auto o = old_map.find(k);
    const auto n = new_map.find(k);
    const json ov = o == old_map.end() ? json(nullptr) : json(o->second);
    const json nv = n == new_map.end() ? json(nullptr) : json(n->second);
    if (ov != nv) out[k] = {{"old", ov}, {"new", nv}};
  }
  return out;
}

json signature_json(const std::optional<SignatureFacts>& s) {
  if (!s) return nullptr;
  return {{"verifies", s->verifies},
          {"trusted", s->trusted},
          {"adhoc", s->adhoc},
          {"signer", s->signer},
          {"issuer", s->issuer},
          {"thumbprint", s->thumbprint},
          {"digest_algorithm", s->digest_algorithm},
          {"signed_digest", s->signed_digest}};
}

int digest_strength(const std::string& algorithm) {
  if (algorithm == "md5") return 1;
  if (algorithm == "sha1" || algorithm == "sha256-truncated") return 2;
  if (algorithm == "sha256") return 3;
  if (algorithm == "sha384") return 4;
  if (algorithm == "sha512") return 5;
  return 0;  // unknown: never called a downgrade
}

// Sections pair by name and, for repeated names, by occurrence.
std::map<std::string, const SectionFacts*> sections_by_name(const std::vector<SectionFacts>& list) {
  std::map<std::string, const SectionFacts*> out;
  std::map<std::string, int> seen;
  for (const auto& s : list) {
    const int n = seen[s.name]++;
    out[n == 0 ? s.name : s.name + "#" + std::to_string(n + 1)] = &s;
  }
  return out;
}

double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

void compare_sections(const FileFacts& o, const FileFacts& n, FileDelta& out) {
  const auto old_sections = sections_by_name(o.sections);
  const auto new_sections = sections_by_name(n.sections);
  json added = json::array();
  json removed = json::array();
  json resized = json::array();
  json entropy = json::array();
  for (const auto& [name, s] : new_sections) {
    const auto it = old_sections.find(name);
    if (it == old_sections.end()) {
      added.push_back({{"name", name}, {"size", s->size}, {"entropy", round2(s->entropy)}});
      if (s->entropy >= kEntropyJumpTarget && s->size >= 1024) {
        char text[160];
        std::snprintf(text, sizeof text, "new section %s: entropy %.2f bits/byte", name.c_str(),
                      s->entropy);
        out.findings.push_back(make_finding(findings::kDiffEntropyJump, text));
      }
      continue;
    }
    const SectionFacts& before = *it->second;
    if (before.size != s->size) {
      resized.push_back({{"name", name}, {"old", before.size}, {"new", s->size}});
    }
    if (std::abs(s->entropy - before.entropy) >= 0.5) {
      entropy.push_back(
          {{"name", name}, {"old", round2(before.entropy)}, {"new", round2(s->entropy)}});
    }
    if (s->entropy - before.entropy >= kEntropyJumpMin && s->entropy >= kEntropyJumpTarget &&
        s->size >= 1024) {
      char text[160];
      std::snprintf(text, sizeof text, "section %s: entropy %.2f -> %.2f bits/byte", name.c_str(),
                    before.entropy, s->entropy);
      out.findings.push_back(make_finding(findings::kDiffEntropyJump, text));
    }
  }
  for (const auto& [name, s] : old_sections) {
    if (!new_sections.contains(name)) removed.push_back(name);
  }
  if (!added.empty() || !removed.empty() || !resized.empty() || !entropy.empty()) {
    out.delta["sections"] = {
        {"added", added}, {"removed", removed}, {"resized", resized}, {"entropy", entropy}};
  }
}

void compare_overlay(const FileFacts& o, const FileFacts& n, FileDelta& out) {
  const std::uint64_t before = o.overlay_size.value_or(0);
  const std::uint64_t after = n.overlay_size.value_or(0);
  if (before == after) return;
  out.delta["overlay"] = {{"old", before}, {"new", after}};
  if (after > before && (before == 0 || after - before >= kOverlayGrowth)) {
    out.findings.push_back(make_finding(
        findings::kDiffOverlayAdded,
        before == 0
            ? std::to_string(after) + " bytes past the image's end"
            : "grew from " + std::to_string(before) + " to " + std::to_string(after) + " bytes"));
  }
  if (after >= 1024 && n.overlay_entropy >= kEntropyJumpTarget &&
      n.overlay_entropy - o.overlay_entropy >= kEntropyJumpMin) {
    char text[120];
    std::snprintf(text, sizeof text, "overlay: entropy %.2f -> %.2f bits/byte", o.overlay_entropy,
                  n.overlay_entropy);
    out.findings.push_back(make_finding(findings::kDiffEntropyJump, text));
  }
}

void compare_signatures(const FileFacts& o, const FileFacts& n, FileDelta& out) {
  const auto& before = o.signature;
  const auto& after = n.signature;
  const bool was_valid = before && before->verifies && !before->adhoc;
  const bool is_valid = after && after->verifies && !after->adhoc;
  if (signature_json(before) != signature_json(after) || o.unsigned_bytes != n.unsigned_bytes) {
    out.delta["signature"] = {
        {"old", signature_json(before)},
        {"new", signature_json(after)},
        {"unsigned_bytes", {{"old", o.unsigned_bytes}, {"new", n.unsigned_bytes}}}};
  }
  if (was_valid && !is_valid) {
    out.findings.push_back(make_finding(
        findings::kDiffSignatureLost, "was signed by " + describe_signer(*before) + "; now " +
                                          (after ? "the signature does not verify" : "unsigned")));
    return;
  }
  if (!was_valid || !is_valid) return;
  if (before->trusted && !after->trusted) {
    // The old key chained to a trusted anchor; the new one does not, whatever name it carries.
    out.findings.push_back(
        make_finding(findings::kDiffUnexpectedSigner,
                     "was signed by " + describe_signer(*before) + " on a trusted chain; now by " +
                         describe_signer(*after) + ", which chains to no trusted anchor"));
  } else if (before->signer != after->signer || before->issuer != after->issuer) {
    out.findings.push_back(make_finding(
        findings::kDiffSignerChanged, describe_signer(*before) + " -> " + describe_signer(*after)));
  } else if (before->thumbprint != after->thumbprint) {
    out.findings.push_back(make_finding(findings::kDiffCertificateRenewed,
                                        "same subject and issuer, certificate " +
                                            before->thumbprint.substr(0, 16) + "... -> " +
                                            after->thumbprint.substr(0, 16) + "..."));
  }
  const int was = digest_strength(before->digest_algorithm);
  const int now = digest_strength(after->digest_algorithm);
  if (was != 0 && now != 0 && now < was) {
    out.findings.push_back(
        make_finding(findings::kDiffDigestDowngrade,
                     before->digest_algorithm + " -> " + after->digest_algorithm));
  }
  // The same signed digest under the same certificate: every signed byte is unchanged, so the
  // change lies in what Authenticode or the code signature leaves unsigned.
  if (!before->signed_digest.empty() && before->signed_digest == after->signed_digest &&
      before->thumbprint == after->thumbprint && o.sha256 != n.sha256) {
    std::string message = "signed digest " + after->signed_digest.substr(0, 16) +
                          "... unchanged and still verifies, file digest changed";
    if (n.unsigned_bytes > o.unsigned_bytes) {
      message += "; unsigned bytes in the certificate table " + std::to_string(o.unsigned_bytes) +
                 " -> " + std::to_string(n.unsigned_bytes);
    }
    out.findings.push_back(make_finding(findings::kDiffSignedContentChange, std::move(message)));
  }
}

void compare_capabilities(const FileFacts& o, const FileFacts& n, const CapabilitySet& capabilities,
                          FileDelta& out) {
  const auto before = capabilities.of(o);
  const auto after = capabilities.of(n);
  std::set<std::string> gained;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::inserter(gained, gained.end()));
  if (gained.empty()) return;
  out.capabilities_gained = gained;
  out.delta["capabilities_gained"] = gained;
  // Name the new imports that brought each capability.
  std::set<std::string> new_imports;
  std::set_difference(n.imports.begin(), n.imports.end(), o.imports.begin(), o.imports.end(),
                      std::inserter(new_imports, new_imports.end()));
  for (const auto& id : gained) {
    const Capability* capability = capabilities.find(id);
    std::string evidence;
    for (const auto& import : new_imports) {
      FileFacts probe;
      probe.format = n.format;
      const auto bang = import.find('!');
      probe.import_functions.insert(import.substr(bang + 1));
      if (bang > 0) probe.import_libraries.insert(import.substr(0, bang));
      if (!capabilities.of(probe).contains(id)) continue;
      if (evidence.size() > 200) {
        evidence += ", ...";
        break;
      }
      evidence += (evidence.empty() ? "" : ", ") + import;
    }
    std::string message = id;
    if (!evidence.empty()) message.append(" (").append(evidence).append(")");
    Finding f = make_finding(findings::kDiffCapabilityGained, std::move(message));
    if (capability != nullptr) f.severity = capability->severity;
    out.findings.push_back(std::move(f));
  }
}

}  // namespace

std::string describe_signer(const SignatureFacts& s) {
  if (s.adhoc) return "an ad hoc signature";
  std::string text = s.signer.empty() ? "an unnamed signer" : s.signer;
  if (!s.issuer.empty()) text += ", issued by " + s.issuer;
  return text;
}

FileDelta compare_files(const FileFacts& o, const FileFacts& n, const CapabilitySet& capabilities) {
  FileDelta out;
  out.delta["size"] = {{"old", o.size}, {"new", n.size}};
  out.delta["sha256"] = {{"old", o.sha256}, {"new", n.sha256}};
  if (o.format != n.format)
    out.delta["format"] = {{"old", file_format_name(o.format)},
                           {"new", file_format_name(n.format)}};
  if (json v = changed_fields(o.version, n.version); !v.empty())
    out.delta["version"] = std::move(v);
  if (json h = changed_fields(o.header, n.header); !h.empty()) out.delta["header"] = std::move(h);
  if (o.entry_point != n.entry_point && o.entry_point && n.entry_point) {
    out.delta["entry_point"] = {{"old", *o.entry_point}, {"new", *n.entry_point}};
  }
  for (const auto& [key, before, after] :
       {std::tuple{"imports", &o.imports, &n.imports},
        std::tuple{"exports", &o.exports, &n.exports},
        std::tuple{"libraries", &o.import_libraries, &n.import_libraries}}) {
    json added = set_difference_json(*after, *before);
    json removed = set_difference_json(*before, *after);
    if (!added.empty() || !removed.empty()) {
      out.delta[key] = {{"added", std::move(added)}, {"removed", std::move(removed)}};
    }
  }
  compare_sections(o, n, out);
  compare_overlay(o, n, out);
  compare_signatures(o, n, out);
  compare_capabilities(o, n, capabilities, out);

  // Content changed while every version field stayed: for a vendor's own build a forgotten
  // bump, for a third-party library the pattern of the 3CX ffmpeg.dll. (When only unsigned
  // bytes changed, signed-content-change already says so, more precisely.)
  const bool only_unsigned_bytes =
      std::any_of(out.findings.begin(), out.findings.end(),
                  [](const Finding& f) { return f.is(findings::kDiffSignedContentChange); });
  if ((o.binary || o.format == FileFormat::kMsi) && o.format == n.format && !o.version.empty() &&
      o.version == n.version && !only_unsigned_bytes) {
    std::string shown = o.version.contains("FileVersion")    ? o.version.at("FileVersion")
                        : o.version.contains("file_version") ? o.version.at("file_version")
                                                             : o.version.begin()->second;
    out.findings.push_back(make_finding(
        findings::kDiffSilentChange,
        "content changed (" + std::to_string(o.size) + " -> " + std::to_string(n.size) +
            " bytes) while all " + std::to_string(o.version.size()) +
            " version fields stayed the same (version " + shown + ")"));
  }
  return out;
}

std::vector<Finding> new_inspection_findings(const FileFacts* old_file, const FileFacts& n) {
  std::map<std::string, int> before;
  if (old_file != nullptr) {
    for (const auto& f : old_file->findings) ++before[f.id];
  }
  std::vector<Finding> out;
  for (const auto& f : n.findings) {
    auto it = before.find(f.id);
    if (it != before.end() && it->second > 0) {
      --it->second;
      continue;
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace cascade::diff
