// PEP 440 version ordering (https://peps.python.org/pep-0440/), as the normalised forms compare:
// epoch, release (trailing zeros ignored), pre-release (a < b < rc), post-release, development
// release, then the local version label. Spellings PEP 440 normalises are accepted: case, a
// leading 'v', separators '.', '-' and '_' around the segments, "alpha"/"beta"/"c"/"pre"/
// "preview", "rev"/"r" and an implicit number.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "scan/ioc/versions.h"

namespace cascade::scan {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_separator(char c) {
  return c == '.' || c == '-' || c == '_';
}

// Pre-releases rank a, b, rc; a final release has none and ranks after all of them.
enum class PreKind { kAlpha = 0, kBeta = 1, kCandidate = 2 };

struct Pep440 {
  // Owned: the parser reads a lower-cased copy of the text.
  std::string epoch = "0";
  std::vector<std::string> release;
  std::optional<PreKind> pre;
  std::string pre_number = "0";
  std::optional<std::string> post;
  std::optional<std::string> dev;
  std::vector<std::string> local;  // lower-cased
};

class Cursor {
 public:
  explicit Cursor(std::string text) : text_(std::move(text)) {}
  bool done() const { return at_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  std::size_t mark() const { return at_; }
  void reset(std::size_t mark) { at_ = mark; }
  std::string_view digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    return std::string_view(text_).substr(start, at_ - start);
  }
  bool separator() {
    if (!done() && is_separator(text_[at_])) {
      ++at_;
      return true;
    }
    return false;
  }
  // Consumes the first of `words` the text continues with (longest first in the list).
  std::optional<std::size_t> word(std::initializer_list<std::string_view> words) {
    std::size_t index = 0;
    for (const auto w : words) {
      if (std::string_view(text_).substr(at_, w.size()) == w) {
        at_ += w.size();
        return index;
      }
      ++index;
    }
    return std::nullopt;
  }
  std::string_view rest() const { return std::string_view(text_).substr(at_); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::size_t at_ = 0;
};

// Numbers may follow their label after an optional separator; a label alone means 0.
std::string_view optional_number(Cursor& in) {
  const std::size_t before = in.mark();
  in.separator();
  const std::string_view number = in.digits();
  if (number.empty()) {
    in.reset(before);
    return "0";
  }
  return number;
}

std::optional<Pep440> parse(std::string_view raw) {
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front())))
    raw.remove_prefix(1);
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  if (raw.empty() || raw.size() > 256) return std::nullopt;
  std::string lowered(raw);
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Cursor in(std::move(lowered));
  Pep440 version;
  if (in.peek() == 'v') in.word({"v"});
  std::string_view number = in.digits();
  if (number.empty()) return std::nullopt;
  if (in.peek() == '!') {
    version.epoch = number;
    in.word({"!"});
    number = in.digits();
    if (number.empty()) return std::nullopt;
  }
  version.release.emplace_back(number);
  while (in.peek() == '.' && is_digit(in.peek(1))) {
    in.separator();
    version.release.emplace_back(in.digits());
  }
  // Pre-release: [sep](a|b|c|rc|alpha|beta|pre|preview)[sep][N]
  {
    const std::size_t before = in.mark();
    in.separator();
    if (const auto w = in.word({"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"})) {
      constexpr PreKind kKinds[] = {PreKind::kAlpha,     PreKind::kBeta,      PreKind::kCandidate,
                                    PreKind::kCandidate, PreKind::kCandidate, PreKind::kAlpha,
                                    PreKind::kBeta,      PreKind::kCandidate};
      version.pre = kKinds[*w];
      version.pre_number = optional_number(in);
    } else {
      in.reset(before);
    }
  }
  // Post-release: -N, or [sep](post|rev|r)[sep][N]
  {
    const std::size_t before = in.mark();
    if (in.peek() == '-' && is_digit(in.peek(1))) {
      in.separator();
      version.post = std::string(in.digits());
    } else {
      in.separator();
      if (in.word({"post", "rev", "r"})) {
        version.post = std::string(optional_number(in));
      } else {
        in.reset(before);
      }
    }
  }
  // Development release: [sep]dev[sep][N]
  {
    const std::size_t before = in.mark();
    in.separator();
    if (in.word({"dev"})) {
      version.dev = std::string(optional_number(in));
    } else {
      in.reset(before);
    }
  }
  if (in.peek() == '+') {
    in.word({"+"});
    std::string_view local = in.rest();
    std::string part;
    for (std::size_t i = 0; i <= local.size(); ++i) {
      if (i == local.size() || is_separator(local[i])) {
        if (part.empty()) return std::nullopt;
        version.local.push_back(std::move(part));
        part.clear();
        continue;
      }
      const char c = local[i];
      if (!is_digit(c) && !(c >= 'a' && c <= 'z')) return std::nullopt;
      part += c;
    }
    return version;
  }
  if (!in.done()) return std::nullopt;
  return version;
}

int compare_release(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view x = i < a.size() ? std::string_view(a[i]) : "0";
    const std::string_view y = i < b.size() ? std::string_view(b[i]) : "0";
    if (const int order = compare_decimal(x, y); order != 0) return order;
  }
  return 0;
}

// The pre-release rank: a dev release of a final version (1.0.dev1) sorts before its
// pre-releases; a final or post release after them.
int pre_rank(const Pep440& v) {
  if (v.pre) return static_cast<int>(*v.pre);
  if (!v.post && v.dev) return -1;
  return 3;
}

bool all_digits(const std::string& s) {
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return !s.empty();
}

int compare_local(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t shared = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < shared; ++i) {
    const bool a_numeric = all_digits(a[i]);
    const bool b_numeric = all_digits(b[i]);
    int order = 0;
    if (a_numeric && b_numeric) {
      order = compare_decimal(a[i], b[i]);
    } else if (a_numeric != b_numeric) {
      order = a_numeric ? 1 : -1;  // numeric segments sort after alphanumeric ones
    } else {
      const int c = a[i].compare(b[i]);
      order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (order != 0) return order;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace

std::optional<int> compare_pep440(std::string_view a, std::string_view b) {
  const auto left = parse(a);
  const auto right = parse(b);
  if (!left || !right) return std::nullopt;
  if (const int order = compare_decimal(left->epoch, right->epoch); order != 0) return order;
  if (const int order = compare_release(left->release, right->release); order != 0) return order;
  const int left_rank = pre_rank(*left);
  const int right_rank = pre_rank(*right);
  if (left_rank != right_rank) return left_rank < right_rank ? -1 : 1;
  if (left->pre) {
    if (const int order = compare_decimal(left->pre_number, right->pre_number); order != 0) {
      return order;
    }
  }
  if (left->post.has_value() != right->post.has_value()) return left->post ? 1 : -1;
  if (left->post) {
    if (const int order = compare_decimal(*left->post, *right->post); order != 0) return order;
  }
  if (left->dev.has_value() != right->dev.has_value()) return left->dev ? -1 : 1;
  if (left->dev) {
    if (const int order = compare_decimal(*left->dev, *right->dev); order != 0) return order;
  }
  return compare_local(left->local, right->local);
}

}  // namespace cascade::scan
