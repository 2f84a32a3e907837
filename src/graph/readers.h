// Internal to the graph readers: the caps every format reader works under, the fact collector
// that enforces them, and the per-format entry points read_document dispatches to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_access.h"
#include "core/result.h"
#include "graph/facts.h"

namespace cascade::graph {

// Caps on one document. Tests lower them to reach each one without gigabytes of input.
struct ReadLimits {
  std::size_t max_document_bytes = std::size_t{256} << 20;
  std::size_t max_facts = 10'000'000;  // nodes + edges + names + signals
  // Nested CycloneDX components below this depth are skipped and counted as one problem.
  std::size_t max_component_depth = 64;
  // JSON nesting deeper than this is refused before a DOM is built: nlohmann's parser is
  // iterative, but "[[[[..." costs tens of bytes of heap per level.
  std::size_t max_json_depth = 512;
  // Problems kept per document; the rest are counted in one final problem.
  std::size_t max_problems = 1000;
};

// Collects the facts of one document and enforces the fact and problem caps. Readers stop as
// soon as an add returns false (the cap was reached); read_document then refuses the document.
class FactCollector {
 public:
  FactCollector(DocumentFormat format, const ReadLimits& limits) : limits_(limits) {
    document_.format = format;
  }

  bool add_node(NodeRef node) {
    if (!room()) return false;
    document_.nodes.push_back(std::move(node));
    return true;
  }
  bool add_edge(EdgeFact edge) {
    if (!room()) return false;
    document_.edges.push_back(std::move(edge));
    return true;
  }
  bool add_name(const NodeRef& node, std::string_view name);
  bool add_signal(const NodeRef& node, std::string finding, std::string severity) {
    if (!room()) return false;
    document_.signals.push_back({node, std::move(finding), std::move(severity)});
    return true;
  }
  bool add_signer(SignerFact signer) {
    if (!room()) return false;
    document_.signers.push_back(std::move(signer));
    return true;
  }
  void problem(std::size_t line, std::string message);

  std::size_t facts() const { return facts_; }
  bool over_cap() const { return over_cap_; }
  bool has_problems() const { return !document_.problems.empty() || dropped_problems_ > 0; }
  const ReadLimits& limits() const { return limits_; }
  Document& document() { return document_; }

  // The document, with a closing problem counting the problems not kept; an error when the
  // fact cap was reached.
  Result<Document> finish() &&;

 private:
  bool room() {
    if (facts_ >= limits_.max_facts) {
      over_cap_ = true;
      return false;
    }
    ++facts_;
    return true;
  }

  ReadLimits limits_;
  Document document_;
  std::size_t facts_ = 0;
  std::size_t dropped_problems_ = 0;
  bool over_cap_ = false;
};

// Whether `text` nests arrays and objects at most `max_depth` deep (strings are skipped, so
// brackets inside them do not count). Malformed text is the parser's business: true.
bool json_depth_within(std::string_view text, std::size_t max_depth);

// Parses `text` as one JSON value without exceptions, strictly (core/strict_json.h): an error
// when it is not JSON, nests deeper than the cap, or repeats a key in an object (a document
// two readers would read two ways is not fed to the inventory).
Result<nlohmann::json> parse_json(std::string_view text, const ReadLimits& limits);

// Calls fn(line_number, line) for each line that holds more than white space (1-based; '\r'
// and trailing blanks removed). fn returns false to stop.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    std::size_t start = 0;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
    if (start == line.size()) continue;
    if (!fn(number, line.substr(start))) return;
  }
}

// The readers take fields through the shared accessors (absent, null and wrong-typed alike).
using json_access::field;
using json_access::string_field;

// A time field: nullopt with *bad set when present but not RFC 3339 (or not a string).
std::optional<std::int64_t> time_field(const nlohmann::json& object, std::string_view key,
                                       bool* bad);

// The host a builder id names: the host part of a URI with an authority
// ("https://build01.example.com/x" -> "build01.example.com"), else the whole id.
std::string builder_host(std::string_view builder_id);

// The certificates of a scan report's file object (its signatures' signers, chains and
// timestamp authorities; Mach-O code signatures) as signer facts on `artifact`; false once the
// fact cap is reached. `shown` names the file in problems.
bool read_signers(const nlohmann::json& file, const NodeRef& artifact, const std::string& shown,
                  std::size_t line, FactCollector& out);

// Per-format readers. `text` is the whole document; `parsed` its JSON value when it is one.
Result<Document> read_scan_report(nlohmann::json parsed, const ReadLimits& limits);
Result<Document> read_scan_lines(std::string_view text, const ReadLimits& limits);
Result<Document> read_intoto_document(const nlohmann::json& parsed, std::string_view text,
                                      const ReadLimits& limits);
Result<Document> read_intoto_lines(std::string_view text, const ReadLimits& limits);
Result<Document> read_cyclonedx(const nlohmann::json& parsed, const ReadLimits& limits);
Result<Document> read_spdx(const nlohmann::json& parsed, const ReadLimits& limits);
Result<Document> read_events(std::string_view text, const ReadLimits& limits);

// read_document under explicit caps.
Result<Document> read_document_with_limits(Bytes content, std::string_view name,
                                           const ReadLimits& limits);

}  // namespace cascade::graph
