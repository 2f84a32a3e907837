// The CLI's contract: exit codes, JSON document shape, per-file errors that do not stop a run.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace cascade {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun run_cli(const std::string& args) {
  const std::string cmd = std::string(CASCADE_CLI) + " " + args + " 2>/dev/null";
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
  EXPECT_EQ(run_cli("").exit_code, 2);
}

TEST(Cli, OneBadFileDoesNotStopTheOthers) {
  const CliRun r = run_cli("inspect --json --fail-on none " + trust_args() + "/nonexistent/file " +
                           testing::fixture("nested.exe"));
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
