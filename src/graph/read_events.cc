// cascade events (docs/events.md): JSON Lines of what inventories, EDR and deployment tools
// observed -- ran-on, access, deployed-on, owned-by. A malformed line is a problem with its line
// number and is skipped; the rest of the file is kept.
//
// Files run to millions of lines, so each line goes through nlohmann's SAX parser once and only
// the top-level string fields this format names are kept, in buffers reused from line to line:
// no DOM, no per-line allocation beyond the facts themselves.
#include <algorithm>
#include <array>

#include "core/time.h"
#include "graph/readers.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

enum Field : std::uint8_t {
  kEvent,
  kArtifact,
  kHost,
  kTime,
  kUntil,
  kFrom,
  kTo,
  kVia,
  kName,
  kRelease,
  kOrg,
  kFieldCount,
  kOtherField = kFieldCount,
};

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event", "artifact", "host", "time", "until", "from", "to", "via", "name", "release", "org"};

Field field_of(std::string_view key) {
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    if (kFieldNames[i] == key) return static_cast<Field>(i);
  }
  return kOtherField;
}

// SAX handler for one line: records the top-level string fields, notes known fields of another
// type, and stops at the nesting cap. Nested values are parsed (for validity) but not kept.
class LineHandler {
 public:
  explicit LineHandler(std::size_t max_depth) : max_depth_(max_depth) {}

  void reset() {
    depth_ = 0;
    current_ = kOtherField;
    top_is_object_ = false;
    too_deep_ = false;
    error_position_ = 0;
    present_ = 0;
    wrong_type_ = 0;
  }

  bool has(Field f) const { return (present_ >> f) & 1U; }
  bool wrong_type(Field f) const { return (wrong_type_ >> f) & 1U; }
  const std::string& value(Field f) const { return values_[f]; }
  bool top_is_object() const { return top_is_object_; }
  bool too_deep() const { return too_deep_; }
  std::size_t error_position() const { return error_position_; }

  // nlohmann's SAX interface.
  bool null() {
    if (depth_ == 1) unset(current_);
    return scalar();
  }
  bool boolean(bool) { return non_string(); }
  bool number_integer(json::number_integer_t) { return non_string(); }
  bool number_unsigned(json::number_unsigned_t) { return non_string(); }
  bool number_float(json::number_float_t, const std::string&) { return non_string(); }
  bool binary(json::binary_t&) { return non_string(); }
  bool string(std::string& text) {
    if (depth_ == 1 && current_ != kOtherField) {
      values_[current_].assign(text);
      present_ |= 1U << current_;
      wrong_type_ &= ~(1U << current_);
    }
    return scalar();
  }
  bool start_object(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(); }
  bool key(std::string& name) {
    if (depth_ == 1) current_ = field_of(name);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    error_position_ = position;
    return false;
  }

 private:
  bool scalar() { return true; }
  bool non_string() {
    if (depth_ == 1 && current_ != kOtherField) {
      unset(current_);
      wrong_type_ |= 1U << current_;
    }
    return true;
  }
  void unset(Field f) {
    if (f != kOtherField) present_ &= ~(1U << f);
  }
  bool open(bool object) {
    if (depth_ == 0) top_is_object_ = object;
    if (depth_ == 1) non_string();
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  Field current_ = kOtherField;
  bool top_is_object_ = false;
  bool too_deep_ = false;
  std::size_t error_position_ = 0;
  std::uint32_t present_ = 0;
  std::uint32_t wrong_type_ = 0;
  std::array<std::string, kFieldCount> values_;
};

// Reads the facts of one parsed line; returns the problem, empty when the line was used.
class EventReader {
 public:
  EventReader(const LineHandler& line, FactCollector& out) : line_(line), out_(out) {}

  std::string read() {
    if (!line_.has(kEvent)) return missing_or_wrong(kEvent);
    const std::string& kind = line_.value(kEvent);
    if (kind == "ran-on") return ran_on();
    if (kind == "access") return access();
    if (kind == "deployed-on") return deployed_on();
    if (kind == "owned-by") return owned_by();
    return "unknown event \"" + kind.substr(0, 40) + "\" (ran-on, access, deployed-on, owned-by)";
  }

  bool cap_reached() const { return cap_; }

 private:
  std::string missing_or_wrong(Field f) const {
    return std::string(kFieldNames[f]) + (line_.wrong_type(f) ? " is not a string" : " is missing");
  }

  // A node from a required field; sets `problem` when absent or unusable.
  std::optional<NodeRef> node(Field f, NodeKind kind, std::string& problem) const {
    if (!problem.empty()) return std::nullopt;
    if (!line_.has(f)) {
      problem = missing_or_wrong(f);
      return std::nullopt;
    }
    std::string_view key = line_.value(f);
    if (kind == NodeKind::kArtifact && key.starts_with("sha256:")) key.remove_prefix(7);
    auto made = make_node(kind, key);
    if (!made) {
      problem = std::string(kFieldNames[f]) + ": " + made.error().message;
      return std::nullopt;
    }
    return std::move(made).value();
  }

  std::optional<std::int64_t> time(Field f, bool required, std::string& problem) const {
    if (!problem.empty()) return std::nullopt;
    if (!line_.has(f)) {
      if (required || line_.wrong_type(f)) problem = missing_or_wrong(f);
      return std::nullopt;
    }
    const auto parsed = parse_rfc3339(line_.value(f));
    if (!parsed) {
      problem = std::string(kFieldNames[f]) + " is not an RFC 3339 time";
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*parsed);
  }

  std::string optional_string(Field f, std::string& problem) const {
    if (problem.empty() && line_.wrong_type(f)) problem = missing_or_wrong(f);
    return line_.has(f) ? line_.value(f) : std::string();
  }

  std::string edge(EdgeKind kind, std::optional<NodeRef> src, std::optional<NodeRef> dst,
                   std::optional<std::int64_t> t, std::optional<std::int64_t> u, std::string note,
                   std::string problem) {
    if (!problem.empty()) return problem;
    if (!out_.add_edge({.kind = kind,
                        .src = std::move(*src),
                        .dst = std::move(*dst),
                        .time = t,
                        .until = u,
                        .note = std::move(note)})) {
      cap_ = true;
    }
    return "";
  }

  std::string ran_on() {
    std::string problem;
    auto artifact = node(kArtifact, NodeKind::kArtifact, problem);
    auto host = node(kHost, NodeKind::kHost, problem);
    const auto t = time(kTime, true, problem);
    const std::string path = optional_string(kName, problem);
    if (problem.empty() && !path.empty() && !out_.add_name(*artifact, path)) cap_ = true;
    return edge(EdgeKind::kRanOn, std::move(artifact), std::move(host), t, std::nullopt, "",
                std::move(problem));
  }

  std::string access() {
    std::string problem;
    auto from = node(kFrom, NodeKind::kHost, problem);
    auto to = node(kTo, NodeKind::kHost, problem);
    const auto t = time(kTime, true, problem);
    const auto u = time(kUntil, false, problem);
    std::string via = optional_string(kVia, problem);
    if (problem.empty() && u && *u < *t) problem = "until is before time";
    return edge(EdgeKind::kAccess, std::move(from), std::move(to), t, u, std::move(via),
                std::move(problem));
  }

  std::string deployed_on() {
    std::string problem;
    auto release = node(kRelease, NodeKind::kRelease, problem);
    auto host = node(kHost, NodeKind::kHost, problem);
    const auto t = time(kTime, true, problem);
    return edge(EdgeKind::kDeployedOn, std::move(release), std::move(host), t, std::nullopt, "",
                std::move(problem));
  }

  std::string owned_by() {
    std::string problem;
    auto host = node(kHost, NodeKind::kHost, problem);
    auto org = node(kOrg, NodeKind::kOrg, problem);
    // Ownership is a standing fact: it has no time (a time field is ignored).
    return edge(EdgeKind::kOwnedBy, std::move(host), std::move(org), std::nullopt, std::nullopt, "",
                std::move(problem));
  }

  const LineHandler& line_;
  FactCollector& out_;
  bool cap_ = false;
};

}  // namespace

Result<Document> read_events(std::string_view text, const ReadLimits& limits) {
  FactCollector out(DocumentFormat::kEvents, limits);
  // One edge a line: reserving up front saves the re-allocations of a growing vector.
  // (The shortest useful event is about 40 bytes, so a file of blank lines reserves little.)
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  out.document().edges.reserve(std::min({lines, text.size() / 40 + 1, limits.max_facts}));
  LineHandler handler(limits.max_json_depth);
  EventReader reader(handler, out);
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    handler.reset();
    const bool parsed = json::sax_parse(line.begin(), line.end(), &handler,
                                        json::input_format_t::json, true, false);
    if (!parsed) {
      out.problem(number, handler.too_deep() ? "nests deeper than " +
                                                   std::to_string(limits.max_json_depth) + " levels"
                                             : "not valid JSON (at column " +
                                                   std::to_string(handler.error_position()) + ")");
      return true;
    }
    if (!handler.top_is_object()) {
      out.problem(number, "not a JSON object");
      return true;
    }
    std::string problem = reader.read();
    if (!problem.empty()) out.problem(number, std::move(problem));
    return !reader.cap_reached();
  });
  return std::move(out).finish();
}

}  // namespace cascade::graph
