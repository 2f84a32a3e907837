// MappedFile: a read-only view of a whole file, memory-mapped (RAII), for files too large to
// copy (see FileLoader). The bytes are never executed or loaded as code; an empty file gives an
// empty view.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_reader.h"
#include "core/input_file.h"
#include "core/result.h"

namespace cascade {

class MappedFile {
 public:
  // Errors describe the failure only; the caller knows (and reports) the path.
  static Result<MappedFile> open(const std::string& path);
  // The whole of a file already opened (and checked regular) by InputFile::open.
  static Result<MappedFile> map(const InputFile& file);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  Bytes bytes() const { return {data_, size_}; }
  std::uint64_t size() const { return size_; }

 private:
  MappedFile(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  void release();

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// The whole of a small input the user names (a policy, a table, a saved report) as text,
// read (not mapped, so a file truncated meanwhile cannot fault); more than `max_bytes` is an
// error (ErrorCode::kLimit) rather than an allocation the size of whatever the file claims.
Result<std::string> read_whole_file(const std::string& path, std::size_t max_bytes);

}  // namespace cascade
