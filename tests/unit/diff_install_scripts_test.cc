// Install-time scripts found in hand-built releases, how they pair and rank, and the path
// stripping that pairs an archive with its unpacked tree.
#include <gtest/gtest.h>

#include "core/finding_catalogue.h"
#include "diff/differ.h"
#include "diff/install_scripts.h"
#include "diff/release.h"

namespace cascade::diff {
namespace {

ReleaseFile text_file(const std::string& key, const std::string& text,
                      const std::string& root = "r") {
  ReleaseFile f;
  f.key = key;
  f.facts.path = root + "/" + key;
  f.facts.size = text.size();
  f.facts.sha256 = std::to_string(std::hash<std::string>{}(text));
  f.content = text;
  return f;
}

Release release_of(std::vector<ReleaseFile> files, ReleaseKind kind = ReleaseKind::kDirectory) {
  Release r{.source = "r", .kind = kind};
  r.files = std::move(files);
  std::sort(r.files.begin(), r.files.end(),
            [](const ReleaseFile& a, const ReleaseFile& b) { return a.key < b.key; });
  return r;
}

std::vector<std::string> ids(const std::vector<InstallScript>& scripts) {
  std::vector<std::string> out;
  for (const auto& s : scripts) out.push_back(s.id);
  return out;
}

const std::string kManifest =
    R"({"name":"demo","version":"1.0.0","scripts":{"test":"x","postinstall":"echo M","prepare":"echo P"}})";

TEST(InstallScripts, NpmHooksAreTheLifecycleOnes) {
  const auto found =
      find_install_scripts(release_of({text_file("package/package.json", kManifest)}));
  EXPECT_EQ(ids(found), (std::vector<std::string>{"package/package.json#scripts.postinstall",
                                                  "package/package.json#scripts.prepare"}));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].package, "demo@1.0.0");
  EXPECT_EQ(found[0].text, "echo M");
  EXPECT_EQ(found[0].kind, ScriptKind::kNpmHook);
}

TEST(InstallScripts, NpmReadsARepeatedKeyByItsLastCopy) {
  const auto found = find_install_scripts(release_of({text_file(
      "package.json", R"({"scripts":{"postinstall":"echo A","postinstall":"echo B"}})")}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].text, "echo B");
}

TEST(InstallScripts, DeepNestingIsReadWithoutExhaustingTheStack) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const auto found = find_install_scripts(release_of(
      {text_file("package.json", R"({"x":)" + deep + R"(,"scripts":{"install":"echo M"}})")}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].text, "echo M");
}

TEST(InstallScripts, MalformedManifestsAreNoScripts) {
  for (const std::string text :
       {"{", "[]", R"({"scripts":["postinstall"]})", R"({"scripts":{"postinstall":42}})"}) {
    EXPECT_TRUE(find_install_scripts(release_of({text_file("package.json", text)})).empty())
        << text;
  }
}

TEST(InstallScripts, DebianMaintainerScriptsPairWhateverTheCompression) {
  const std::string control = "Package: demo\nVersion: 2.0-1\n";
  const auto xz = find_install_scripts(
      release_of({text_file("control.tar.xz!./postinst", "#!/bin/sh\n"),
                  text_file("control.tar.xz!./control", control),
                  text_file("data.tar.xz!./usr/share/postinst", "not a maintainer script\n")}));
  const auto tree = find_install_scripts(release_of({text_file("debian/postinst", "#!/bin/sh\n")}));
  const auto nested = find_install_scripts(
      release_of({text_file("pool/demo.deb!control.tar.zst!./prerm", "#!/bin/sh\n")}));
  EXPECT_EQ(ids(xz), std::vector<std::string>{"DEBIAN/postinst"});
  ASSERT_EQ(xz.size(), 1u);
  EXPECT_EQ(xz[0].package, "demo@2.0-1");
  EXPECT_EQ(ids(tree), std::vector<std::string>{"DEBIAN/postinst"});
  EXPECT_EQ(ids(nested), std::vector<std::string>{"pool/demo.deb!DEBIAN/prerm"});
}

TEST(InstallScripts, PthFilesCountOnlyForTheirImportLines) {
  const auto found = find_install_scripts(
      release_of({text_file("lib/paths.pth", "/opt/lib\n"),
                  text_file("lib/hook.pth", "/opt/lib\nimport os; os.getpid()\n")}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "lib/hook.pth");
  EXPECT_EQ(found[0].text, "import os; os.getpid()\n");
}

TEST(InstallScripts, ElectronMainIsTheScriptMainNames) {
  const auto found = find_install_scripts(release_of(
      {text_file("resources/app.asar!package.json", R"({"name":"app","main":"./lib/start"})"),
       text_file("resources/app.asar!lib/start.js", "console.log(1)\n"),
       text_file("resources/app.asar!lib/other.js", "console.log(2)\n")}));
  EXPECT_EQ(ids(found), std::vector<std::string>{"resources/app.asar!lib/start.js"});
  EXPECT_TRUE(may_hold_install_script("x/resources/app.asar!lib/start.js"));
  EXPECT_FALSE(may_hold_install_script("x/lib/start.js"));
}

TEST(InstallScripts, DiffRanksAddedAboveChangedAndRemovedLowest) {
  const Release old_release =
      release_of({text_file("a/package.json", R"({"name":"a","scripts":{"postinstall":"echo 1"}})"),
                  text_file("b/package.json", R"({"name":"b","scripts":{"preinstall":"echo 1"}})"),
                  text_file("c/package.json", R"({"name":"c"})")});
  const Release new_release =
      release_of({text_file("a/package.json", R"({"name":"a","scripts":{"postinstall":"echo 2"}})"),
                  text_file("b/package.json", R"({"name":"b"})"),
                  text_file("c/package.json", R"({"name":"c","scripts":{"install":"echo 3"}})")});
  const DiffResult result = diff_releases(old_release, new_release, {});
  ASSERT_EQ(result.files.size(), 3u);
  EXPECT_EQ(result.files[0].key, "c/package.json");
  EXPECT_TRUE(result.files[0].findings[0].finding.is(findings::kDiffInstallScriptAdded));
  EXPECT_EQ(result.files[1].key, "a/package.json");
  EXPECT_TRUE(result.files[1].findings[0].finding.is(findings::kDiffInstallScriptChanged));
  EXPECT_NE(result.files[1].findings[0].finding.message.find("\"echo 1\" -> \"echo 2\""),
            std::string::npos);
  EXPECT_EQ(result.files[2].key, "b/package.json");
  EXPECT_TRUE(result.files[2].findings[0].finding.is(findings::kDiffInstallScriptRemoved));
  ASSERT_EQ(result.files[1].install_scripts.size(), 1u);
  EXPECT_EQ(result.files[1].install_scripts[0].text_diff.unified,
            "@@ -1 +1 @@\n-echo 1\n\\ No newline at end of file\n+echo 2\n"
            "\\ No newline at end of file\n");
}

TEST(InstallScripts, AReportSideOnlyKnowsWhichFilesExist) {
  Release old_release =
      release_of({text_file("a/package.json", R"({"scripts":{"postinstall":"echo 1"}})")},
                 ReleaseKind::kReport);
  for (auto& f : old_release.files) f.content.reset();  // reports carry no contents
  const Release new_release =
      release_of({text_file("a/package.json", R"({"scripts":{"postinstall":"echo 2"}})"),
                  text_file("b/package.json", R"({"scripts":{"postinstall":"echo 1"}})")});
  const DiffResult result = diff_releases(old_release, new_release, {});
  std::vector<std::string> with_script_findings;
  for (const auto& f : result.files) {
    for (const auto& df : f.findings) {
      if (df.finding.is(findings::kDiffInstallScriptAdded)) with_script_findings.push_back(f.key);
      EXPECT_FALSE(df.finding.is(findings::kDiffInstallScriptChanged));
    }
  }
  EXPECT_EQ(with_script_findings, std::vector<std::string>{"b/package.json"});
}

TEST(InstallScripts, TextDiffsOnlyWhenAsked) {
  const Release a = release_of({text_file("notes.txt", "one\n")});
  const Release b = release_of({text_file("notes.txt", "two\n")});
  EXPECT_FALSE(diff_releases(a, b, {}).files.at(0).text_diff.has_value());
  const auto with = diff_releases(a, b, {.text_diffs = true});
  ASSERT_TRUE(with.files.at(0).text_diff.has_value());
  EXPECT_EQ(with.files[0].text_diff->unified, "@@ -1 +1 @@\n-one\n+two\n");
}

TEST(StripComponents, DropsLeadingComponentsLikePatch) {
  EXPECT_EQ(strip_components("package/lib/index.js", 1, false), "lib/index.js");
  EXPECT_EQ(strip_components("data.tar.xz!./usr/bin/hello", 1, true), "usr/bin/hello");
  EXPECT_EQ(strip_components("data.tar.xz!./usr/bin/hello", 2, true), "bin/hello");
  EXPECT_EQ(strip_components("control.tar.zst!./postinst", 1, true), "DEBIAN/postinst");
  EXPECT_EQ(strip_components("control.tar.zst!./postinst", 3, true), "DEBIAN/postinst");
  EXPECT_EQ(strip_components("control.tar.zst!./postinst", 1, false), "postinst");
  EXPECT_EQ(strip_components("debian-binary", 1, true), "debian-binary");
  EXPECT_EQ(strip_components("", 1, false), "");
  EXPECT_EQ(strip_components("a.zip!b/c.jar!d/e.class", 2, false), "c.jar!d/e.class");
}

}  // namespace
}  // namespace cascade::diff
