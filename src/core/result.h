// Result<T>: a value or an Error, never an exception across the library boundary; Status: success
// or an Error, for operations that return nothing else.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cascade {

enum class ErrorCode {
  kIo,           // the file could not be opened or read
  kTruncated,    // the input ends before a structure it declares
  kMalformed,    // a structure is present but inconsistent
  kUnsupported,  // a valid input this version does not handle
  kLimit,        // a safety cap (size, count, depth) was reached
  kCrypto,       // OpenSSL refused an operation
  kUsage,        // the caller passed something invalid
  kAmbiguous,    // readers could take the input two ways (a repeated JSON key): refused
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Success, or an Error: the result of an operation that has nothing to return.
class [[nodiscard]] Status {
 public:
  Status() = default;                                // success
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }

  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

inline Status ok_status() {
  return Status();
}

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace cascade
