#include "core/json_access.h"

namespace cascade::json_access {

using nlohmann::json;

const json* field(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const std::string* string_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  return value != nullptr && value->is_string() ? value->get_ptr<const std::string*>() : nullptr;
}

const json* object_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  return value != nullptr && value->is_object() ? value : nullptr;
}

const json* array_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  return value != nullptr && value->is_array() ? value : nullptr;
}

std::optional<std::uint64_t> unsigned_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) return value->get<std::uint64_t>();
  // Parsed documents hold non-negative integers as unsigned; built ones may hold them signed.
  if (value->is_number_integer() && value->get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value->get<std::int64_t>());
  }
  return std::nullopt;
}

std::optional<double> number_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

std::optional<bool> bool_field(const json& object, std::string_view key) {
  const json* value = field(object, key);
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

std::string string_or_empty(const json& object, std::string_view key) {
  const std::string* value = string_field(object, key);
  return value != nullptr ? *value : std::string();
}

const json& array_or_empty(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json* value = array_field(object, key);
  return value != nullptr ? *value : kEmpty;
}

const json& object_or_empty(const json& object, std::string_view key) {
  static const json kEmpty = json::object();
  const json* value = object_field(object, key);
  return value != nullptr ? *value : kEmpty;
}

}  // namespace cascade::json_access
