// read_msi and MsiFileStreams: the package's identity, its streams, cabinets and install paths.
#include <algorithm>
#include <set>

#include "core/der.h"
#include "formats/msi/msi.h"
#include "formats/msi/msi_file_views.h"
#include "formats/msi/msi_internal.h"

namespace cascade::msi {

namespace {

constexpr std::size_t kMaxAnomalies = 64;
constexpr std::size_t kMaxDirectoryDepth = 256;
constexpr std::size_t kMaxFiles = std::size_t{1} << 20;

// {000C1084-...-000000000046} is an installer database, 1086 a patch, 1082 a transform.
bool installer_clsid(const std::array<std::uint8_t, 16>& c) {
  static constexpr std::uint8_t kTail[] = {0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0,
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};
  return (c[0] == 0x84 || c[0] == 0x86 || c[0] == 0x82) &&
         std::equal(std::begin(kTail), std::end(kTail), c.begin() + 1);
}

// Standard folders take their location from a property at install time; their DefaultDir is
// a placeholder ("PFiles"), so an install path starts below them.
bool system_folder(std::string_view id) {
  static constexpr std::string_view kFolders[] = {
      "ProgramFilesFolder",  "ProgramFiles64Folder",  "ProgramFiles6432Folder", "CommonFilesFolder",
      "CommonFiles64Folder", "CommonFiles6432Folder", "SystemFolder",           "System64Folder",
      "System16Folder",      "WindowsFolder",         "WindowsVolume",          "AppDataFolder",
      "LocalAppDataFolder",  "CommonAppDataFolder",   "DesktopFolder",          "ProgramMenuFolder",
      "StartMenuFolder",     "StartupFolder",         "PersonalFolder",         "TempFolder",
      "FontsFolder",         "FavoritesFolder",       "SendToFolder",           "TemplateFolder",
      "AdminToolsFolder",    "MyPicturesFolder",      "NetHoodFolder",          "PrintHoodFolder",
      "RecentFolder"};
  return std::find(std::begin(kFolders), std::end(kFolders), id) != std::end(kFolders);
}

std::string decoded_path(const OleDirectory& dir, std::uint32_t index) {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t i = index; i != 0 && chain.size() < dir.entries.size();
       i = dir.entries[i].parent) {
    chain.push_back(i);
  }
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += display_name(decode_stream_name(dir.entries[*it].name));
  }
  return path;
}

void read_properties(const Database& db, MsiPackage& p) {
  auto t = db.table("Property", p.anomalies);
  if (!t) return;
  auto key = t->column("Property");
  auto value = t->column("Value");
  if (!key || !value) {
    p.anomalies.push_back("Property table lacks its Property/Value columns");
    return;
  }
  for (std::size_t r = 0; r < t->rows(); ++r) {
    auto k = t->text(r, *key);
    if (!k) continue;
    std::string* target = *k == "ProductName"      ? &p.product_name
                          : *k == "ProductVersion" ? &p.product_version
                          : *k == "Manufacturer"   ? &p.manufacturer
                                                   : nullptr;
    if (target != nullptr) *target = t->text(r, *value).value_or("");
  }
}

// Embedded cabinets ("#name" in Media.Cabinet; a name without '#' is a file beside the MSI).
std::vector<std::string> embedded_cabinets(const Database& db,
                                           std::vector<std::string>& anomalies) {
  std::vector<std::string> out;
  auto t = db.table("Media", anomalies);
  if (!t) return out;
  auto column = t->column("Cabinet");
  if (!column) {
    anomalies.push_back("Media table lacks its Cabinet column");
    return out;
  }
  for (std::size_t r = 0; r < t->rows(); ++r) {
    auto cabinet = t->text(r, *column);
    if (!cabinet || !cabinet->starts_with('#')) continue;
    const std::string name = cabinet->substr(1);
    if (std::find(out.begin(), out.end(), name) != out.end()) continue;
    if (!db.streams().contains(name)) {
      anomalies.push_back("Media table embeds cabinet '" + name + "' but no such stream exists");
    }
    out.push_back(name);
  }
  return out;
}

std::map<std::string, std::string> component_directories(const Database& db,
                                                         std::vector<std::string>& anomalies) {
  std::map<std::string, std::string> out;
  auto t = db.table("Component", anomalies);
  auto key = t ? t->column("Component") : std::nullopt;
  auto dir = t ? t->column("Directory_") : std::nullopt;
  if (!key || !dir) return out;
  for (std::size_t r = 0; r < t->rows(); ++r) {
    if (auto k = t->text(r, *key)) out.emplace(*k, t->text(r, *dir).value_or(""));
  }
  return out;
}

struct DirectoryRow {
  std::string parent;
  std::string name;  // the long target name from DefaultDir
};

std::map<std::string, DirectoryRow> directory_rows(const Database& db,
                                                   std::vector<std::string>& anomalies) {
  std::map<std::string, DirectoryRow> out;
  auto t = db.table("Directory", anomalies);
  auto key = t ? t->column("Directory") : std::nullopt;
  auto parent = t ? t->column("Directory_Parent") : std::nullopt;
  auto default_dir = t ? t->column("DefaultDir") : std::nullopt;
  if (!key || !parent || !default_dir) return out;
  for (std::size_t r = 0; r < t->rows(); ++r) {
    if (auto k = t->text(r, *key)) {
      out.emplace(*k, DirectoryRow{t->text(r, *parent).value_or(""),
                                   long_name(t->text(r, *default_dir).value_or(""), true)});
    }
  }
  return out;
}

void cap_anomalies(std::vector<std::string>& anomalies) {
  if (anomalies.size() <= kMaxAnomalies) return;
  const std::size_t more = anomalies.size() - kMaxAnomalies;
  anomalies.resize(kMaxAnomalies);
  anomalies.push_back(std::to_string(more) + " further anomalies not listed");
}

}  // namespace

std::optional<std::uint64_t> der_length(Bytes blob) {
  ByteReader r(blob);
  auto element = der::expect(r, der::kSequence);
  if (!element) return std::nullopt;
  return element->encoded.size();
}

void resolve_install_names(const Database& db, MsiPackage& p) {
  auto files = db.table("File", p.anomalies);
  if (!files) return;
  const auto component_dir = component_directories(db, p.anomalies);
  const auto directories = directory_rows(db, p.anomalies);
  std::map<std::string, std::string> resolved;  // directory key -> path below the target
  auto resolve = [&](const std::string& start) -> std::string {
    if (auto it = resolved.find(start); it != resolved.end()) return it->second;
    std::vector<std::string> parts;
    std::set<std::string> seen;
    for (std::string d = start; !d.empty() && d != "TARGETDIR" && !system_folder(d);) {
      if (seen.size() >= kMaxDirectoryDepth || !seen.insert(d).second) {
        p.anomalies.push_back("Directory table: a cycle or a chain deeper than " +
                              std::to_string(kMaxDirectoryDepth) + " above " + start);
        break;
      }
      auto row = directories.find(d);
      if (row == directories.end()) {
        p.anomalies.push_back("Directory table has no row '" + d + "'");
        break;
      }
      if (row->second.parent.empty() || row->second.parent == d) break;  // a root: "SourceDir"
      if (!row->second.name.empty() && row->second.name != ".") parts.push_back(row->second.name);
      d = row->second.parent;
    }
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += *it + "/";
    return resolved[start] = path;
  };
  auto key = files->column("File");
  auto component = files->column("Component_");
  auto file_name = files->column("FileName");
  if (!key || !component || !file_name) {
    p.anomalies.push_back("File table lacks its File/Component_/FileName columns");
    return;
  }
  if (files->rows() > kMaxFiles) {
    p.anomalies.push_back("File table has " + std::to_string(files->rows()) +
                          " rows; install paths of the first " + std::to_string(kMaxFiles) +
                          " were resolved");
  }
  for (std::size_t r = 0; r < std::min(files->rows(), kMaxFiles); ++r) {
    auto k = files->text(r, *key);
    if (!k) continue;
    const std::string name = long_name(files->text(r, *file_name).value_or(""), false);
    std::string dir;
    if (auto c = files->text(r, *component)) {
      auto it = component_dir.find(*c);
      if (it != component_dir.end()) {
        dir = resolve(it->second);
      } else if (p.anomalies.size() <= kMaxAnomalies) {
        p.anomalies.push_back("File " + *k + ": component '" + *c +
                              "' is not in the Component table");
      }
    }
    p.install_names.emplace(*k, dir + name);
  }
}

bool looks_like_ole(Bytes data) {
  static constexpr std::uint8_t kMagic[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
  return data.size() >= sizeof kMagic &&
         std::equal(std::begin(kMagic), std::end(kMagic), data.begin());
}

Result<MsiPackage> read_msi(Bytes data) {
  auto file = OleFile::open(data);
  if (!file) return file.error();
  const OleDirectory& dir = file->directory();
  MsiPackage p;
  Database db = Database::read(*file, p.anomalies);
  if (!db.has_tables() && !installer_clsid(dir.entries[0].clsid)) {
    return make_error(ErrorCode::kUnsupported,
                      "OLE compound file without a Windows Installer database");
  }
  for (std::uint32_t i = 1; i < dir.entries.size(); ++i) {
    if (dir.entries[i].type == kOleStream) {
      p.streams.push_back({decoded_path(dir, i), dir.entries[i].size});
    }
  }
  read_properties(db, p);
  p.cabinets = embedded_cabinets(db, p.anomalies);
  resolve_install_names(db, p);
  read_custom_actions(db, p);
  const auto signature = root_stream(dir, kDigitalSignature);
  p.has_signature = signature.has_value();
  p.has_signature_ex = root_stream(dir, kDigitalSignatureEx).has_value();
  if (signature) {
    auto view = file->stream(*signature);
    auto length = view ? der_length(view->bytes()) : std::nullopt;
    if (length) p.signature_padding = view->bytes().size() - *length;
  }
  cap_anomalies(p.anomalies);
  return p;
}

MsiFileStreams::MsiFileStreams(MsiFileStreams&&) noexcept = default;
MsiFileStreams& MsiFileStreams::operator=(MsiFileStreams&&) noexcept = default;
MsiFileStreams::~MsiFileStreams() = default;

Result<MsiFileStreams> MsiFileStreams::open(Bytes data) {
  auto file = OleFile::open(data);
  if (!file) return file.error();
  MsiFileStreams out;
  out.file_ = std::make_unique<OleFile>(std::move(file).value());
  // The database points at the OleFile: read it only once the file has its final address.
  const Database db = Database::read(*out.file_, out.anomalies_);
  const auto cabinets = embedded_cabinets(db, out.anomalies_);
  out.disagreements_ = compare_file_views(*out.file_, db, out.anomalies_);
  const auto& entries = out.file_->directory().entries;
  auto add = [&](const std::string& name, std::uint32_t index) {
    out.streams_.push_back({name, entries[index].size, index});
  };
  for (const auto& name : cabinets) {
    if (auto it = db.streams().find(name); it != db.streams().end()) add(it->first, it->second);
  }
  for (const auto& [name, index] : db.streams()) {
    const bool reserved = !name.empty() && static_cast<unsigned char>(name[0]) < 0x20;
    if (!reserved && std::find(cabinets.begin(), cabinets.end(), name) == cabinets.end()) {
      add(name, index);
    }
  }
  return out;
}

std::optional<Error> MsiFileStreams::read(const MsiFileStream& stream,
                                          const std::function<void(Bytes)>& use) const {
  auto view = file_->stream(stream.entry);
  if (!view) return view.error();
  use(view->bytes());
  return std::nullopt;
}

}  // namespace cascade::msi
