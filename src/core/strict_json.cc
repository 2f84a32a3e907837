#include "core/strict_json.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace cascade {
namespace {

using nlohmann::json;

// Longest part of a key or pointer an error message quotes: the input chose its length.
constexpr std::size_t kMaxQuoted = 80;

// `text` as a JSON string literal (control and non-ASCII characters escaped), so an error
// message never carries raw bytes of the input to a terminal.
std::string json_string(std::string_view text) {
  const bool cut = text.size() > kMaxQuoted;
  std::string shown = json(std::string(text.substr(0, kMaxQuoted)))
                          .dump(-1, ' ', true, json::error_handler_t::replace);
  if (cut) shown.insert(shown.size() - 1, "...");
  return shown;
}

// Builds the value as nlohmann's own DOM parser does, refusing a key the open object already
// has and nesting past the cap. Returning false stops the parse at once.
class StrictBuilder {
 public:
  StrictBuilder(json& root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return place(nullptr); }
  bool boolean(bool value) { return place(value); }
  bool number_integer(json::number_integer_t value) { return place(value); }
  bool number_unsigned(json::number_unsigned_t value) { return place(value); }
  bool number_float(json::number_float_t value, const std::string&) { return place(value); }
  bool string(std::string& value) { return place(std::move(value)); }
  bool binary(json::binary_t& value) { return place(json::binary(std::move(value))); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& name) {
    auto& members = open_.back().value->get_ref<json::object_t&>();
    // try_emplace leaves `name` as it was when the key is already there.
    auto [member, inserted] = members.try_emplace(std::move(name));
    if (!inserted) {
      const std::string at = pointer();
      error_ = duplicate_key_error(
          member->first, at.empty() ? "the top-level object" : "the object at " + json_string(at));
      return false;
    }
    pending_ = &member->second;
    pending_key_ = &member->first;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_offset_ = position;
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 7: ..." without the id.
    if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    error_ = make_error(ErrorCode::kMalformed, "not valid JSON: " + what);
    return false;
  }

  const std::optional<Error>& error() const { return error_; }
  std::optional<std::size_t> syntax_error_offset() const { return syntax_error_offset_; }

 private:
  // An open container and how its parent reached it, for error messages.
  struct Open {
    json* value;
    const std::string* key;  // the member name when the parent is an object
    std::size_t index;       // the position when the parent is an array
  };

  // Where `value` goes: the root, the end of the open array, or the member just named.
  json* slot(json&& value, const std::string*& key, std::size_t& index) {
    key = nullptr;
    index = 0;
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back().value;
    if (parent.is_array()) {
      auto& items = parent.get_ref<json::array_t&>();
      items.push_back(std::move(value));
      index = items.size() - 1;
      return &items.back();
    }
    key = pending_key_;
    *pending_ = std::move(value);
    return pending_;
  }

  bool place(json&& value) {
    const std::string* key = nullptr;
    std::size_t index = 0;
    slot(std::move(value), key, index);
    return true;
  }

  bool open(json&& container) {
    if (open_.size() >= max_depth_) {
      error_ = make_error(ErrorCode::kLimit,
                          "JSON nested deeper than " + std::to_string(max_depth_) + " levels");
      return false;
    }
    const std::string* key = nullptr;
    std::size_t index = 0;
    json* placed = slot(std::move(container), key, index);
    open_.push_back({placed, key, index});
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  // The JSON pointer (RFC 6901) of the innermost open container.
  std::string pointer() const {
    std::string out;
    for (std::size_t i = 1; i < open_.size(); ++i) {
      out += '/';
      if (open_[i].key == nullptr) {
        out += std::to_string(open_[i].index);
        continue;
      }
      for (const char c : *open_[i].key) {
        if (c == '~') {
          out += "~0";
        } else if (c == '/') {
          out += "~1";
        } else {
          out += c;
        }
      }
    }
    return out;
  }

  json& root_;
  std::size_t max_depth_;
  std::vector<Open> open_;
  json* pending_ = nullptr;
  const std::string* pending_key_ = nullptr;
  std::optional<Error> error_;
  std::optional<std::size_t> syntax_error_offset_;
};

}  // namespace

Error duplicate_key_error(std::string_view key, std::string_view where) {
  std::string message = "duplicate key " + json_string(key) + " in ";
  message += where;
  message += ": refused, since readers disagree on which value counts";
  return make_error(ErrorCode::kAmbiguous, std::move(message));
}

Result<json> parse_strict_json(std::string_view text, std::size_t max_depth,
                               std::size_t* syntax_error_line) {
  json root;
  StrictBuilder builder(root, max_depth);
  try {
    const bool parsed = json::sax_parse(text.begin(), text.end(), &builder);
    if (const auto offset = builder.syntax_error_offset(); offset && syntax_error_line) {
      const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(*offset, text.size()));
      *syntax_error_line = 1 + static_cast<std::size_t>(std::count(text.begin(), end, '\n'));
    }
    if (builder.error()) return *builder.error();
    if (!parsed) return make_error(ErrorCode::kMalformed, "not valid JSON");
  } catch (const std::exception& e) {
    // Allocation failure or a limit inside the library: nothing escapes as an exception.
    return make_error(ErrorCode::kLimit, std::string("JSON not read: ") + e.what());
  }
  return root;
}

}  // namespace cascade
