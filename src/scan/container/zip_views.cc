// Comparing a zip's two views, and reading the union of their entries. When the views disagree,
// the union is rewritten as a plain zip (the entries' stored bytes copied, nothing decompressed
// here) so that libarchive, under the same ExpansionGuard, decompresses and caps every entry
// exactly as it does for any other zip.
#include "scan/container/zip_views.h"

#include <map>
#include <tuple>

namespace cascade::scan::detail {

namespace {

// The local walk may inflate at most this many times the zip's size (plus the entry cap), as
// the ratio cap bounds any other expansion.
constexpr std::uint64_t kWalkInflateRatio = 250;
// The rewritten union copies stored bytes; entries that overlap (many records naming the same
// bytes, a known bomb) could multiply them, so the copy stops at this many times the zip.
constexpr std::uint64_t kMaxUnionCopyFactor = 4;
constexpr std::uint64_t kUnionCopyAllowance = std::uint64_t{1} << 20;
constexpr std::size_t kMaxAmbiguityNotes = 32;
constexpr std::uint32_t kAllOnes = 0xffffffffu;

// An entry is the same in both views when both name it alike and would decompress the same bytes
// the same way.
using EntryKey =
    std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint16_t, std::uint32_t, bool>;

EntryKey key_of(const ZipRecord& r) {
  return {r.name,   r.data_offset, r.compressed_size,
          r.method, r.crc32,       (r.flags & kZipFlagEncrypted) != 0};
}

class ZipWriter {
 public:
  void u16(std::uint64_t v) { put(v, 2); }
  void u32(std::uint64_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void bytes(Bytes b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void text(const std::string& s) { out_.insert(out_.end(), s.begin(), s.end()); }
  std::uint64_t size() const { return out_.size(); }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::vector<std::uint8_t> out_;
};

// The entry's own extra records without any zip64 record (the writer adds its own), or nothing
// when the field does not parse or would not fit beside the zip64 record.
std::vector<std::uint8_t> kept_extra(Bytes extra) {
  std::vector<std::uint8_t> out;
  ByteReader r(extra);
  while (r.remaining() >= 4) {
    const Bytes header = r.rest().first(4);
    const auto tag = r.u16le();
    const auto size = r.u16le();
    auto body = r.take(*size);
    if (!body) return {};
    if (*tag == 0x0001) continue;
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), body->begin(), body->end());
  }
  if (out.size() > 0xffff - 28) return {};
  return out;
}

struct Written {
  std::uint64_t offset = 0;
  std::vector<std::uint8_t> extra;
  std::uint64_t compressed_size = 0;
};

void write_zip64_extra(ZipWriter& w, const ZipRecord& r, std::uint64_t compressed,
                       std::optional<std::uint64_t> offset) {
  w.u16(0x0001);
  w.u16(offset ? 24 : 16);
  w.u64(r.uncompressed_size);
  w.u64(compressed);
  if (offset) w.u64(*offset);
}

}  // namespace

ZipComparison compare_zip_views(Bytes zip, const LocalWalkLimits& limits) {
  ZipComparison out;
  const CentralView central = read_central_view(zip);
  // Without a central directory, streaming is the only way the bytes read as a zip at all.
  if (!central.found) return out;
  const LocalView local = read_local_view(
      zip, central.archive_start > 0 ? static_cast<std::uint64_t>(central.archive_start) : 0,
      limits);
  for (const auto& problem : central.problems) out.notes.push_back("central directory: " + problem);
  if (!central.problems.empty()) out.agree = false;
  if (!local.complete) {
    out.notes.push_back("local headers: " + local.stop_reason +
                        "; the walk stopped there, so entries after offset " +
                        std::to_string(local.walked_to) +
                        " were read from the central directory only");
  }
  if (central.capped) {
    out.notes.push_back("the central directory lists more than " + std::to_string(kMaxZipRecords) +
                        " entries; only the first were compared with the local headers");
  }
  std::map<EntryKey, std::size_t> index;
  for (const auto& rec : central.records) {
    if (!index.emplace(key_of(rec), out.entries.size()).second) continue;
    // Past the point where the walk stopped, the local view is unknown, not empty.
    const bool unknown = !local.complete && rec.header_offset >= local.walked_to;
    out.entries.push_back({rec, unknown ? ZipViews::kBoth : ZipViews::kCentralOnly});
  }
  std::vector<bool> seen_locally(out.entries.size(), false);
  for (const auto& rec : local.records) {
    auto [it, added] = index.emplace(key_of(rec), out.entries.size());
    if (added) {
      out.entries.push_back({rec, ZipViews::kLocalOnly});
    } else if (it->second < seen_locally.size()) {
      seen_locally[it->second] = true;
    }
  }
  for (std::size_t i = 0; i < seen_locally.size(); ++i) {
    if (seen_locally[i]) out.entries[i].views = ZipViews::kBoth;
  }
  for (const auto& e : out.entries) {
    if (e.views != ZipViews::kBoth) out.agree = false;
  }
  return out;
}

std::string ambiguity_message(const ZipEntryView& entry) {
  const std::string what = "entry " + quote_name(entry.record.name) + " (local header at offset " +
                           std::to_string(entry.record.header_offset) + ", " +
                           std::to_string(entry.record.compressed_size) + " stored bytes)";
  if (entry.views == ZipViews::kCentralOnly) {
    return what +
           " is in the central directory (read by Windows, unzip and most libraries) but not "
           "in the local headers (read by streaming readers); scanned";
  }
  return what +
         " is in the local headers (read by streaming readers) but not in the central "
         "directory (read by Windows, unzip and most libraries); scanned";
}

std::vector<std::uint8_t> write_union_zip(Bytes zip, const std::vector<ZipEntryView>& entries) {
  ZipWriter w;
  std::vector<Written> written;
  written.reserve(entries.size());
  for (const auto& e : entries) {
    const ZipRecord& r = e.record;
    // A size the bytes cannot hold is cut to what is there: the decompressor then reports the
    // entry as damaged instead of reading the next entry's bytes.
    const Bytes data =
        tail(zip, r.data_offset)
            .value_or(Bytes{})
            .first(static_cast<std::size_t>(std::min<std::uint64_t>(
                r.compressed_size, tail(zip, r.data_offset).value_or(Bytes{}).size())));
    Written entry{w.size(), kept_extra(r.local_extra), data.size()};
    const bool zip64 = r.uncompressed_size >= kAllOnes || data.size() >= kAllOnes;
    w.u32(0x04034b50);
    w.u16(zip64 ? 45 : r.version_needed);
    w.u16(r.flags & ~kZipFlagDataDescriptor);
    w.u16(r.method);
    w.u16(r.mod_time);
    w.u16(r.mod_date);
    w.u32(r.crc32);
    w.u32(zip64 ? kAllOnes : data.size());
    w.u32(zip64 ? kAllOnes : r.uncompressed_size);
    w.u16(r.name.size());
    w.u16(entry.extra.size() + (zip64 ? 20 : 0));
    w.text(r.name);
    if (zip64) write_zip64_extra(w, r, data.size(), std::nullopt);
    w.bytes(entry.extra);
    w.bytes(data);
    written.push_back(std::move(entry));
  }
  const std::uint64_t directory_offset = w.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ZipRecord& r = entries[i].record;
    const Written& entry = written[i];
    const bool zip64 = r.uncompressed_size >= kAllOnes || entry.compressed_size >= kAllOnes ||
                       entry.offset >= kAllOnes;
    w.u32(0x02014b50);
    w.u16(r.version_made_by);
    w.u16(zip64 ? 45 : r.version_needed);
    w.u16(r.flags & ~kZipFlagDataDescriptor);
    w.u16(r.method);
    w.u16(r.mod_time);
    w.u16(r.mod_date);
    w.u32(r.crc32);
    w.u32(zip64 ? kAllOnes : entry.compressed_size);
    w.u32(zip64 ? kAllOnes : r.uncompressed_size);
    w.u16(r.name.size());
    w.u16(entry.extra.size() + (zip64 ? 28 : 0));
    w.u16(0);  // comment
    w.u16(0);  // disk
    w.u16(0);  // internal attributes
    w.u32(r.external_attributes);
    w.u32(zip64 ? kAllOnes : entry.offset);
    w.text(r.name);
    if (zip64) write_zip64_extra(w, r, entry.compressed_size, entry.offset);
    w.bytes(entry.extra);
  }
  const std::uint64_t directory_size = w.size() - directory_offset;
  const bool zip64 =
      entries.size() >= 0xffff || directory_offset >= kAllOnes || directory_size >= kAllOnes;
  if (zip64) {
    const std::uint64_t record = w.size();
    w.u32(0x06064b50);
    w.u64(44);
    w.u16(45);
    w.u16(45);
    w.u32(0);
    w.u32(0);
    w.u64(entries.size());
    w.u64(entries.size());
    w.u64(directory_size);
    w.u64(directory_offset);
    w.u32(0x07064b50);
    w.u32(0);
    w.u64(record);
    w.u32(1);
  }
  w.u32(0x06054b50);
  w.u16(0);
  w.u16(0);
  w.u16(zip64 ? 0xffff : entries.size());
  w.u16(zip64 ? 0xffff : entries.size());
  w.u32(zip64 ? kAllOnes : directory_size);
  w.u32(zip64 ? kAllOnes : directory_offset);
  w.u16(0);
  return w.take();
}

void expand_zip_views(Bytes zip, ExpansionGuard& guard, const EntryVisitor& visit,
                      void (*expand_plain)(Bytes, ExpansionGuard&, const EntryVisitor&)) {
  LocalWalkLimits limits;
  limits.max_entry_inflate = guard.entry_cap();
  limits.max_total_inflate = kWalkInflateRatio * zip.size() + guard.entry_cap();
  ZipComparison views = compare_zip_views(zip, limits);
  for (auto& note : views.notes) guard.note_malformed("zip " + std::move(note));
  if (views.agree) {
    expand_plain(zip, guard, visit);
    return;
  }
  // Ambiguous entries first, so that a cap stopping the expansion cannot hide them.
  std::size_t ambiguous = 0;
  for (const auto& e : views.entries) {
    if (e.views == ZipViews::kBoth) continue;
    if (++ambiguous <= kMaxAmbiguityNotes) guard.note_ambiguous(ambiguity_message(e));
  }
  if (ambiguous > kMaxAmbiguityNotes) {
    guard.note_ambiguous(std::to_string(ambiguous - kMaxAmbiguityNotes) +
                         " more entries are in only one of the zip's two views (not listed); "
                         "scanned");
  }
  // Copying stored bytes is bounded too: overlapping entries must not multiply them.
  const std::uint64_t copy_cap = kMaxUnionCopyFactor * zip.size() + kUnionCopyAllowance;
  std::uint64_t copied = 0;
  std::size_t kept = 0;
  for (; kept < views.entries.size(); ++kept) {
    copied += std::min<std::uint64_t>(views.entries[kept].record.compressed_size, zip.size());
    if (copied > copy_cap) break;
  }
  if (kept < views.entries.size()) {
    guard.note_incomplete("zip entries overlap: the stored bytes of " +
                          std::to_string(views.entries.size() - kept) + " entries from " +
                          quote_name(views.entries[kept].record.name) + " on would exceed " +
                          std::to_string(copy_cap) + " bytes; not scanned");
    views.entries.resize(kept);
  }
  const std::vector<std::uint8_t> rewritten = write_union_zip(zip, views.entries);
  expand_plain(Bytes(rewritten.data(), rewritten.size()), guard, visit);
}

}  // namespace cascade::scan::detail
