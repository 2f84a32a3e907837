// Resource tree walk down to RT_VERSION, then the VS_VERSIONINFO block.
#include <unordered_set>

#include "core/utf8.h"
#include "formats/pe/pe_internal.h"

namespace cascade::pe::detail {

namespace {

constexpr std::uint32_t kRtVersion = 16;
constexpr int kMaxVersionDepth = 4;  // VS_VERSIONINFO > StringFileInfo > StringTable > String

struct ResourceEntry {
  std::uint32_t id_or_name;
  std::uint32_t offset;  // high bit: subdirectory
};

// Entries of the resource directory at `offset` (relative to the resource section start).
std::optional<std::vector<ResourceEntry>> directory_entries(Bytes rsrc, std::uint64_t offset) {
  auto header = slice(rsrc, offset, 16);
  if (!header) return std::nullopt;
  ByteReader r(*header);
  r.skip(12);
  const std::size_t count = std::size_t{*r.u16le()} + *r.u16le();
  if (count > kMaxResourceEntries) return std::nullopt;
  auto table = slice(rsrc, offset + 16, count * 8);
  if (!table) return std::nullopt;
  ByteReader t(*table);
  std::vector<ResourceEntry> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t id_or_name = *t.u32le();
    const std::uint32_t entry_offset = *t.u32le();
    out.push_back({id_or_name, entry_offset});
  }
  return out;
}

// Descends type -> name -> language, taking the first entry below RT_VERSION; returns the
// resource data entry's (RVA, size).
std::optional<std::pair<std::uint32_t, std::uint32_t>> find_version_data(Bytes rsrc) {
  auto types = directory_entries(rsrc, 0);
  if (!types) return std::nullopt;
  for (const auto& type : *types) {
    if (type.id_or_name != kRtVersion || !(type.offset & 0x80000000)) continue;
    std::uint64_t next = type.offset & 0x7fffffff;
    std::unordered_set<std::uint64_t> visited{0};
    for (int level = 0; level < 2; ++level) {  // name, then language
      if (!visited.insert(next).second) return std::nullopt;
      auto entries = directory_entries(rsrc, next);
      if (!entries || entries->empty()) return std::nullopt;
      const auto& first = entries->front();
      if (level == 1 && (first.offset & 0x80000000)) return std::nullopt;
      next = first.offset & 0x7fffffff;
      if (level == 0 && !(first.offset & 0x80000000)) break;
    }
    auto data_entry = slice(rsrc, next, 16);
    if (!data_entry) return std::nullopt;
    ByteReader d(*data_entry);
    const std::uint32_t data_rva = *d.u32le();
    const std::uint32_t data_size = *d.u32le();
    return std::make_pair(data_rva, data_size);
  }
  return std::nullopt;
}

// One node of the VS_VERSIONINFO tree: header, key, value, children (each 32-bit aligned).
struct VersionNode {
  std::string key;
  Bytes value;
  std::uint16_t value_length = 0;  // in words for text values, bytes for binary ones
  std::uint16_t type = 0;          // 1: text, 0: binary
  Bytes children;
};

std::size_t align4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

std::optional<VersionNode> read_node(Bytes block) {
  ByteReader r(block);
  auto length = r.u16le();
  auto value_length = r.u16le();
  auto type = r.u16le();
  if (!type || *length < 6 || *length > block.size()) return std::nullopt;
  Bytes node = block.first(*length);
  // The key is a NUL-terminated UTF-16 string right after the 6-byte header.
  std::size_t pos = 6;
  while (pos + 1 < node.size() && (node[pos] != 0 || node[pos + 1] != 0)) pos += 2;
  if (pos + 1 >= node.size()) return std::nullopt;
  VersionNode out;
  out.key = utf16le_to_utf8(node.subspan(6, pos - 6));
  out.type = *type;
  out.value_length = *value_length;
  pos = align4(pos + 2);
  const std::size_t value_bytes = *type == 1 ? std::size_t{*value_length} * 2 : *value_length;
  if (pos > node.size()) return out;
  out.value = node.subspan(pos, std::min(value_bytes, node.size() - pos));
  pos = align4(pos + value_bytes);
  if (pos < node.size()) out.children = node.subspan(pos);
  return out;
}

template <typename Fn>
void for_each_child(Bytes children, Fn&& fn) {
  std::size_t pos = 0;
  while (pos + 6 <= children.size()) {
    auto node = read_node(children.subspan(pos));
    if (!node) return;
    fn(*node);
    const std::size_t length = *load_u16le(children, pos);
    pos = align4(pos + length);
  }
}

std::string fixed_version(std::uint32_t ms, std::uint32_t ls) {
  return std::to_string(ms >> 16) + "." + std::to_string(ms & 0xffff) + "." +
         std::to_string(ls >> 16) + "." + std::to_string(ls & 0xffff);
}

}  // namespace

void parse_version_resource(Bytes file, PeImage& image) {
  const DataDirectory* dir = image.directory(kDirResource);
  if (dir == nullptr || dir->rva == 0) return;
  const RvaMapper map(file, image);
  auto rsrc = map.bytes_from(dir->rva);
  if (!rsrc) return;
  auto location = find_version_data(*rsrc);
  if (!location) return;
  auto data = map.bytes_at(location->first, location->second);
  if (!data) {
    image.anomalies.push_back("version resource data is outside the file");
    return;
  }
  auto root = read_node(*data);
  if (!root || root->key != "VS_VERSION_INFO") {
    image.anomalies.push_back("version resource is malformed");
    return;
  }
  VersionInfo info;
  if (root->value.size() >= 52 && *load_u32le(root->value, 0) == 0xfeef04bd) {
    info.file_version_fixed =
        fixed_version(*load_u32le(root->value, 8), *load_u32le(root->value, 12));
    info.product_version_fixed =
        fixed_version(*load_u32le(root->value, 16), *load_u32le(root->value, 20));
  }
  static_assert(kMaxVersionDepth == 4, "the three nested loops below mirror the tree depth");
  for_each_child(root->children, [&](const VersionNode& file_info) {
    if (file_info.key != "StringFileInfo") return;
    for_each_child(file_info.children, [&](const VersionNode& table) {
      if (!info.language.empty()) return;  // the first string table is the one Explorer shows
      info.language = table.key;
      for_each_child(table.children, [&](const VersionNode& entry) {
        std::string value = entry.type == 1 ? utf16le_to_utf8(entry.value) : std::string();
        info.strings.emplace_back(entry.key, std::move(value));
      });
    });
  });
  image.version = std::move(info);
}

}  // namespace cascade::pe::detail
