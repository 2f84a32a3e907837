#include "provenance/yaml_json.h"

#include <yaml.h>

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "core/strict_json.h"

namespace cascade::provenance {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 1'000'000;

json plain_scalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  long long number = 0;
  const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
  const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), number);
  if (ec == std::errc() && ptr == text.data() + text.size()) return number;
  return std::string(text);
}

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;
  }
};

struct EventGuard {
  yaml_event_t event{};
  ~EventGuard() { yaml_event_delete(&event); }
};

}  // namespace

Result<json> yaml_to_json(std::string_view text) {
  std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t);
  if (yaml_parser_initialize(parser.get()) != 1) {
    delete parser.release();
    return make_error(ErrorCode::kLimit, "YAML parser could not start");
  }
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  // Open containers; an object's pending key is kept beside it.
  struct Open {
    json value;
    std::string key;
    bool have_key = false;
    std::size_t key_line = 0;  // where the pending key is, for a duplicate's message
  };
  std::vector<Open> stack;
  json result;
  bool have_result = false;
  std::size_t nodes = 0;
  int documents = 0;
  std::size_t line = 0;  // of the event being placed
  auto place = [&](json value) -> Status {
    if (++nodes > kMaxNodes) return make_error(ErrorCode::kLimit, "YAML has too many nodes");
    if (stack.empty()) {
      result = std::move(value);
      have_result = true;
      return ok_status();
    }
    Open& top = stack.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else if (!top.have_key) {
      if (!value.is_string() && !value.is_number_integer() && !value.is_boolean()) {
        return make_error(ErrorCode::kMalformed, "YAML mapping key is not a scalar");
      }
      top.key = value.is_string() ? value.get<std::string>() : value.dump();
      top.have_key = true;
      top.key_line = line;
    } else {
      // A repeated key is refused as in JSON: YAML 1.2 forbids it, libyaml lets it through.
      auto [member, inserted] =
          top.value.get_ref<json::object_t&>().try_emplace(std::move(top.key), std::move(value));
      if (!inserted) {
        return duplicate_key_error(member->first,
                                   "a mapping (YAML line " + std::to_string(top.key_line) + ")");
      }
      top.have_key = false;
    }
    return ok_status();
  };
  for (;;) {
    EventGuard guard;
    if (yaml_parser_parse(parser.get(), &guard.event) != 1) {
      const auto& mark = parser->problem_mark;
      return make_error(ErrorCode::kMalformed,
                        "YAML line " + std::to_string(mark.line + 1) + ": " +
                            (parser->problem != nullptr ? parser->problem : "syntax error"));
    }
    const yaml_event_t& event = guard.event;
    line = event.start_mark.line + 1;
    Status placed;
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        if (!have_result) return make_error(ErrorCode::kMalformed, "YAML has no document");
        return result;
      case YAML_DOCUMENT_START_EVENT:
        if (++documents > 1) {
          return make_error(ErrorCode::kUnsupported, "YAML stream holds more than one document");
        }
        break;
      case YAML_ALIAS_EVENT:
        return make_error(ErrorCode::kUnsupported, "YAML aliases are not accepted in a policy");
      case YAML_SCALAR_EVENT: {
        const std::string_view value(reinterpret_cast<const char*>(event.data.scalar.value),
                                     event.data.scalar.length);
        placed =
            place(event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(value)
                                                                     : json(std::string(value)));
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        if (stack.size() >= kMaxDepth) return make_error(ErrorCode::kLimit, "YAML nested too deep");
        stack.push_back(
            {event.type == YAML_SEQUENCE_START_EVENT ? json::array() : json::object(), "", false});
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        if (stack.empty()) return make_error(ErrorCode::kMalformed, "YAML structure unbalanced");
        json done = std::move(stack.back().value);
        stack.pop_back();
        placed = place(std::move(done));
        break;
      }
      default:
        break;
    }
    if (!placed) return placed.error();
  }
}

}  // namespace cascade::provenance
