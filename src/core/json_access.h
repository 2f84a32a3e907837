// Typed reads of one field of a parsed JSON value, for readers of documents other programs
// wrote. None throws: a field that is absent, null or of another type than asked for reads as
// "not there" (nullptr or nullopt), so a crafted document yields less, never an exception. The
// `_or_empty` forms are for readers that treat "not there" as empty.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cascade::json_access {

// The value at object[key], whatever its type (null included); nullptr when `object` is not an
// object or has no such key.
const nlohmann::json* field(const nlohmann::json& object, std::string_view key);

// The field when it has the type asked for, else nullptr.
const std::string* string_field(const nlohmann::json& object, std::string_view key);
const nlohmann::json* object_field(const nlohmann::json& object, std::string_view key);
const nlohmann::json* array_field(const nlohmann::json& object, std::string_view key);

// A non-negative integer (sizes, offsets, counts); nullopt for a negative or fractional number,
// which no such field can hold.
std::optional<std::uint64_t> unsigned_field(const nlohmann::json& object, std::string_view key);
// Any number, integer or not.
std::optional<double> number_field(const nlohmann::json& object, std::string_view key);
std::optional<bool> bool_field(const nlohmann::json& object, std::string_view key);

// The string, or "" when the field is not a string.
std::string string_or_empty(const nlohmann::json& object, std::string_view key);
// The array or object, or a shared empty one: loops and further reads need no check.
const nlohmann::json& array_or_empty(const nlohmann::json& object, std::string_view key);
const nlohmann::json& object_or_empty(const nlohmann::json& object, std::string_view key);

}  // namespace cascade::json_access
