// The asar header is walked as a stream of JSON events (nlohmann's SAX interface), never built
// into a DOM: a hostile header of millions of tiny objects then costs the walk's stack of open
// directories, not gigabytes of tree, and files are visited as soon as their node closes.
//
// The header is walked twice: first only to find the byte ranges that several entries name (a
// header can point 100,000 names at one file), then to visit. A shared range is scanned once and
// counted once against the ratio; every name that points at it is still reported.
#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "scan/container/asar_coverage.h"
#include "scan/container/asar_reader.h"

namespace cascade::scan::detail {

namespace {

constexpr std::uint32_t kSizePicklePayload = 4;
constexpr std::string_view kJsonStart = R"({"files")";
// Distinct ranges scanned once for several names; past this, a repeated range is scanned (and
// counted against the ratio) again, so that the results kept for repeats stay bounded.
constexpr std::size_t kMaxSharedRanges = 1024;

using json = nlohmann::json;

struct Range {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  // clang-tidy 14 reads the defaulted comparison's literal 0 as a null pointer.
  auto operator<=>(const Range&) const = default;  // NOLINT(modernize-use-nullptr)
};

// The ranges more than one entry names, each with whether its first entry was visited yet.
using SharedRanges = std::map<Range, bool>;

// Offsets are decimal strings (a JavaScript number cannot hold every uint64). A plain number is
// accepted as well: scanning an entry Electron itself might refuse costs nothing.
std::optional<std::uint64_t> parse_decimal(const std::string& s) {
  std::uint64_t value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return value;
}

// Walks the header either to collect the file ranges (`ranges` set: no entry is admitted,
// visited or noted) or to visit the files, with `shared` from the collecting walk.
class AsarWalker {
 public:
  AsarWalker(Bytes files, ExpansionGuard& guard, const EntryVisitor& visit,
             std::vector<Range>* ranges, SharedRanges* shared)
      : files_(files), guard_(guard), visit_(visit), ranges_(ranges), shared_(shared) {}

  bool stopped() const { return stopped_; }
  bool saw_files() const { return saw_root_files_; }
  // Every entry's bytes, when the whole tree was walked (no subtree skipped).
  const AsarCoverage* coverage() const { return skipped_subtree_ ? nullptr : &coverage_; }

  bool null() { return scalar(Scalar{}); }
  bool boolean(bool v) { return scalar(Scalar{.is_bool = true, .flag = v}); }
  bool number_integer(json::number_integer_t v) {
    if (v < 0) return scalar(Scalar{});
    return scalar(Scalar{.is_number = true, .number = static_cast<std::uint64_t>(v)});
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar(Scalar{.is_number = true, .number = v});
  }
  bool number_float(json::number_float_t /*v*/, const json::string_t& /*s*/) {
    return scalar(Scalar{});
  }
  bool string(json::string_t& v) { return scalar(Scalar{.text = &v}); }
  bool binary(json::binary_t& /*v*/) { return scalar(Scalar{}); }

  bool start_object(std::size_t /*elements*/) {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (stack_.empty()) {
      stack_.emplace_back();  // the root
      return true;
    }
    Node& top = stack_.back();
    if (top.in_files) {
      // A child of a directory: a file, a link or a directory of its own.
      if (!collecting() && !guard_.admit_entry(path_to(top.key))) return stop();
      if (stack_.size() > kMaxAsarDepth) {
        if (!collecting()) {
          guard_.note_incomplete("asar tree deeper than " + std::to_string(kMaxAsarDepth) +
                                 " levels at " + quote_name(path_to(top.key)) +
                                 ": that subtree was not examined");
        }
        skip_depth_ = 1;
        skipped_subtree_ = true;
        return true;
      }
      Node child;
      child.name = std::move(top.key);
      stack_.push_back(std::move(child));
      return true;
    }
    if (top.key == "files") {
      top.in_files = true;
      top.is_directory = true;
      if (stack_.size() == 1) saw_root_files_ = true;
      return true;
    }
    skip_depth_ = 1;  // "integrity" and anything unknown
    return true;
  }

  bool end_object() {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    if (stack_.empty()) return true;
    Node& top = stack_.back();
    if (top.in_files) {
      top.in_files = false;  // the end of its "files" map, not of the node
      return true;
    }
    Node node = std::move(top);
    stack_.pop_back();
    if (stack_.empty()) return true;  // the root
    return finish_node(node);
  }

  bool start_array(std::size_t /*elements*/) {
    if (skip_depth_ == 0 && !stack_.empty() && stack_.back().in_files) {
      not_an_object();
    }
    ++skip_depth_;
    return true;
  }

  bool end_array() {
    if (skip_depth_ > 0) --skip_depth_;
    return true;
  }

  bool key(json::string_t& k) {
    if (skip_depth_ == 0 && !stack_.empty()) stack_.back().key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  struct Node {
    std::string name;  // its key in the parent's "files"
    std::string key;   // the key whose value comes next
    bool in_files = false;
    bool is_directory = false;
    bool is_link = false;
    bool unpacked = false;
    bool bad_field = false;
    std::optional<std::uint64_t> offset;
    std::optional<std::uint64_t> size;
  };

  struct Scalar {
    bool is_bool = false;
    bool flag = false;
    bool is_number = false;
    std::uint64_t number = 0;
    const std::string* text = nullptr;
  };

  bool scalar(const Scalar& v) {
    if (skip_depth_ > 0) return true;
    if (stack_.empty()) {
      error_ = "the header is not a JSON object";
      return false;
    }
    Node& top = stack_.back();
    if (top.in_files) {
      not_an_object();
      return true;
    }
    if (top.key == "offset") {
      top.offset = v.text != nullptr ? parse_decimal(*v.text)
                   : v.is_number     ? std::optional<std::uint64_t>(v.number)
                                     : std::nullopt;
      top.bad_field |= !top.offset;
    } else if (top.key == "size") {
      if (v.is_number) top.size = v.number;
      top.bad_field |= !v.is_number;
    } else if (top.key == "unpacked") {
      top.unpacked = v.is_bool && v.flag;
    } else if (top.key == "link") {
      top.is_link = true;
    }
    return true;
  }

  bool collecting() const { return ranges_ != nullptr; }

  void not_an_object() {
    if (collecting()) return;
    Node& top = stack_.back();
    guard_.note_malformed("asar entry " + quote_name(path_to(top.key)) +
                          " is not an object; skipped");
  }

  bool finish_node(const Node& node) {
    // Directories, links and unpacked files (which live in app.asar.unpacked/) have no bytes in
    // the archive; skipping them is not a problem.
    if (node.is_directory || node.is_link || node.unpacked) return true;
    if (collecting()) {
      if (!node.bad_field && node.offset && node.size &&
          slice(files_, *node.offset, *node.size).has_value()) {
        ranges_->push_back({*node.offset, *node.size});
      }
      // Entries past the cap are never visited: their ranges do not matter.
      return ranges_->size() < guard_.entry_limit() || stop();
    }
    const std::string path = path_to(node.name);
    if (node.bad_field || !node.offset || !node.size) {
      guard_.note_malformed("asar entry " + quote_name(path) +
                            " has no valid offset and size; skipped");
      return true;
    }
    auto bytes = slice(files_, *node.offset, *node.size);
    if (!bytes) {
      guard_.note_malformed("asar entry " + quote_name(path) + " (offset " +
                            std::to_string(*node.offset) + ", size " + std::to_string(*node.size) +
                            ") lies outside the archive's " + std::to_string(files_.size()) +
                            " data bytes; skipped");
      return true;
    }
    coverage_.add(*node.offset, *node.size);
    if (*node.size > guard_.entry_cap()) {
      guard_.note_oversized(path, *node.size);
      return true;
    }
    EntrySharing sharing = EntrySharing::kUnique;
    if (auto it = shared_->find(Range{*node.offset, *node.size}); it != shared_->end()) {
      sharing = it->second ? EntrySharing::kRepeat : EntrySharing::kShared;
      it->second = true;
    }
    // Counted although nothing is decompressed: entries may overlap, and a header that points
    // thousands of entries at overlapping bytes is a bomb as well. A repeat of a shared range
    // adds no bytes to scan.
    if (sharing != EntrySharing::kRepeat && !guard_.add_data(*node.size)) return stop();
    visit_(ContainerEntry{path, *bytes, sharing});
    guard_.count_visit();
    return true;
  }

  // The '/'-joined path of a child named `leaf` of the innermost open directory.
  std::string path_to(const std::string& leaf) const {
    std::string path;
    for (std::size_t i = 1; i < stack_.size(); ++i) {
      path += stack_[i].name;
      path += '/';
    }
    return path + leaf;
  }

  bool stop() {
    stopped_ = true;
    return false;
  }

  Bytes files_;
  ExpansionGuard& guard_;
  const EntryVisitor& visit_;
  std::vector<Range>* ranges_;
  SharedRanges* shared_;
  std::vector<Node> stack_;
  std::uint64_t skip_depth_ = 0;  // > 0: inside a value that is not part of the tree
  bool stopped_ = false;
  bool saw_root_files_ = false;
  bool skipped_subtree_ = false;
  AsarCoverage coverage_;
  std::string error_;
};

// The ranges that more than one entry of the header names (at most kMaxSharedRanges of them),
// among the first max_entries files.
SharedRanges find_shared_ranges(std::string_view header, Bytes files, ExpansionGuard& guard) {
  std::vector<Range> ranges;
  const EntryVisitor none;
  AsarWalker collector(files, guard, none, &ranges, nullptr);
  // A header that does not parse is reported by the visiting walk.
  (void)json::sax_parse(header.begin(), header.end(), &collector);
  std::sort(ranges.begin(), ranges.end());
  SharedRanges shared;
  for (std::size_t i = 1; i < ranges.size() && shared.size() < kMaxSharedRanges; ++i) {
    if (ranges[i] == ranges[i - 1]) shared.emplace(ranges[i], false);
  }
  return shared;
}

}  // namespace

std::optional<AsarLayout> read_asar_layout(Bytes data, std::string* why) {
  auto fail = [why](const char* reason) -> std::optional<AsarLayout> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  ByteReader r(data);
  auto size_payload = r.u32le();
  auto header_size = r.u32le();
  if (!size_payload || !header_size) return fail("shorter than the 8-byte size pickle");
  if (*size_payload != kSizePicklePayload) return fail("the size pickle does not hold 4 bytes");
  auto header = r.take(*header_size);
  if (!header) return fail("the header pickle runs past the end of the file");
  // Chromium's Pickle puts its payload at the end of the buffer, after a header of the
  // remaining (4-aligned, at least 4) bytes.
  auto payload_size = load_u32le(*header, 0);
  if (!payload_size || *header_size < 8 || *payload_size > *header_size - 4 ||
      (*header_size - *payload_size) % 4 != 0) {
    return fail("the header pickle's payload size is inconsistent");
  }
  ByteReader payload(header->subspan(*header_size - *payload_size));
  auto length = payload.u32le();
  if (!length || *length > 0x7fffffffu) return fail("the header string's length is missing");
  auto text = payload.take(*length);
  if (!text) return fail("the header string runs past its pickle");
  AsarLayout layout;
  layout.header_size = *header_size;
  layout.json = std::string_view(reinterpret_cast<const char*>(text->data()), text->size());
  layout.data_offset = 8 + std::uint64_t{*header_size};
  return layout;
}

bool looks_like_asar(Bytes data) {
  auto layout = read_asar_layout(data, nullptr);
  return layout && layout->json.starts_with(kJsonStart);
}

void expand_asar(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit) {
  std::string why;
  auto layout = read_asar_layout(data, &why);
  if (!layout) {
    guard.fail("not an asar archive: " + why);
    return;
  }
  if (layout->header_size > kMaxAsarHeader) {
    guard.note_incomplete("asar header of " + std::to_string(layout->header_size) +
                          " bytes is over the cap of " + std::to_string(kMaxAsarHeader) +
                          ": the archive (" + std::to_string(data.size()) +
                          " bytes) was not examined");
    return;
  }
  const Bytes files = tail(data, layout->data_offset).value_or(Bytes{});
  SharedRanges shared = find_shared_ranges(layout->json, files, guard);
  AsarWalker walker(files, guard, visit, nullptr, &shared);
  const bool ok = json::sax_parse(layout->json.begin(), layout->json.end(), &walker);
  if (!ok && !walker.stopped()) {
    guard.fail("asar header is not valid JSON: " + walker.error());
  } else if (ok && !walker.saw_files()) {
    guard.fail("asar header has no \"files\" tree");
  } else if (ok && !guard.stopped() && walker.coverage() != nullptr) {
    scan_uncovered(files, *walker.coverage(), guard, visit);
  }
}

}  // namespace cascade::scan::detail
