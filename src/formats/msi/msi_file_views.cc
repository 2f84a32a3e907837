#include "formats/msi/msi_file_views.h"

#include <algorithm>
#include <map>
#include <set>

#include "formats/msi/cabinet_files.h"

namespace cascade::msi {

namespace {

// File.Attributes bits: this file is stored compressed / uncompressed, whatever the default.
constexpr std::int32_t kAttributeNoncompressed = 0x2000;
constexpr std::int32_t kAttributeCompressed = 0x4000;
// Summary information "Word Count" (PID 15) bit: files are compressed by default.
constexpr std::uint32_t kPidWordCount = 15;
constexpr std::int32_t kWordCountCompressed = 0x2;
constexpr std::uint32_t kVtI4 = 3;
constexpr std::size_t kMaxMessages = 32;

constexpr char16_t kSummaryInformation[] =
    u"\x05"
    u"SummaryInformation";

// The Word Count property of the summary information property set (MS-OLEPS): the stream
// header, the first section's offset, then (id, offset) pairs inside the section.
std::optional<std::int32_t> summary_word_count(const OleFile& file) {
  auto index = root_stream(file.directory(), kSummaryInformation);
  if (!index) return std::nullopt;
  auto view = file.stream(*index);
  if (!view) return std::nullopt;
  const Bytes stream = view->bytes();
  auto sections = load_u32le(stream, 24);
  auto section_offset = load_u32le(stream, 44);
  if (!sections || *sections == 0 || !section_offset) return std::nullopt;
  const Bytes section = tail(stream, *section_offset).value_or(Bytes{});
  auto count = load_u32le(section, 4);
  for (std::uint64_t i = 0; count && i < *count; ++i) {
    auto id = load_u32le(section, 8 + 8 * i);
    auto offset = load_u32le(section, 12 + 8 * i);
    if (!id || !offset) break;
    if (*id != kPidWordCount) continue;
    auto type = load_u32le(section, *offset);
    auto value = load_u32le(section, std::uint64_t{*offset} + 4);
    if (!type || *type != kVtI4 || !value) return std::nullopt;
    return static_cast<std::int32_t>(*value);
  }
  return std::nullopt;
}

struct Medium {
  std::int32_t last_sequence = 0;
  std::string cabinet;  // as in the Media table: "#name" is embedded
};

std::vector<Medium> media(const Database& db, std::vector<std::string>& anomalies) {
  std::vector<Medium> out;
  auto t = db.table("Media", anomalies);
  auto last = t ? t->column("LastSequence") : std::nullopt;
  auto cabinet = t ? t->column("Cabinet") : std::nullopt;
  if (!last || !cabinet) return out;
  for (std::size_t r = 0; r < t->rows(); ++r) {
    out.push_back({t->integer(r, *last).value_or(0), t->text(r, *cabinet).value_or("")});
  }
  std::stable_sort(out.begin(), out.end(), [](const Medium& a, const Medium& b) {
    return a.last_sequence < b.last_sequence;
  });
  return out;
}

// Each embedded cabinet's file names, by stream name; cabinets missing or unreadable are left
// out (the Media check and the anomaly say why).
std::map<std::string, std::set<std::string>> cabinet_contents(const OleFile& file,
                                                              const Database& db,
                                                              const std::vector<Medium>& media,
                                                              std::vector<std::string>& anomalies) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& m : media) {
    if (!m.cabinet.starts_with('#')) continue;
    const std::string name = m.cabinet.substr(1);
    auto stream = db.streams().find(name);
    if (out.contains(name) || stream == db.streams().end()) continue;
    auto view = file.stream(stream->second);
    if (!view) continue;
    auto names = cabinet_file_names(view->bytes());
    if (!names) {
      anomalies.push_back("cabinet '" + name + "': " + names.error().message +
                          "; its files were not compared with the File table");
      continue;
    }
    out.emplace(name, std::set<std::string>(names->begin(), names->end()));
  }
  return out;
}

}  // namespace

std::vector<std::string> compare_file_views(const OleFile& file, const Database& db,
                                            std::vector<std::string>& anomalies) {
  std::vector<std::string> messages;
  std::size_t omitted = 0;
  auto report = [&](std::string message) {
    if (messages.size() < kMaxMessages) {
      messages.push_back(std::move(message));
    } else {
      ++omitted;
    }
  };
  const auto mediums = media(db, anomalies);
  const auto contents = cabinet_contents(file, db, mediums, anomalies);
  if (contents.empty()) return messages;
  auto files = db.table("File", anomalies);
  auto key = files ? files->column("File") : std::nullopt;
  auto attributes = files ? files->column("Attributes") : std::nullopt;
  auto sequence = files ? files->column("Sequence") : std::nullopt;
  std::set<std::string> keys;
  const bool compressed_by_default =
      (summary_word_count(file).value_or(0) & kWordCountCompressed) != 0;
  for (std::size_t r = 0; key && files && r < files->rows(); ++r) {
    auto k = files->text(r, *key);
    if (!k) continue;
    keys.insert(*k);
    const std::int32_t attrs = attributes ? files->integer(r, *attributes).value_or(0) : 0;
    const bool compressed = (attrs & kAttributeCompressed) != 0 ||
                            ((attrs & kAttributeNoncompressed) == 0 && compressed_by_default);
    auto seq = sequence ? files->integer(r, *sequence) : std::nullopt;
    if (!compressed || !seq) continue;
    // A file comes from the first medium whose LastSequence reaches its Sequence.
    auto medium = std::find_if(mediums.begin(), mediums.end(),
                               [&](const Medium& m) { return m.last_sequence >= *seq; });
    if (medium == mediums.end() || !medium->cabinet.starts_with('#')) continue;
    auto cabinet = contents.find(medium->cabinet.substr(1));
    if (cabinet == contents.end() || cabinet->second.contains(*k)) continue;
    report("File table row '" + *k + "' is installed from cabinet '" + cabinet->first +
           "', which does not hold it (what Windows Installer would install is not in the "
           "package scanned)");
  }
  for (const auto& [cabinet, names] : contents) {
    for (const auto& name : names) {
      if (keys.contains(name)) continue;
      std::string message = "cabinet '" + cabinet;
      message.append("' holds '")
          .append(name)
          .append(
              "', which no File table row names (Windows Installer never installs it; "
              "extractors unpack it); scanned");
      report(std::move(message));
    }
  }
  if (omitted > 0) {
    messages.push_back(std::to_string(omitted) +
                       " more files are in only one of the File table and the cabinets "
                       "(not listed)");
  }
  return messages;
}

}  // namespace cascade::msi
