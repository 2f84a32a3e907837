// The subset of the STIX 2.1 patterning language that names file hashes:
//
//   [file:hashes.'SHA-256' = 'hex']                       (also MD5, SHA-1; quoted or not)
//   [file:hashes.MD5 = 'a' OR file:hashes.'SHA-1' = 'b']   (comparisons joined by OR)
//   [file:hashes.'SHA-256' IN ('a', 'b')]
//   [...] OR [...]                                         (observations joined by OR)
//
// Every hash of such a pattern alone implies a match, so each is loaded as its own indicator;
// comparisons on other properties inside an OR are left out for the same reason. AND, NOT,
// FOLLOWEDBY, qualifiers and other operators make the pattern unusable (nullopt): a hash alone
// would match more than the pattern does.
#include <cctype>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

enum class Tok { kEnd, kLBracket, kRBracket, kLParen, kRParen, kComma, kString, kWord, kOp, kBad };

struct Token {
  Tok type = Tok::kEnd;
  std::string text;  // kString: unescaped value; kWord/kOp: as written
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  Token next();

 private:
  bool read_string(std::string& out);
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool Lexer::read_string(std::string& out) {
  ++pos_;  // opening quote
  while (pos_ < s_.size()) {
    const char c = s_[pos_++];
    if (c == '\'') return true;
    if (c == '\\') {
      if (pos_ >= s_.size()) return false;
      out += s_[pos_++];
      continue;
    }
    out += c;
  }
  return false;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' ||
         c == '.';
}

Token Lexer::next() {
  while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  Token t;
  if (pos_ >= s_.size()) return t;
  const char c = s_[pos_];
  switch (c) {
    case '[':
      ++pos_;
      t.type = Tok::kLBracket;
      return t;
    case ']':
      ++pos_;
      t.type = Tok::kRBracket;
      return t;
    case '(':
      ++pos_;
      t.type = Tok::kLParen;
      return t;
    case ')':
      ++pos_;
      t.type = Tok::kRParen;
      return t;
    case ',':
      ++pos_;
      t.type = Tok::kComma;
      return t;
    case '\'':
      t.type = read_string(t.text) ? Tok::kString : Tok::kBad;
      return t;
    default:
      break;
  }
  if (c == '=' || c == '!' || c == '<' || c == '>') {
    t.type = Tok::kOp;
    t.text += s_[pos_++];
    if (pos_ < s_.size() && s_[pos_] == '=') t.text += s_[pos_++];
    return t;
  }
  if (!word_char(c)) {
    t.type = Tok::kBad;
    return t;
  }
  // A word; an object path may carry quoted components: file:hashes.'SHA-256'.
  t.type = Tok::kWord;
  while (pos_ < s_.size()) {
    if (word_char(s_[pos_])) {
      t.text += s_[pos_++];
    } else if (s_[pos_] == '\'' && !t.text.empty() && t.text.back() == '.') {
      std::string part;
      if (!read_string(part)) {
        t.type = Tok::kBad;
        return t;
      }
      t.text += part;
    } else {
      break;
    }
  }
  return t;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The hash kind an object path compares, or nullopt for any other property (SHA-512 and other
// hashes cascade does not compute included).
std::optional<HashKind> path_kind(std::string_view path) {
  const auto colon = path.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view object = path.substr(0, colon);
  if (object != "file" && object != "artifact") return std::nullopt;
  std::string_view property = path.substr(colon + 1);
  constexpr std::string_view kHashes = "hashes.";
  if (property.substr(0, kHashes.size()) != kHashes) return std::nullopt;
  std::string key;
  for (char ch : property.substr(kHashes.size())) {
    if (ch != '-' && ch != '_')
      key += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (key == "MD5") return HashKind::kMd5;
  if (key == "SHA1") return HashKind::kSha1;
  if (key == "SHA256") return HashKind::kSha256;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(std::string_view pattern) : lexer_(pattern) { advance(); }

  std::optional<std::vector<PatternHash>> parse() {
    if (!observation_expression() || tok_.type != Tok::kEnd) return std::nullopt;
    return std::move(hashes_);
  }

 private:
  static constexpr int kMaxDepth = 32;

  void advance() { tok_ = lexer_.next(); }
  bool is_or() const { return tok_.type == Tok::kWord && iequals(tok_.text, "OR"); }

  bool observation_expression() {
    do {
      if (is_or()) advance();
      if (!observation()) return false;
    } while (is_or());
    return true;
  }

  bool observation() {
    if (++depth_ > kMaxDepth) return false;
    bool ok = false;
    if (tok_.type == Tok::kLBracket) {
      advance();
      ok = comparison_expression() && tok_.type == Tok::kRBracket;
    } else if (tok_.type == Tok::kLParen) {
      advance();
      ok = observation_expression() && tok_.type == Tok::kRParen;
    }
    if (ok) advance();
    --depth_;
    return ok;
  }

  bool comparison_expression() {
    do {
      if (is_or()) advance();
      if (!comparison()) return false;
    } while (is_or());
    return true;
  }

  bool comparison() {
    if (++depth_ > kMaxDepth) return false;
    bool ok = false;
    if (tok_.type == Tok::kLParen) {
      advance();
      ok = comparison_expression() && tok_.type == Tok::kRParen;
      if (ok) advance();
    } else if (tok_.type == Tok::kWord) {
      ok = simple_comparison();
    }
    --depth_;
    return ok;
  }

  bool simple_comparison() {
    const auto kind = path_kind(tok_.text);
    advance();
    std::vector<std::string> values;
    bool strings_only = true;
    if (tok_.type == Tok::kOp && tok_.text == "=") {
      advance();
      if (!value(values, strings_only)) return false;
    } else if (tok_.type == Tok::kWord && iequals(tok_.text, "IN")) {
      advance();
      if (tok_.type != Tok::kLParen) return false;
      do {
        advance();
        if (!value(values, strings_only)) return false;
      } while (tok_.type == Tok::kComma);
      if (tok_.type != Tok::kRParen) return false;
      advance();
    } else {
      return false;
    }
    if (kind) {
      if (!strings_only) return false;
      for (auto& v : values) hashes_.push_back(PatternHash{*kind, std::move(v)});
    }
    return true;
  }

  bool value(std::vector<std::string>& values, bool& strings_only) {
    if (tok_.type == Tok::kString) {
      values.push_back(tok_.text);
    } else if (tok_.type == Tok::kWord && !is_or()) {
      strings_only = false;  // a number or boolean
    } else {
      return false;
    }
    advance();
    return true;
  }

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
  std::vector<PatternHash> hashes_;
};

}  // namespace

std::optional<std::vector<PatternHash>> hash_pattern(std::string_view pattern) {
  return Parser(pattern).parse();
}

}  // namespace cascade::scan::ioc
