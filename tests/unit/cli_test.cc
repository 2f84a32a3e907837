// The CLI's contract: exit codes, JSON document shape, per-file errors that do not stop a run.
#include <archive.h>
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "test_support.h"

namespace cascade {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// `stderr_to`: where the command's standard error goes ("/dev/null", or "&1" to read it in out).
CliRun run_cli(const std::string& args, std::string_view stderr_to = "/dev/null") {
  const std::string cmd = std::string(CASCADE_CLI) + " " + args + " 2>" + std::string(stderr_to);
  CliRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) run.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string trust_args() {
  return "--no-system-trust --trust " + testing::fixture("pki/ca.pem") + " ";
}

TEST(Cli, CleanFileExitsZero) {
  const CliRun r = run_cli("inspect " + trust_args() + testing::fixture("signed-sha256.exe"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Cascade Test Signer"), std::string::npos);
}

TEST(Cli, FindingAtThresholdExitsOne) {
  EXPECT_EQ(run_cli("inspect " + trust_args() + testing::fixture("padded.exe")).exit_code, 1);
  EXPECT_EQ(run_cli("inspect --fail-on critical " + trust_args() + testing::fixture("padded.exe"))
                .exit_code,
            0);
  EXPECT_EQ(run_cli("inspect --fail-on none " + trust_args() + testing::fixture("tampered.exe"))
                .exit_code,
            0);
  EXPECT_EQ(
      run_cli("inspect --fail-on low " + trust_args() + testing::fixture("hello.exe")).exit_code,
      1);  // signature.missing is low
}

TEST(Cli, UsageErrorsAndUnreadableInputsExitTwo) {
  EXPECT_EQ(run_cli("inspect --no-such-option x").exit_code, 2);
  EXPECT_EQ(run_cli("inspect /nonexistent/file").exit_code, 2);
}

TEST(Cli, BareCascadePrintsTheHelp) {
  const CliRun r = run_cli("", "&1");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"inspect", "scan", "diff", "verify", "trace", "version"}) {
    EXPECT_NE(r.out.find(std::string("  ") + command + " "), std::string::npos) << command;
  }
  EXPECT_EQ(r.out.find("__generate-docs"), std::string::npos);  // the build's, not the user's
}

TEST(Cli, UnknownCommandSaysSo) {
  const CliRun r = run_cli("inspekt file.exe", "&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("cascade: unknown command 'inspekt'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cascade --help"), std::string::npos) << r.out;
}

TEST(Cli, VersionNamesTheBuildAndTheLibrariesInUse) {
  const CliRun text = run_cli("version");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_EQ(text.out.rfind(std::string("cascade ") + CASCADE_PROJECT_VERSION + " (commit ", 0), 0u)
      << text.out;
  EXPECT_EQ(run_cli("--version").out, text.out);
  const CliRun json = run_cli("version --json");
  ASSERT_EQ(json.exit_code, 0);
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc.at("schema"), "cascade.version/1");
  EXPECT_EQ(doc.at("version"), CASCADE_PROJECT_VERSION);
  EXPECT_FALSE(doc.at("commit").get<std::string>().empty());
  // The versions the libraries report to this process, which links the same ones.
  const auto& libraries = doc.at("libraries");
  EXPECT_NE(std::string(OpenSSL_version(OPENSSL_VERSION))
                .find(" " + libraries.at("OpenSSL").get<std::string>() + " "),
            std::string::npos);
  EXPECT_EQ(libraries.at("SQLite"), sqlite3_libversion());
  EXPECT_EQ("libarchive " + libraries.at("libarchive").get<std::string>(),
            archive_version_string());
  EXPECT_TRUE(libraries.contains("libyara"));
  for (const auto& [name, version] : libraries.items()) {
    EXPECT_NE(text.out.find(name + " " + version.get<std::string>() + "\n"), std::string::npos)
        << name;
  }
}

TEST(Cli, MissingPathIsAnErrorNotAnEmptyReport) {
  for (const char* command : {"inspect", "inspect --json", "scan", "scan --json"}) {
    const CliRun r = run_cli(std::string(command) + " /nonexistent/file", "&1");
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.out, "cascade: /nonexistent/file: No such file or directory\n") << command;
  }
  // The other files are still inspected; the run says something was wrong.
  const CliRun r = run_cli("inspect --json --fail-on none " + trust_args() + "/nonexistent/file " +
                           testing::fixture("nested.exe"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("files").size(), 1u);
}

TEST(Cli, SeveritiesAndColourWordsAreCaseInsensitive) {
  const std::string padded = trust_args() + testing::fixture("padded.exe");
  EXPECT_EQ(run_cli("inspect --fail-on HIGH " + padded).exit_code, 1);
  EXPECT_EQ(run_cli("inspect --fail-on Critical " + padded).exit_code, 0);
  EXPECT_EQ(run_cli("inspect --fail-on None --color Never " + padded).exit_code, 0);
  EXPECT_EQ(run_cli("inspect --fail-on severe " + padded).exit_code, 2);
}

TEST(Cli, OneBadFileDoesNotStopTheOthers) {
  // A directory exists but is not a file to inspect: its error is part of the report.
  const CliRun r = run_cli("inspect --json --fail-on none " + trust_args() +
                           testing::fixture("pki") + " " + testing::fixture("nested.exe"));
  EXPECT_EQ(r.exit_code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.at("files").size(), 2u);
  EXPECT_TRUE(doc["files"][0].contains("error"));
  EXPECT_EQ(doc["files"][1].at("signatures").size(), 2u);
}

TEST(Cli, JsonDocumentHasTheDocumentedFields) {
  const CliRun r = run_cli("inspect --json --hashes --fail-on none " + trust_args() +
                           testing::fixture("padded.exe") + " " + testing::fixture("imports.exe"));
  ASSERT_EQ(r.exit_code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("schema"), "cascade.inspect/1");
  const auto& padded = doc.at("files").at(0);
  for (const char* key : {"path", "sha256", "sha1", "md5", "format", "imphash", "signatures",
                          "findings", "pe", "certificate_table", "overlay", "size"}) {
    EXPECT_TRUE(padded.contains(key)) << key;
  }
  EXPECT_EQ(padded.at("format"), "pe");
  const auto& sig = padded.at("signatures").at(0);
  EXPECT_TRUE(sig.at("digest_ok").get<bool>());
  EXPECT_NE(sig.at("signer").get<std::string>().find("Cascade Test Signer"), std::string::npos);
  bool padding = false;
  for (const auto& f : padded.at("findings")) {
    EXPECT_TRUE(f.contains("id") && f.contains("severity") && f.contains("message"));
    padding = padding || f.at("id") == "signature.padding";
  }
  EXPECT_TRUE(padding);
  const auto& imports = doc.at("files").at(1).at("pe");
  EXPECT_EQ(imports.at("delay_imports").size(), 2u);
}

}  // namespace
}  // namespace cascade
