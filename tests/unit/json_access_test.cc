// The shared typed field reads: absent, null and wrong-typed fields all read as "not there".
#include <gtest/gtest.h>

#include "core/json_access.h"

namespace cascade::json_access {
namespace {

using nlohmann::json;

const json kDocument = json::parse(R"({
  "text": "x", "empty": "", "null": null, "count": 7, "negative": -3, "fraction": 2.5,
  "big": 18446744073709551615, "yes": true, "no": false,
  "list": [1, 2], "object": {"inner": "y"}
})");

TEST(JsonAccess, FieldFindsAnyTypeButOnlyInObjects) {
  ASSERT_NE(field(kDocument, "null"), nullptr);
  EXPECT_TRUE(field(kDocument, "null")->is_null());
  EXPECT_EQ(field(kDocument, "absent"), nullptr);
  EXPECT_EQ(field(json::array({1}), "0"), nullptr);
  EXPECT_EQ(field(json("text"), "text"), nullptr);
}

TEST(JsonAccess, TypedFieldsRefuseOtherTypes) {
  ASSERT_NE(string_field(kDocument, "text"), nullptr);
  EXPECT_EQ(*string_field(kDocument, "text"), "x");
  EXPECT_EQ(string_field(kDocument, "count"), nullptr);
  EXPECT_EQ(string_field(kDocument, "null"), nullptr);
  EXPECT_NE(object_field(kDocument, "object"), nullptr);
  EXPECT_EQ(object_field(kDocument, "list"), nullptr);
  EXPECT_NE(array_field(kDocument, "list"), nullptr);
  EXPECT_EQ(array_field(kDocument, "object"), nullptr);
  EXPECT_EQ(bool_field(kDocument, "yes"), true);
  EXPECT_EQ(bool_field(kDocument, "no"), false);
  EXPECT_EQ(bool_field(kDocument, "count"), std::nullopt);
}

TEST(JsonAccess, UnsignedFieldTakesOnlyNonNegativeIntegers) {
  EXPECT_EQ(unsigned_field(kDocument, "count"), 7u);
  EXPECT_EQ(unsigned_field(kDocument, "big"), UINT64_MAX);
  EXPECT_EQ(unsigned_field(kDocument, "negative"), std::nullopt);
  EXPECT_EQ(unsigned_field(kDocument, "fraction"), std::nullopt);
  EXPECT_EQ(unsigned_field(kDocument, "text"), std::nullopt);
  // A value built in memory holds a non-negative integer as signed.
  EXPECT_EQ(unsigned_field(json{{"n", std::int64_t{5}}}, "n"), 5u);
  EXPECT_EQ(unsigned_field(json{{"n", std::int64_t{-5}}}, "n"), std::nullopt);
}

TEST(JsonAccess, NumberFieldTakesAnyNumber) {
  EXPECT_EQ(number_field(kDocument, "fraction"), 2.5);
  EXPECT_EQ(number_field(kDocument, "negative"), -3.0);
  EXPECT_EQ(number_field(kDocument, "yes"), std::nullopt);
}

TEST(JsonAccess, OrEmptyFormsStandInForMissingValues) {
  EXPECT_EQ(string_or_empty(kDocument, "text"), "x");
  EXPECT_EQ(string_or_empty(kDocument, "list"), "");
  EXPECT_EQ(array_or_empty(kDocument, "list").size(), 2u);
  EXPECT_TRUE(array_or_empty(kDocument, "text").is_array());
  EXPECT_TRUE(array_or_empty(kDocument, "text").empty());
  EXPECT_EQ(string_or_empty(object_or_empty(kDocument, "object"), "inner"), "y");
  EXPECT_TRUE(object_or_empty(kDocument, "null").is_object());
  EXPECT_TRUE(object_or_empty(kDocument, "null").empty());
}

}  // namespace
}  // namespace cascade::json_access
