// The one strict JSON reader: a repeated key is refused at any depth, with the key and where.
#include <gtest/gtest.h>

#include <string>

#include "core/strict_json.h"

namespace cascade {
namespace {

std::string refusal(std::string_view text) {
  auto parsed = parse_strict_json(text);
  if (parsed) return "(accepted)";
  return parsed.error().message;
}

TEST(StrictJson, ReadsWhatTheLenientParserReads) {
  const std::string text =
      R"({"a": [1, -2, 3.5, true, null, "x", {"b": {}}], "c": {"d": [[]]}, "e": "\u00e9"})";
  auto parsed = parse_strict_json(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, nlohmann::json::parse(text));
  // The same key in different objects is no repetition.
  EXPECT_TRUE(parse_strict_json(R"({"k": {"k": 1}, "l": [{"k": 1}, {"k": 2}]})"));
  EXPECT_TRUE(parse_strict_json("  7 \n"));
}

TEST(StrictJson, RepeatedKeysAreRefusedWithTheKeyAndWhere) {
  auto top = parse_strict_json(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code, ErrorCode::kAmbiguous);
  EXPECT_NE(top.error().message.find(R"(duplicate key "a" in the top-level object)"),
            std::string::npos)
      << top.error().message;

  const std::string nested = refusal(R"({"x": [{"k": 1}, {"k": 1, "k": 2}]})");
  EXPECT_NE(nested.find(R"(duplicate key "k" in the object at "/x/1")"), std::string::npos)
      << nested;
  // Keys compare after their escapes are read: "\u0061" is "a".
  EXPECT_NE(refusal(R"({"p": {"a": 1, "\u0061": 2}})").find(R"("/p")"), std::string::npos);
  // A pointer escapes '/' and '~' (RFC 6901); what is printed is a JSON string, never raw bytes.
  const std::string escaped = refusal("{\"a/b~\": {\"\\u001b[2J\": 1, \"\\u001b[2J\": 1}}");
  EXPECT_NE(escaped.find(R"("/a~1b~0")"), std::string::npos) << escaped;
  EXPECT_NE(escaped.find(R"("\u001b[2J")"), std::string::npos) << escaped;
  EXPECT_EQ(escaped.find('\x1b'), std::string::npos);
  // A long key is shown cut.
  const std::string long_key(5000, 'k');
  const std::string cut = refusal("{\"" + long_key + "\": 1, \"" + long_key + "\": 2}");
  EXPECT_LT(cut.size(), 300u) << cut;
  EXPECT_NE(cut.find("...\""), std::string::npos) << cut;
}

TEST(StrictJson, SyntaxAndDepth) {
  std::size_t line = 0;
  auto broken = parse_strict_json("{\"a\": 1,\n \"b\": }\n", kMaxStrictJsonDepth, &line);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(line, 2u);
  EXPECT_NE(broken.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(parse_strict_json("{} {}"));  // one document, nothing after it
  EXPECT_FALSE(parse_strict_json(""));
  auto deep = parse_strict_json(std::string(300, '[') + std::string(300, ']'));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::kLimit);
  EXPECT_TRUE(parse_strict_json("[[1]]", 2));
  EXPECT_FALSE(parse_strict_json("[[[1]]]", 2));
}

}  // namespace
}  // namespace cascade
