// An OLE compound file opened through libgsf once cascade's own reader has vetted its structure
// (internal to src/formats/msi).
#pragma once

#include <gsf/gsf-fwd.h>

#include <functional>
#include <memory>
#include <optional>

#include "core/byte_reader.h"
#include "core/result.h"
#include "formats/msi/ole_directory.h"

namespace cascade::msi {

// Owns one GObject reference.
struct GObjectUnref {
  void operator()(void* object) const;
};
template <typename T>
using GsfPtr = std::unique_ptr<T, GObjectUnref>;

// One stream's bytes, read through libgsf: a view into the caller's buffer when the stream's
// sectors are contiguous, else into libgsf's copy, valid as long as this object lives.
class StreamView {
 public:
  StreamView() = default;
  Bytes bytes() const { return bytes_; }

 private:
  friend class OleFile;
  GsfPtr<GsfInput> input_;
  Bytes bytes_;
};

class OleFile {
 public:
  // `data` must outlive the OleFile: libgsf reads it in place (gsf_input_memory_new, no copy).
  static Result<OleFile> open(Bytes data);

  const OleDirectory& directory() const { return dir_; }

  // The whole content of stream `index` (an entry of directory()).
  Result<StreamView> stream(std::uint32_t index) const;

  // Feeds stream `index` to `sink` in pieces of at most `chunk` bytes, so hashing a large
  // fragmented stream never makes libgsf copy all of it at once.
  std::optional<Error> read_chunks(std::uint32_t index, std::size_t chunk,
                                   const std::function<void(Bytes)>& sink) const;

 private:
  OleFile() = default;
  Result<GsfPtr<GsfInput>> open_child(std::uint32_t index) const;

  OleDirectory dir_;
  GsfPtr<GsfInput> source_;
  GsfPtr<GsfInfile> root_;
};

}  // namespace cascade::msi
