// FileLoader: reads whole files into one reusable buffer. Inspecting touches nearly every byte
// once; copying with read() into warm memory (huge pages where the kernel gives them) beats
// mapping each file, whose first touches cost a page walk per 4 KiB (dearly so in VMs). Files
// larger than the buffer limit are memory-mapped instead.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "core/mapped_file.h"
#include "core/result.h"

namespace cascade {

class FileLoader {
 public:
  FileLoader() = default;
  FileLoader(const FileLoader&) = delete;
  FileLoader& operator=(const FileLoader&) = delete;
  ~FileLoader();

  // The file's bytes, valid until the next load() on this loader.
  Result<Bytes> load(const std::string& path);

 private:
  std::uint8_t* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  std::optional<MappedFile> mapped_;  // for files above the buffer limit
};

}  // namespace cascade
