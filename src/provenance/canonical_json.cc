#include "provenance/canonical_json.h"

namespace cascade::provenance {
namespace {

constexpr int kMaxDepth = 64;

bool append(const nlohmann::json& value, int depth, std::string& out) {
  if (depth > kMaxDepth) return false;
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      out += "null";
      return true;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return true;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return true;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return true;
    case nlohmann::json::value_t::string: {
      out += '"';
      for (const char c : value.get_ref<const std::string&>()) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
      return true;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ',';
        first = false;
        if (!append(item, depth + 1, out)) return false;
      }
      out += ']';
      return true;
    }
    case nlohmann::json::value_t::object: {
      // nlohmann's object is a std::map: keys already in byte order, which for UTF-8 is the
      // code-point order Python's sort gives.
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ',';
        first = false;
        append(nlohmann::json(key), depth + 1, out);
        out += ':';
        if (!append(item, depth + 1, out)) return false;
      }
      out += '}';
      return true;
    }
    default:  // floats, binary, discarded
      return false;
  }
}

}  // namespace

Result<std::string> canonical_json(const nlohmann::json& value) {
  std::string out;
  if (!append(value, 0, out)) {
    return make_error(ErrorCode::kMalformed,
                      "not canonical-JSON encodable (a floating-point number, or nested too deep)");
  }
  return out;
}

}  // namespace cascade::provenance
