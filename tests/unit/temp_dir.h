// A scratch directory for one test, removed with everything in it when the test ends.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace cascade::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "cascade-test-XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  // Writes `data` to `name` under the directory (making its parents); the file's path.
  std::string write(const std::string& name, const std::string& data) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::vector<std::uint8_t> read(const std::string& name) const { return read_path(path_ / name); }
  static std::vector<std::uint8_t> read_path(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // Runs `command` inside the directory; true when it exits 0 (else the failure shows its
  // output).
  bool run(const std::string& command) const {
    const std::string log = (path_ / ".command.log").string();
    const std::string full = "cd '" + path_.string() + "' && (" + command + ") >'" + log + "' 2>&1";
    const int rc = std::system(full.c_str());
    if (rc != 0) {
      std::ifstream in(log);
      ADD_FAILURE() << "command failed (" << rc << "): " << command << "\n"
                    << std::string(std::istreambuf_iterator<char>(in), {});
    }
    return rc == 0;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace cascade::testing
