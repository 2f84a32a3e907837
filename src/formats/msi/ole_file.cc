#include "formats/msi/ole_file.h"

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-input.h>
#include <gsf/gsf-utils.h>

#include <algorithm>
#include <mutex>

namespace cascade::msi {

void GObjectUnref::operator()(void* object) const {
  if (object != nullptr) g_object_unref(object);
}

namespace {

// libgsf reports what it dislikes through g_warning and g_return_val_if_fail on stderr. cascade
// reports damage in its own findings, so those lines would only be noise in the CLI's output.
void drop_log(const gchar* /*domain*/, GLogLevelFlags /*level*/, const gchar* /*message*/,
              gpointer /*data*/) {}

void init_gsf() {
  static std::once_flag once;
  std::call_once(once, [] {
    gsf_init();
    const auto levels =
        static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
                                    G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG);
    for (const char* domain : {"libgsf", "libgsf:msole"}) {
      g_log_set_handler(domain, levels, drop_log, nullptr);
    }
  });
}

Error gsf_error(const std::string& what) {
  return make_error(ErrorCode::kMalformed, "OLE compound file: libgsf " + what);
}

}  // namespace

Result<OleFile> OleFile::open(Bytes data) {
  auto dir = read_ole_directory(data);
  if (!dir) return dir.error();
  init_gsf();
  OleFile file;
  file.dir_ = std::move(dir).value();
  file.source_.reset(gsf_input_memory_new(data.data(), static_cast<gsf_off_t>(data.size()), FALSE));
  if (!file.source_) return gsf_error("could not wrap the buffer");
  GError* error = nullptr;
  file.root_.reset(gsf_infile_msole_new(file.source_.get(), &error));
  std::string reason = error != nullptr && error->message != nullptr ? error->message : "";
  if (error != nullptr) g_error_free(error);
  if (!file.root_) return gsf_error("refused the file: " + reason);
  // The file was vetted; libgsf must now see exactly the entries cascade saw.
  const int listed = gsf_infile_num_children(file.root_.get());
  if (listed < 0 || static_cast<std::size_t>(listed) != file.dir_.entries[0].children.size()) {
    return gsf_error("lists " + std::to_string(listed) + " root entries, the directory has " +
                     std::to_string(file.dir_.entries[0].children.size()));
  }
  return file;
}

Result<GsfPtr<GsfInput>> OleFile::open_child(std::uint32_t index) const {
  if (index == 0 || index >= dir_.entries.size()) {
    return make_error(ErrorCode::kUsage, "no such OLE entry");
  }
  std::vector<std::uint32_t> path;
  for (std::uint32_t i = index; i != 0 && path.size() < dir_.entries.size();
       i = dir_.entries[i].parent) {
    path.push_back(i);
  }
  // Storages on the way stay referenced until the stream is open.
  std::vector<GsfPtr<GsfInput>> storages;
  GsfInfile* parent = root_.get();
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    const OleEntry& entry = dir_.entries[*it];
    GsfPtr<GsfInput> child(gsf_infile_child_by_name(parent, entry.utf8.c_str()));
    if (!child) return gsf_error("cannot open '" + entry_path(dir_, *it) + "'");
    if (std::next(it) == path.rend()) return child;
    if (!GSF_IS_INFILE(child.get())) return gsf_error("'" + entry.utf8 + "' is not a storage");
    parent = GSF_INFILE(child.get());
    storages.push_back(std::move(child));
  }
  return make_error(ErrorCode::kUsage, "no such OLE entry");
}

Result<StreamView> OleFile::stream(std::uint32_t index) const {
  if (index >= dir_.entries.size() || dir_.entries[index].type != kOleStream) {
    return make_error(ErrorCode::kUsage, "not an OLE stream");
  }
  StreamView view;
  const std::uint64_t size = dir_.entries[index].size;
  if (size == 0) return view;  // libgsf never opens empty streams: their chains are unchecked
  auto child = open_child(index);
  if (!child) return child.error();
  if (gsf_input_size(child->get()) != static_cast<gsf_off_t>(size)) {
    return gsf_error("disagrees on the size of '" + entry_path(dir_, index) + "'");
  }
  const guint8* bytes = gsf_input_read(child->get(), static_cast<std::size_t>(size), nullptr);
  if (bytes == nullptr) return gsf_error("cannot read '" + entry_path(dir_, index) + "'");
  view.input_ = std::move(child).value();
  view.bytes_ = Bytes(bytes, static_cast<std::size_t>(size));
  return view;
}

std::optional<Error> OleFile::read_chunks(std::uint32_t index, std::size_t chunk,
                                          const std::function<void(Bytes)>& sink) const {
  if (index >= dir_.entries.size() || dir_.entries[index].type != kOleStream || chunk == 0) {
    return make_error(ErrorCode::kUsage, "not an OLE stream");
  }
  std::uint64_t remaining = dir_.entries[index].size;
  if (remaining == 0) return std::nullopt;
  auto child = open_child(index);
  if (!child) return child.error();
  if (gsf_input_size(child->get()) != static_cast<gsf_off_t>(remaining)) {
    return gsf_error("disagrees on the size of '" + entry_path(dir_, index) + "'");
  }
  while (remaining > 0) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk));
    const guint8* bytes = gsf_input_read(child->get(), n, nullptr);
    if (bytes == nullptr) return gsf_error("cannot read '" + entry_path(dir_, index) + "'");
    sink(Bytes(bytes, n));
    remaining -= n;
  }
  return std::nullopt;
}

}  // namespace cascade::msi
