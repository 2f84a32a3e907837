// Both views of a zip, read with the bounds-checked reader. Nothing here trusts an offset or a
// size: every one is checked against the bytes, the record lists are capped, and the only
// decompression (finding where a deflated entry with a data descriptor ends) is bounded.
#include "scan/container/zip_records.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>

namespace cascade::scan::detail {

namespace {

constexpr std::uint32_t kLocalSignature = 0x04034b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kDescriptorSignature = 0x08074b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflated = 8;
constexpr std::uint64_t kEndRecordSize = 22;
constexpr std::uint64_t kMaxCommentSize = 0xffff;
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::size_t kMaxProblems = 16;

void add_problem(std::vector<std::string>& problems, std::string message) {
  if (problems.size() < kMaxProblems) {
    problems.push_back(std::move(message));
  } else if (problems.size() == kMaxProblems) {
    problems.push_back("further central directory problems were not listed");
  }
}

std::string quoted(const std::string& name) {
  constexpr std::size_t kMaxShown = 200;
  if (name.size() <= kMaxShown) return "'" + name + "'";
  return "'" + name.substr(0, kMaxShown) + "...'";
}

bool has_u32(Bytes data, std::uint64_t offset, std::uint32_t value) {
  auto v = load_u32le(data, offset);
  return v && *v == value;
}

// The payload of the first extra-field record with `id`, if the field parses that far.
std::optional<Bytes> find_extra(Bytes extra, std::uint16_t id) {
  ByteReader r(extra);
  while (r.remaining() >= 4) {
    const auto tag = r.u16le();
    const auto size = r.u16le();
    auto body = r.take(*size);
    if (!body) return std::nullopt;
    if (*tag == id) return body;
  }
  return std::nullopt;
}

// Zip64 replaces each 32-bit field that holds all ones, in this order, from its extra record.
struct Zip64Fields {
  std::uint64_t* uncompressed = nullptr;
  std::uint64_t* compressed = nullptr;
  std::uint64_t* offset = nullptr;
};

bool apply_zip64(Bytes extra, const Zip64Fields& fields) {
  auto body = find_extra(extra, kZip64ExtraId);
  if (!body) return false;
  ByteReader r(*body);
  for (std::uint64_t* field : {fields.uncompressed, fields.compressed, fields.offset}) {
    if (field == nullptr || *field != 0xffffffffu) continue;
    auto value = r.u64le();
    if (!value) return true;
    *field = *value;
  }
  return true;
}

// The fields a local header and a central directory entry share, in the same order (from
// "version needed" to the uncompressed size). The caller has checked that the fixed part of the
// header is there.
void read_shared_fields(ByteReader& r, ZipRecord& rec) {
  rec.version_needed = *r.u16le();
  rec.flags = *r.u16le();
  rec.method = *r.u16le();
  rec.mod_time = *r.u16le();
  rec.mod_date = *r.u16le();
  rec.crc32 = *r.u32le();
  rec.compressed_size = *r.u32le();
  rec.uncompressed_size = *r.u32le();
}

// A local header at `offset`; its sizes are the header's own (zero or all ones when a data
// descriptor or zip64 holds them).
std::optional<ZipRecord> parse_local_header(Bytes zip, std::uint64_t offset, bool* used_zip64) {
  auto rest = tail(zip, offset);
  if (!rest) return std::nullopt;
  ByteReader r(*rest);
  auto signature = r.u32le();
  if (!signature || *signature != kLocalSignature || r.remaining() < kLocalHeaderSize - 4) {
    return std::nullopt;
  }
  ZipRecord rec;
  rec.header_offset = offset;
  read_shared_fields(r, rec);
  const std::uint16_t name_length = *r.u16le();
  const std::uint16_t extra_length = *r.u16le();
  auto name = r.take(name_length);
  auto extra = r.take(extra_length);
  if (!name || !extra) return std::nullopt;
  rec.name.assign(name->begin(), name->end());
  rec.local_extra = *extra;
  rec.data_offset = offset + kLocalHeaderSize + name_length + extra_length;
  const bool zip64 = apply_zip64(*extra, {&rec.uncompressed_size, &rec.compressed_size, nullptr});
  if (used_zip64 != nullptr) *used_zip64 = zip64;
  return rec;
}

// `offset` moved by `shift`, when the result lies inside the data.
std::optional<std::uint64_t> shifted(std::uint64_t offset, std::int64_t shift, std::uint64_t size) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (offset > kMax || size > kMax) return std::nullopt;
  const auto base = static_cast<std::int64_t>(offset);
  if (shift > 0 && base > std::numeric_limits<std::int64_t>::max() - shift) return std::nullopt;
  const std::int64_t moved = base + shift;
  if (moved < 0 || static_cast<std::uint64_t>(moved) >= size) return std::nullopt;
  return static_cast<std::uint64_t>(moved);
}

// The last end record in the final 64 KiB + 22 bytes, as Info-ZIP searches (backwards).
std::optional<std::uint64_t> find_end_record(Bytes zip) {
  if (zip.size() < kEndRecordSize) return std::nullopt;
  const std::uint64_t last = zip.size() - kEndRecordSize;
  const std::uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  for (std::uint64_t pos = last + 1; pos-- > first;) {
    if (zip[pos] == 'P' && has_u32(zip, pos, kEndSignature)) return pos;
  }
  return std::nullopt;
}

struct DirectoryLocation {
  std::uint64_t count = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::uint64_t end = 0;  // where the directory should end: the (zip64) end record
};

std::optional<DirectoryLocation> locate_directory(Bytes zip, std::uint64_t end_record,
                                                  std::vector<std::string>& problems) {
  ByteReader r(tail(zip, end_record + 4).value_or(Bytes{}));
  r.skip(6);  // this disk, the directory's disk, entries on this disk
  DirectoryLocation loc;
  auto count = r.u16le();
  auto size = r.u32le();
  auto offset = r.u32le();
  if (!count || !size || !offset) return std::nullopt;
  loc = {*count, *size, *offset, end_record};
  // Zip64: a locator right before the end record names the zip64 end record.
  if (end_record < 20 || !has_u32(zip, end_record - 20, kZip64LocatorSignature)) return loc;
  const std::uint64_t locator = end_record - 20;
  const auto declared = load_u64le(zip, locator + 8);
  std::optional<std::uint64_t> record;
  if (declared && has_u32(zip, *declared, kZip64EndSignature)) {
    record = *declared;
  } else if (locator >= 56 && has_u32(zip, locator - 56, kZip64EndSignature)) {
    record = locator - 56;  // where it lies when a stub shifted the archive
  }
  const auto z_count = record ? load_u64le(zip, *record + 32) : std::nullopt;
  const auto z_size = record ? load_u64le(zip, *record + 40) : std::nullopt;
  const auto z_offset = record ? load_u64le(zip, *record + 48) : std::nullopt;
  if (!z_count || !z_size || !z_offset) {
    add_problem(problems, "the zip64 end of central directory record is missing or cut short");
    return loc;
  }
  return DirectoryLocation{*z_count, *z_size, *z_offset, *record};
}

// Decompresses a raw deflate stream starting at `data` only to learn where it ends. Returns the
// compressed length, or nullopt with `why` (damaged, cut short, or over the inflate budget).
std::optional<std::uint64_t> deflate_stream_length(Bytes data, std::uint64_t max_output,
                                                   std::uint64_t& inflated, std::string& why) {
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
    why = "zlib could not start";
    return std::nullopt;
  }
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  std::array<Bytef, 1 << 16> scratch{};
  std::uint64_t fed = 0;
  for (;;) {
    if (z.avail_in == 0 && fed < data.size()) {
      const std::uint64_t piece = std::min<std::uint64_t>(data.size() - fed, 1u << 30);
      z.next_in = const_cast<Bytef*>(data.data() + fed);
      z.avail_in = static_cast<uInt>(piece);
      fed += piece;
    }
    z.next_out = scratch.data();
    z.avail_out = static_cast<uInt>(scratch.size());
    const int r = inflate(&z, Z_NO_FLUSH);
    inflated += scratch.size() - z.avail_out;
    if (r == Z_STREAM_END) return fed - z.avail_in;
    if (r == Z_BUF_ERROR && z.avail_in == 0 && fed == data.size()) {
      why = "its deflate stream is cut short";
      return std::nullopt;
    }
    if (r != Z_OK && r != Z_BUF_ERROR) {
      why = "its deflate stream is damaged";
      return std::nullopt;
    }
    if (inflated > max_output) {
      why = "it inflates past " + std::to_string(max_output) + " bytes, where the search stopped";
      return std::nullopt;
    }
  }
}

// A data descriptor's size field: 8 bytes when the entry's local header used zip64, else 4.
std::optional<std::uint64_t> descriptor_size(ByteReader& r, bool zip64) {
  if (zip64) return r.u64le();
  auto v = r.u32le();
  return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
}

// A stored entry with a data descriptor: as libarchive's streaming reader does, the entry ends
// at the first "PK\7\8" whose CRC matches the bytes before it.
std::optional<std::uint64_t> stored_stream_length(Bytes data, bool zip64) {
  uLong crc = crc32(0, nullptr, 0);
  std::uint64_t checked = 0;
  for (std::uint64_t p = 0; p + 16 <= data.size(); ++p) {
    const void* hit = std::memchr(data.data() + p, 'P', data.size() - p - 15);
    if (hit == nullptr) break;
    p = static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - data.data());
    if (!has_u32(data, p, kDescriptorSignature)) continue;
    for (; checked < p;) {
      const std::uint64_t n = std::min<std::uint64_t>(p - checked, 1u << 30);
      crc = crc32(crc, data.data() + checked, static_cast<uInt>(n));
      checked += n;
    }
    const auto stored_crc = load_u32le(data, p + 4);
    ByteReader size_field(tail(data, p + 8).value_or(Bytes{}));
    const auto size = descriptor_size(size_field, zip64);
    if (stored_crc && *stored_crc == crc && size && *size == p) return p;
  }
  return std::nullopt;
}

std::optional<std::int64_t> signed_difference(std::uint64_t a, std::uint64_t b) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (a > kMax || b > kMax) return std::nullopt;
  return static_cast<std::int64_t>(a) - static_cast<std::int64_t>(b);
}

enum class Signature { kLocal, kEnd };

// The next zip signature at or after `from`, skipping anything else, as a streaming reader
// searches: a local header, or the central directory / end records that end the walk.
std::optional<std::pair<std::uint64_t, Signature>> next_signature(Bytes zip, std::uint64_t from) {
  for (std::uint64_t p = from; p + 4 <= zip.size(); ++p) {
    const void* hit = std::memchr(zip.data() + p, 'P', zip.size() - p - 3);
    if (hit == nullptr) break;
    p = static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - zip.data());
    if (zip[p + 1] != 'K') continue;
    const std::uint8_t a = zip[p + 2];
    const std::uint8_t b = zip[p + 3];
    if (a == 3 && b == 4) return std::pair{p, Signature::kLocal};
    if ((a == 1 && b == 2) || (a == 5 && b == 6) || (a == 6 && b == 6)) {
      return std::pair{p, Signature::kEnd};
    }
  }
  return std::nullopt;
}

}  // namespace

CentralView read_central_view(Bytes zip) {
  CentralView view;
  const auto end_record = find_end_record(zip);
  if (!end_record) return view;
  view.found = true;
  const auto loc = locate_directory(zip, *end_record, view.problems);
  if (!loc) {
    add_problem(view.problems, "the end of central directory record is cut short");
    return view;
  }
  // Whatever precedes the archive (a stub) shifts every offset: the directory should end where
  // the end record begins. Info-ZIP tries the shifted position, then the declared one.
  std::int64_t shift = 0;
  if (loc->size <= loc->end) {
    shift = signed_difference(loc->end - loc->size, loc->offset).value_or(0);
  }
  auto directory = shifted(loc->offset, shift, zip.size());
  if (loc->count > 0 && (!directory || !has_u32(zip, *directory, kCentralSignature))) {
    shift = 0;
    directory = shifted(loc->offset, 0, zip.size());
    if (!directory || !has_u32(zip, *directory, kCentralSignature)) {
      add_problem(view.problems,
                  "no central directory at its declared offset " + std::to_string(loc->offset));
      return view;
    }
  }
  view.archive_start = shift;
  view.directory_start = directory.value_or(0);
  ByteReader r(tail(zip, view.directory_start).value_or(Bytes{}));
  for (std::uint64_t i = 0; i < loc->count; ++i) {
    if (i >= kMaxZipRecords) {
      view.capped = true;
      break;
    }
    auto signature = r.u32le();
    if (!signature || *signature != kCentralSignature || r.remaining() < 42) {
      add_problem(view.problems, "central directory record " + std::to_string(i + 1) + " of " +
                                     std::to_string(loc->count) + " is damaged or missing");
      break;
    }
    ZipRecord rec;
    rec.version_made_by = *r.u16le();
    read_shared_fields(r, rec);
    const std::uint16_t name_length = *r.u16le();
    const std::uint16_t extra_length = *r.u16le();
    const std::uint16_t comment_length = *r.u16le();
    r.skip(4);  // disk number, internal attributes
    rec.external_attributes = *r.u32le();
    std::uint64_t offset = *r.u32le();
    auto name = r.take(name_length);
    auto extra = r.take(extra_length);
    if (!name || !extra || !r.skip(comment_length)) {
      add_problem(view.problems, "central directory record " + std::to_string(i + 1) +
                                     " runs past the end of the file");
      break;
    }
    rec.name.assign(name->begin(), name->end());
    apply_zip64(*extra, {&rec.uncompressed_size, &rec.compressed_size, &offset});
    const auto header = shifted(offset, shift, zip.size());
    auto local = header ? parse_local_header(zip, *header, nullptr) : std::nullopt;
    if (!local) {
      add_problem(view.problems, "entry " + quoted(rec.name) + ": no local header at offset " +
                                     std::to_string(offset) + "; not extracted");
      continue;
    }
    rec.header_offset = *header;
    rec.data_offset = local->data_offset;
    rec.local_extra = local->local_extra;
    view.records.push_back(std::move(rec));
  }
  return view;
}

LocalView read_local_view(Bytes zip, std::uint64_t start_hint, const LocalWalkLimits& limits) {
  LocalView view;
  const bool starts_as_zip = zip.size() >= 2 && zip[0] == 'P' && zip[1] == 'K';
  std::uint64_t pos = starts_as_zip ? 0 : std::min<std::uint64_t>(start_hint, zip.size());
  std::uint64_t inflated = 0;
  auto stop = [&](std::uint64_t at, std::string why) {
    view.complete = false;
    view.walked_to = at;
    view.stop_reason = std::move(why);
    return view;
  };
  for (;;) {
    const auto next = next_signature(zip, pos);
    if (!next || next->second == Signature::kEnd) {
      view.walked_to = next ? next->first : zip.size();
      return view;
    }
    const std::uint64_t at = next->first;
    if (view.records.size() >= kMaxZipRecords) {
      view.capped = true;
      return stop(at, "more than " + std::to_string(kMaxZipRecords) + " local headers");
    }
    bool zip64 = false;
    auto rec = parse_local_header(zip, at, &zip64);
    if (!rec) return stop(at, "the local header at offset " + std::to_string(at) + " is cut short");
    const std::string entry = "entry " + quoted(rec->name) + " at offset " + std::to_string(at);
    const Bytes rest = tail(zip, rec->data_offset).value_or(Bytes{});
    if ((rec->flags & kZipFlagDataDescriptor) == 0) {
      if (rec->compressed_size > rest.size()) return stop(at, entry + " runs past the end");
      pos = rec->data_offset + rec->compressed_size;
      view.records.push_back(std::move(*rec));
      continue;
    }
    // Sizes follow the data: find where the data ends the way a streaming reader must.
    std::optional<std::uint64_t> length;
    std::string why;
    if (rec->method == kMethodDeflated) {
      const std::uint64_t room =
          limits.max_total_inflate > inflated ? limits.max_total_inflate - inflated : 0;
      length = deflate_stream_length(rest, std::min(limits.max_entry_inflate, room), inflated, why);
    } else if (rec->method == kMethodStored) {
      length = stored_stream_length(rest, zip64);
      why = "no data descriptor matching its bytes follows it";
    } else {
      why = "its sizes are in a data descriptor and its method (" + std::to_string(rec->method) +
            ") is not one the walk decompresses";
    }
    if (!length) {
      std::string message = entry;
      message.append(": ").append(why);
      return stop(at, std::move(message));
    }
    ByteReader descriptor(tail(rest, *length).value_or(Bytes{}));
    if (has_u32(rest, *length, kDescriptorSignature)) descriptor.skip(4);
    const auto crc = descriptor.u32le();
    const auto csize = descriptor_size(descriptor, zip64);
    const auto usize = descriptor_size(descriptor, zip64);
    if (!crc || !csize || !usize) return stop(at, entry + ": its data descriptor is cut short");
    rec->crc32 = *crc;
    rec->compressed_size = *length;
    rec->uncompressed_size = *usize;
    pos = rec->data_offset + *length + (rest.size() - *length - descriptor.remaining());
    view.records.push_back(std::move(*rec));
  }
}

}  // namespace cascade::scan::detail
