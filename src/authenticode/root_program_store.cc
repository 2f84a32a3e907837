#include "authenticode/root_program_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "authenticode/builtin_trust.h"
#include "authenticode/root_program.h"
#include "authenticode/trust_store.h"
#include "core/mapped_file.h"

namespace cascade::authenticode {

namespace {

// authroot.stl and its roots are well under 1 MiB; far more is not a root list.
constexpr std::size_t kMaxRootListBytes = 64u << 20;

Result<std::vector<std::uint8_t>> read_all(const std::string& path) {
  auto text = read_whole_file(path, kMaxRootListBytes);
  if (!text) return make_error(text.error().code, "cannot read " + text.error().message);
  return std::vector<std::uint8_t>(text->begin(), text->end());
}

Status write_replacing(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot replace " + path + ": " + ec.message());
  return ok_status();
}

Bytes view(const std::vector<std::uint8_t>& v) {
  return Bytes(v.data(), v.size());
}

}  // namespace

Result<RootProgramUpdate> update_root_program_store(const std::string& stl_path,
                                                    const std::string& roots_path,
                                                    const std::string& dir, bool allow_older,
                                                    const std::vector<std::string>& pins) {
  auto stl = read_all(stl_path);
  if (!stl) return stl.error();
  auto roots = read_all(roots_path);
  if (!roots) return roots.error();
  std::vector<std::string_view> pin_views(kMicrosoftListRootsSha256.begin(),
                                          kMicrosoftListRootsSha256.end());
  if (!pins.empty()) pin_views.assign(pins.begin(), pins.end());
  auto program = load_root_program(view(*stl), view(*roots), pin_views);
  if (!program) return make_error(program.error().code, stl_path + ": " + program.error().message);

  // The list in use now: the folder's, when it holds one that loads, else the built-in one.
  std::vector<std::uint8_t> current_stl, current_roots;
  Bytes in_use_stl = builtin_trust_file(BuiltinTrustFile::kMicrosoftAuthroot);
  Bytes in_use_roots = builtin_trust_file(BuiltinTrustFile::kMicrosoftRoots);
  std::error_code ec;
  if (std::filesystem::exists(dir + "/authroot.stl", ec)) {
    auto s = read_all(dir + "/authroot.stl");
    auto r = read_all(dir + "/roots.pem");
    if (s && r) {
      current_stl = std::move(*s);
      current_roots = std::move(*r);
      in_use_stl = view(current_stl);
      in_use_roots = view(current_roots);
    }
  }
  RootProgramUpdate update;
  if (auto current = load_root_program(in_use_stl, in_use_roots, pin_views)) {
    update.replaced_this_update = current->this_update;
    if (program->this_update < current->this_update && !allow_older) {
      return make_error(ErrorCode::kUsage, "the new list (" + format_time(program->this_update) +
                                               ") is older than the one in use (" +
                                               format_time(current->this_update) +
                                               "); --allow-older to install it");
    }
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  if (auto w = write_replacing(dir + "/roots.pem", *roots); !w) return w.error();
  if (auto w = write_replacing(dir + "/authroot.stl", *stl); !w) return w.error();
  update.sequence_number = program->sequence_number;
  update.this_update = program->this_update;
  if (program->list_signature.signer) update.signer = program->list_signature.signer->subject;
  update.listed = program->listed;
  update.installed = program->entries.size();
  return update;
}

}  // namespace cascade::authenticode
