// read_document: which format a document is (by content, never by file name), and the helpers
// every format reader shares.
#include <algorithm>
#include <new>

#include "core/strict_json.h"
#include "core/time.h"
#include "graph/readers.h"
#include "scan/report_schema.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

// Names longer than this are not kept: they are labels for people, not identities.
constexpr std::size_t kMaxNameLength = 4096;

constexpr std::string_view kScanSchema = scan::kScanSchema;
constexpr std::string_view kScanLinesSchema = scan::kScanLinesSchema;

bool is_string_equal(const json& object, std::string_view key, std::string_view want) {
  const std::string* value = string_field(object, key);
  return value != nullptr && *value == want;
}

// An in-toto document of any form cascade reads: a DSSE envelope, a Sigstore bundle, an
// in-toto link (signed or bare) or a bare Statement.
bool looks_in_toto(const json& object) {
  if (object.contains("payloadType") || object.contains("dsseEnvelope")) return true;
  if (object.contains("signed") && object.contains("signatures")) return true;
  const std::string* type = string_field(object, "_type");
  return type != nullptr && (*type == "link" || type->starts_with("https://in-toto.io/Statement/"));
}

template <typename T>
void sort_unique(std::vector<T>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

// A whole document that parsed as one JSON object.
Result<Document> read_json_document(json document, std::string_view text, std::string_view name,
                                    const ReadLimits& limits) {
  if (!document.is_object()) {
    return make_error(ErrorCode::kUnsupported,
                      std::string(name) + " is JSON but not an object: no known format");
  }
  if (document.contains("event")) return read_events(text, limits);
  if (is_string_equal(document, "schema", kScanSchema))
    return read_scan_report(std::move(document), limits);
  if (is_string_equal(document, "schema", kScanLinesSchema)) return read_scan_lines(text, limits);
  if (is_string_equal(document, "bomFormat", "CycloneDX")) return read_cyclonedx(document, limits);
  if (const std::string* spdx = string_field(document, "spdxVersion");
      spdx != nullptr && spdx->starts_with("SPDX-2.")) {
    return read_spdx(document, limits);
  }
  if (looks_in_toto(document)) return read_intoto_document(document, text, limits);
  return make_error(ErrorCode::kUnsupported,
                    std::string(name) +
                        " is in no format graph ingest reads (cascade scan report, in-toto, "
                        "CycloneDX, SPDX, events)");
}

// JSON Lines, recognised by the first line.
Result<Document> read_lines_document(const json& first, std::string_view text,
                                     std::string_view name, const ReadLimits& limits) {
  if (first.is_object()) {
    if (first.contains("event")) return read_events(text, limits);
    if (is_string_equal(first, "schema", kScanLinesSchema)) return read_scan_lines(text, limits);
    if (looks_in_toto(first)) return read_intoto_lines(text, limits);
  }
  return make_error(ErrorCode::kUnsupported,
                    std::string(name) +
                        " is JSON Lines of no known kind (events, cascade.scan-jsonl/1 records, "
                        "or in-toto envelopes)");
}

Result<Document> detect_and_read(std::string_view text, std::string_view name,
                                 const ReadLimits& limits) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  std::string_view first_line;
  std::size_t first_end = 0;
  for_each_line(text, [&](std::size_t, std::string_view line) {
    first_line = line;
    first_end = static_cast<std::size_t>(line.data() - text.data()) + line.size();
    return false;
  });
  if (first_line.empty()) return make_error(ErrorCode::kMalformed, std::string(name) + " is empty");
  const bool more_lines = text.find_first_not_of(" \t\r\n", first_end) != std::string_view::npos;
  // JSON Lines when the first line is a whole value and more follows; otherwise one document
  // (possibly pretty-printed over many lines). Deciding on the first line first means a large
  // JSON Lines file is never handed whole to the DOM parser.
  auto first = parse_json(first_line, limits);
  if (first) {
    if (more_lines) return read_lines_document(*first, text, name, limits);
    return read_json_document(std::move(first).value(), first_line, name, limits);
  }
  if (first.error().code == ErrorCode::kAmbiguous) {
    return make_error(ErrorCode::kAmbiguous, std::string(name) + ": " + first.error().message);
  }
  auto whole = parse_json(text, limits);
  if (!whole) {
    if (whole.error().code == ErrorCode::kAmbiguous) {
      return make_error(ErrorCode::kAmbiguous, std::string(name) + ": " + whole.error().message);
    }
    return make_error(ErrorCode::kMalformed,
                      std::string(name) +
                          " is neither a JSON document nor JSON Lines (or nests "
                          "deeper than " +
                          std::to_string(limits.max_json_depth) + " levels)");
  }
  return read_json_document(std::move(whole).value(), text, name, limits);
}

}  // namespace

bool FactCollector::add_name(const NodeRef& node, std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return true;  // nothing worth keeping
  if (!room()) return false;
  document_.names.push_back({node, std::string(name)});
  return true;
}

void FactCollector::problem(std::size_t line, std::string message) {
  if (document_.problems.size() < limits_.max_problems) {
    document_.problems.push_back({line, std::move(message)});
  } else {
    ++dropped_problems_;
  }
}

Result<Document> FactCollector::finish() && {
  if (over_cap_) {
    return make_error(ErrorCode::kLimit, "the document states more than " +
                                             std::to_string(limits_.max_facts) +
                                             " facts (nodes, edges, names, signals): split it");
  }
  if (dropped_problems_ > 0) {
    document_.problems.push_back(
        {0, "and " + std::to_string(dropped_problems_) + " more problems not listed"});
  }
  return std::move(document_);
}

bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size; ++i) {
    const char c = text[i];
    if (c == '"') {
      // Skip the string, escapes included; an unterminated one ends the scan.
      for (++i; i < size && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Result<json> parse_json(std::string_view text, const ReadLimits& limits) {
  if (!json_depth_within(text, limits.max_json_depth)) {
    return make_error(ErrorCode::kLimit,
                      "nests deeper than " + std::to_string(limits.max_json_depth) + " levels");
  }
  return parse_strict_json(text, limits.max_json_depth);
}

std::optional<std::int64_t> time_field(const json& object, std::string_view key, bool* bad) {
  *bad = false;
  const json* value = field(object, key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_string()) {
    if (const auto time = parse_rfc3339(value->get_ref<const std::string&>())) {
      return static_cast<std::int64_t>(*time);
    }
  }
  *bad = true;
  return std::nullopt;
}

std::string builder_host(std::string_view builder_id) {
  // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "//" authority.
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto is_scheme_char = [&](char c) {
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  };
  if (builder_id.empty() || !is_alpha(builder_id.front())) return std::string(builder_id);
  std::size_t i = 1;
  while (i < builder_id.size() && is_scheme_char(builder_id[i])) ++i;
  if (builder_id.substr(i, 3) != "://") return std::string(builder_id);
  std::string_view authority = builder_id.substr(i + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user information
  }
  std::string_view host = authority;
  if (host.starts_with('[')) {
    // An IPv6 literal keeps its brackets' contents; the port, if any, follows ']'.
    const auto close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return std::string(builder_id);
  return std::string(host);
}

Result<Document> read_document_with_limits(Bytes content, std::string_view name,
                                           const ReadLimits& limits) {
  if (content.size() > limits.max_document_bytes) {
    return make_error(ErrorCode::kLimit, std::string(name) + " is larger than " +
                                             std::to_string(limits.max_document_bytes) +
                                             " bytes: split it");
  }
  const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  // The readers check every type before use; this only keeps a missed case (or memory running
  // out) from crossing the library boundary as an exception.
  try {
    return detect_and_read(text, name, limits);
  } catch (const json::exception& error) {
    return make_error(ErrorCode::kMalformed,
                      std::string(name) + ": unexpected JSON structure: " + error.what());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kLimit, std::string(name) + ": out of memory while reading");
  }
}

Result<Document> read_document(Bytes content, std::string_view name) {
  return read_document_with_limits(content, name, ReadLimits{});
}

void Document::deduplicate() {
  sort_unique(nodes);
  sort_unique(edges);
  sort_unique(names);
  sort_unique(signals);
  sort_unique(signers);
  std::stable_sort(
      problems.begin(), problems.end(),
      [](const DocumentProblem& a, const DocumentProblem& b) { return a.line < b.line; });
}

std::string_view certificate_role_name(CertificateRole role) {
  switch (role) {
    case CertificateRole::kSigner:
      return "signer";
    case CertificateRole::kChain:
      return "chain";
    case CertificateRole::kTimestamp:
      return "timestamp";
  }
  return "signer";
}

std::string_view document_format_name(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kScanReport:
      return "scan";
    case DocumentFormat::kInToto:
      return "in-toto";
    case DocumentFormat::kCycloneDx:
      return "cyclonedx";
    case DocumentFormat::kSpdx:
      return "spdx";
    case DocumentFormat::kEvents:
      return "events";
  }
  return "unknown";
}

}  // namespace cascade::graph
