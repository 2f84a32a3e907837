// InputFile: the one way cascade opens a file it reads. Every input may be hostile, and a FIFO,
// a device or a directory named where a file belongs would block the reader forever or feed it
// endless bytes. So the path is opened without blocking, the open descriptor (not the path,
// which may change meanwhile) is checked, and anything but a regular file is refused with an
// error that says what it is. Only then is the descriptor made blocking again for reading.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/result.h"

namespace cascade {

class InputFile {
 public:
  // Errors (ErrorCode::kIo) describe the failure only ("a FIFO (named pipe), not a regular
  // file; refused", or the system's message); the caller knows (and reports) the path.
  static Result<InputFile> open(const std::string& path);

  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  int fd() const { return fd_; }
  // The size fstat reported when the file was opened (it may change while it is read).
  std::uint64_t size() const { return size_; }
  // Gives up ownership of the descriptor (for a C library that takes a FILE*, say).
  int release();

 private:
  InputFile(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// What a stat mode is, for messages: "a FIFO (named pipe)", "a directory", "a socket", ...
const char* file_type_name(mode_t mode);

}  // namespace cascade
