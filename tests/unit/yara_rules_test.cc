// YARA through libyara: rule files written into a temporary directory at test time, compiled
// from files and directories, matched with tags and metas, errors for bad rules and scans.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/digest.h"
#include "scan/ioc/yara_internal.h"
#include "scan/ioc/yara_rules.h"
#include "temp_dir.h"

#include <yara.h>

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

YaraRules compile_ok(const std::vector<std::string>& paths) {
  auto rules = YaraRules::compile(paths);
  if (!rules) {
    ADD_FAILURE() << rules.error().message;
    std::abort();  // nothing below can run without rules
  }
  return std::move(rules).value();
}

std::vector<YaraMatch> match_ok(const YaraRules& rules, const std::string& data) {
  auto matches = rules.match(bytes_of(data));
  EXPECT_TRUE(matches.ok()) << (matches.ok() ? "" : matches.error().message);
  return matches.ok() ? std::move(matches).value() : std::vector<YaraMatch>{};
}

const char* kTaggedRule = R"(rule tagged : alpha beta {
  meta:
    author = "cascade"
    score = 75
    offset = -3
    enabled = true
    noisy = false
  strings:
    $s = "ffmpeg"
  condition:
    $s
}
private rule helper { condition: filesize > 0 }
)";

TEST(YaraRules, DirectoryRecursiveSortedWithTagsMetasAndNamespaces) {
  TempDir dir;
  const std::string a = dir.write("rules/a.yar", kTaggedRule);
  const std::string b = dir.write("rules/sub/b.yara", "rule other { condition: filesize > 3 }\n");
  const std::string d = dir.write("rules/sub/D.YAR", "rule upper { condition: false }\n");
  dir.write("rules/sub/notes.txt", "this is not a rule file {");
  const YaraRules rules = compile_ok({dir / "rules"});
  ASSERT_EQ(rules.files().size(), 3u);
  EXPECT_EQ(rules.files()[0].path, a);
  EXPECT_EQ(rules.files()[1].path, d);
  EXPECT_EQ(rules.files()[2].path, b);
  EXPECT_EQ(rules.files()[0].sha256,
            to_hex(digest(DigestAlgorithm::kSha256, bytes_of(kTaggedRule))));
  EXPECT_EQ(rules.rule_count(), 4u);

  const auto matches = match_ok(rules, "a trojanized ffmpeg.dll");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].rule, "tagged");
  EXPECT_EQ(matches[0].rule_namespace, "a");
  EXPECT_EQ(matches[0].tags, (std::vector<std::string>{"alpha", "beta"}));
  const std::vector<std::pair<std::string, std::string>> meta = {{"author", "cascade"},
                                                                 {"score", "75"},
                                                                 {"offset", "-3"},
                                                                 {"enabled", "true"},
                                                                 {"noisy", "false"}};
  EXPECT_EQ(matches[0].meta, meta);
  EXPECT_EQ(matches[1].rule, "other");
  EXPECT_EQ(matches[1].rule_namespace, "b");
  EXPECT_TRUE(matches[1].tags.empty());

  EXPECT_TRUE(match_ok(rules, "abc").empty());
}

TEST(YaraRules, SameRuleNamesInTwoFilesAndAFileGivenTwice) {
  TempDir dir;
  const std::string one = dir.write("one/x.yar", "rule same { condition: true }\n");
  const std::string two = dir.write("two/x.yar", "rule same { condition: true }\n");
  const YaraRules rules = compile_ok({one, dir / "two", dir / "one"});
  EXPECT_EQ(rules.files().size(), 2u);  // one/x.yar once
  const auto matches = match_ok(rules, "");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].rule_namespace, "x");
  EXPECT_EQ(matches[1].rule_namespace, "x-2");
}

TEST(YaraRules, EveryCompileErrorNamesFileAndLine) {
  TempDir dir;
  const std::string x = dir.write(
      "bad/x.yar", "rule ok { condition: true }\nrule broken {\n  condition: true and\n}\n");
  const std::string y = dir.write("bad/y.yar", "rule y {\n  condition: nothing_here\n}\n");
  auto rules = YaraRules::compile({dir / "bad"});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.error().code, ErrorCode::kMalformed);
  const std::string& message = rules.error().message;
  const auto newline = message.find('\n');
  ASSERT_NE(newline, std::string::npos) << message;
  EXPECT_EQ(message.substr(0, x.size() + 3), x + ":4:") << message;
  EXPECT_EQ(message.substr(newline + 1, y.size() + 3), y + ":2:") << message;
  EXPECT_NE(message.find("nothing_here"), std::string::npos) << message;
}

TEST(YaraRules, MissingPathsAndEmptyDirectories) {
  TempDir dir;
  auto missing = YaraRules::compile({dir / "nope.yar"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope.yar"), std::string::npos);
  dir.write("empty/readme.md", "no rules");
  auto empty = YaraRules::compile({dir / "empty"});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("no .yar or .yara"), std::string::npos);
  EXPECT_FALSE(YaraRules::compile({}).ok());
}

// The modules rules for PE/ELF malware lean on are built into Debian's libyara.
TEST(YaraRules, PeElfMathHashModulesAreAvailable) {
  std::string elf(120, '\0');  // libyara wants more than the 64-byte header
  std::memcpy(elf.data(),
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  elf[16] = 2;     // ET_EXEC
  elf[18] = 0x3e;  // EM_X86_64
  elf[20] = 1;     // EV_CURRENT
  elf[52] = 64;    // e_ehsize
  std::string pe(64 + 4 + 20 + 224, '\0');
  pe[0] = 'M', pe[1] = 'Z', pe[0x3c] = 0x40;
  std::memcpy(pe.data() + 0x40, "PE\0\0", 4);
  pe[0x44] = 0x4c, pe[0x45] = 0x01;    // IMAGE_FILE_MACHINE_I386
  pe[0x54] = static_cast<char>(0xe0);  // SizeOfOptionalHeader
  pe[0x56] = 0x02;                     // executable
  pe[0x58] = 0x0b, pe[0x59] = 0x01;    // PE32 optional header magic
  const std::string elf_sha256 = to_hex(digest(DigestAlgorithm::kSha256, bytes_of(elf)));
  const std::string elf_md5 = to_hex(digest(DigestAlgorithm::kMd5, bytes_of(elf)));
  TempDir dir;
  const std::string rules_path = dir.write("modules.yar", R"(import "pe"
import "elf"
import "math"
import "hash"
rule elf_exec {
  condition:
    elf.type == elf.ET_EXEC and elf.machine == elf.EM_X86_64 and not pe.is_pe and
    math.entropy(0, filesize) < 2.0 and
    hash.sha256(0, filesize) == ")" + elf_sha256 + R"(" and hash.md5(0, filesize) == ")" +
                                                              elf_md5 + R"("
}
rule pe_i386 {
  condition:
    pe.is_pe and pe.machine == pe.MACHINE_I386 and pe.number_of_sections == 0
}
)");
  const YaraRules rules = compile_ok({rules_path});
  auto matches = match_ok(rules, elf);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].rule, "elf_exec");
  matches = match_ok(rules, pe);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].rule, "pe_i386");
  EXPECT_TRUE(match_ok(rules, "").empty());
}

TEST(YaraRules, TooManyMatchesIsAnError) {
  TempDir dir;
  // libyara stops a string at 1,000,000 matches; the rule would then be judged on a cut list.
  const YaraRules rules = compile_ok(
      {dir.write("greedy.yar", "rule greedy { strings: $a = \"a\" condition: #a > 5 }\n")});
  const std::string data(1100000, 'a');
  auto result = rules.match(bytes_of(data));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kLimit);
  EXPECT_NE(result.error().message.find("too many matches"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("$a of rule greedy"), std::string::npos)
      << result.error().message;
  // The same rules still scan other data.
  EXPECT_EQ(match_ok(rules, "aaaaaaaa").size(), 1u);
}

TEST(YaraRules, ScanErrorsMapToErrors) {
  const Error timeout = yara::scan_error(ERROR_SCAN_TIMEOUT, "");
  EXPECT_EQ(timeout.code, ErrorCode::kLimit);
  EXPECT_EQ(timeout.message, "YARA scan timed out after 60 s");
  EXPECT_EQ(yara::scan_error(ERROR_INSUFFICIENT_MEMORY, "").code, ErrorCode::kLimit);
  EXPECT_EQ(yara::scan_error(ERROR_TOO_MANY_MATCHES, "string $x").message,
            "YARA: too many matches (string $x)");
  EXPECT_NE(yara::scan_error(12345, "").message.find("libyara error 12345"), std::string::npos);
}

TEST(YaraRules, SharedByThreads) {
  TempDir dir;
  const YaraRules rules = compile_ok({dir.write("t.yar", kTaggedRule)});
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&rules, &hits, t] {
      const std::string yes = "x ffmpeg " + std::to_string(t);
      const std::string no = "nothing " + std::to_string(t);
      for (int i = 0; i < 200; ++i) {
        auto a = rules.match(bytes_of(yes));
        auto b = rules.match(bytes_of(no));
        if (a.ok() && a->size() == 1 && (*a)[0].rule == "tagged" && b.ok() && b->empty()) {
          ++hits[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(hits, std::vector<int>(4, 200));
}

TEST(YaraRules, MovedRulesKeepWorking) {
  TempDir dir;
  YaraRules rules = compile_ok({dir.write("m.yar", "rule m { condition: filesize == 0 }\n")});
  YaraRules moved(std::move(rules));
  EXPECT_EQ(match_ok(moved, "").size(), 1u);
  EXPECT_EQ(rules.rule_count(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_TRUE(rules.files().empty());
  EXPECT_TRUE(match_ok(rules, "").empty());
}

}  // namespace
}  // namespace cascade::scan
