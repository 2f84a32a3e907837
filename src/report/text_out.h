// TextOut: the one place human-readable output is written, so nothing taken from an input file
// can reach the terminal as a control. A file name, a version string or a soname may hold ESC
// sequences (clear the screen, set the window title), a newline that forges a whole report line,
// or a bidi override that reverses what is shown. The rule is by type:
//   - std::string and std::string_view are data (anything may have come from an input) and are
//     written through printable(): controls, invisible format characters and invalid
//     UTF-8 appear as visible escapes (\x1B, \u202E);
//   - `const char*` (literals, colour codes), single characters and numbers are cascade's own
//     text and are written as they are.
// JSON is not written through this: it stays exact, and its encoder escapes controls itself.
#pragma once

#include <concepts>
#include <iomanip>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/printable_text.h"

namespace cascade {

class TextOut {
 public:
  explicit TextOut(std::ostream& out) : out_(out) {}

  // Data: made printable.
  TextOut& operator<<(std::string_view data) {
    out_ << printable(data);
    return *this;
  }
  TextOut& operator<<(const std::string& data) { return *this << std::string_view(data); }

  // cascade's own words.
  TextOut& operator<<(const char* own) {
    out_ << own;
    return *this;
  }
  TextOut& operator<<(char own) {
    out_ << own;
    return *this;
  }

  // Numbers (a byte-sized integer is a number here, never a character).
  template <typename T>
  requires std::is_arithmetic_v<T> &&(!std::same_as<T, char>)&&(!std::same_as<T, bool>)TextOut&
  operator<<(T number) {
    if constexpr (sizeof(T) == 1) {
      out_ << static_cast<int>(number);
    } else {
      out_ << number;
    }
    return *this;
  }
  TextOut& operator<<(bool value) {
    out_ << (value ? "true" : "false");
    return *this;
  }

  // Manipulators: std::left, std::setw(n), std::flush ...
  TextOut& operator<<(std::ios_base& (*manipulator)(std::ios_base&)) {
    out_ << manipulator;
    return *this;
  }
  TextOut& operator<<(std::ostream& (*manipulator)(std::ostream&)) {
    out_ << manipulator;
    return *this;
  }
  TextOut& operator<<(decltype(std::setw(0)) width) {
    out_ << width;
    return *this;
  }
  TextOut& operator<<(decltype(std::setprecision(0)) precision) {
    out_ << precision;
    return *this;
  }

 private:
  std::ostream& out_;
};

}  // namespace cascade
