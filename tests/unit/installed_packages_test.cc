// Installed packages (scan/packages): which paths are manifests, what each recogniser reads from
// well-formed, damaged and hostile records, the caps, the vendor rule, the inventory's order, and
// the report's packages list.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/finding_catalogue.h"
#include "report/scan_report.h"
#include "scan/packages/installed_package.h"
#include "scan/packages/manifest.h"
#include "scan/scanner.h"

namespace cascade::scan {
namespace {

using nlohmann::json;
using namespace std::string_literals;

Bytes bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

ManifestFacts read(const std::string& path, const std::string& text,
                   const ManifestLimits& limits = {}) {
  return recognise_manifest(path, bytes_of(text), limits);
}

// name@version[:arch] of each package, in the manifest's order.
std::vector<std::string> stated(const ManifestFacts& facts) {
  std::vector<std::string> out;
  for (const auto& p : facts.packages) {
    out.push_back(p.name + "@" + p.version + (p.architecture.empty() ? "" : ":" + p.architecture));
  }
  return out;
}

std::vector<std::string> purls(const std::vector<InstalledPackage>& packages) {
  std::vector<std::string> out;
  for (const auto& p : packages) out.push_back(p.purl);
  return out;
}

std::vector<InstalledPackage> finished(std::vector<ManifestFacts> manifests) {
  PackageInventory inventory;
  for (auto& facts : manifests) inventory.add(std::move(facts));
  return inventory.finish();
}

std::string stanza(const std::string& name, const std::string& version,
                   const std::string& arch = "amd64",
                   const std::string& status = "install ok installed") {
  return "Package: " + name + "\nStatus: " + status + "\nArchitecture: " + arch +
         "\nVersion: " + version + "\nDescription: a package\n more of it\n .\n the end\n\n";
}

TEST(InstalledPackages, PathsDecideTheRecogniser) {
  const std::vector<std::pair<std::string, std::optional<ManifestKind>>> cases = {
      {"/var/lib/dpkg/status", ManifestKind::kDpkgStatus},
      {"img.tar!./var/lib/dpkg/status", ManifestKind::kDpkgStatus},
      {"backup/dpkg/status", ManifestKind::kDpkgStatus},
      {"var/lib/apt/status", std::nullopt},
      {"dpkg/status.old", std::nullopt},
      {"app/package-lock.json", ManifestKind::kNpmLock},
      {"app/npm-shrinkwrap.json", ManifestKind::kNpmLock},
      {"app/node_modules/.package-lock.json", ManifestKind::kNpmLock},
      {"app/.package-lock.json", std::nullopt},
      {"app/node_modules/ms/package.json", ManifestKind::kNpmPackageJson},
      {"a.asar!node_modules/ms/package.json", ManifestKind::kNpmPackageJson},
      {"node_modules/@babel/core/package.json", ManifestKind::kNpmPackageJson},
      {"node_modules/@babel/package.json", std::nullopt},
      {"node_modules/ms/lib/package.json", std::nullopt},
      {"src/@babel/core/package.json", std::nullopt},
      {"app/package.json", std::nullopt},
      {"site/PyYAML-6.0.dist-info/METADATA", ManifestKind::kPythonMetadata},
      {"site/PyYAML-6.0.dist-info/RECORD", std::nullopt},
      {"docs/METADATA", std::nullopt},
      {"site/crcmod-1.7.egg-info/PKG-INFO", ManifestKind::kPythonMetadata},
      {"site/crcmod-1.7.egg-info", ManifestKind::kPythonMetadata},
      {"site/.egg-info", std::nullopt},
      {"etc/os-release", ManifestKind::kOsRelease},
      {"root/usr/lib/os-release", ManifestKind::kOsRelease},
      {"root/lib/os-release", std::nullopt},
      {"", std::nullopt},
      {"!", std::nullopt},
  };
  for (const auto& [path, kind] : cases) EXPECT_EQ(manifest_kind(path), kind) << path;
}

TEST(InstalledPackages, DpkgStatusKeepsInstalledPackagesOnly) {
  const std::string text =
      stanza("bash", "5.2.15-2+b8") + stanza("libc6", "2.36-9", "amd64") +
      stanza("libc6", "2.36-9", "i386") +  // Multi-Arch: same, one package per architecture
      stanza("xz-utils", "5.4.1-0.2", "amd64", "hold ok installed") +
      stanza("old", "1.0", "amd64", "deinstall ok installed") +
      stanza("half", "1.0", "amd64", "install ok half-configured") +
      stanza("unpacked", "1.0", "amd64", "install ok unpacked") +
      stanza("removed", "1.0", "amd64", "deinstall ok config-files") +
      stanza("broken", "1.0", "amd64", "install reinstreq installed") +
      stanza("notinstalled", "1.0", "amd64", "purge ok not-installed");
  const ManifestFacts facts = read("t/var/lib/dpkg/status", text);
  EXPECT_EQ(stated(facts), (std::vector<std::string>{"bash@5.2.15-2+b8:amd64", "libc6@2.36-9:amd64",
                                                     "libc6@2.36-9:i386",
                                                     "xz-utils@5.4.1-0.2:amd64", "old@1.0:amd64"}));
  EXPECT_TRUE(facts.incomplete.empty());
  ASSERT_FALSE(facts.packages.empty());
  EXPECT_EQ(facts.packages[0].source, "t/var/lib/dpkg/status");
  EXPECT_EQ(facts.packages[0].tree_root, "t/");
  EXPECT_EQ(read("backup/dpkg/status", text).packages[0].tree_root, std::nullopt);
  EXPECT_EQ(purls(finished({facts}))[0], "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64");
}

TEST(InstalledPackages, DpkgContinuationLinesAreNotFields) {
  // A description line that looks like a field belongs to the description; field names are
  // case-insensitive; CRLF endings and trailing spaces are tolerated.
  const std::string text =
      "package: curl\r\nstatus: install ok installed\r\narchitecture: amd64\r\n"
      "version: 7.88.1-10  \r\nDescription: tool\r\n Package: evil\r\n Version: 6.6.6\r\n"
      "\tStatus: install ok installed\r\n\r\n";
  EXPECT_EQ(stated(read("var/lib/dpkg/status", text)),
            (std::vector<std::string>{"curl@7.88.1-10:amd64"}));
}

TEST(InstalledPackages, DpkgDamagedStanzasAreSkipped) {
  const std::string good = stanza("good", "1.0");
  const std::vector<std::string> damaged = {
      "Package: noversion\nStatus: install ok installed\nArchitecture: amd64\n\n",
      "Package: twice\nVersion: 1\nVersion: 2\nStatus: install ok installed\n"
      "Architecture: amd64\n\n",
      "Package: nocolon\nthis line is no field\nVersion: 1\nStatus: install ok installed\n"
      "Architecture: amd64\n\n",
      "Package: " + std::string(100000, 'a') + "\nVersion: 1\nStatus: install ok installed\n" +
          "Architecture: amd64\n\n",
      "Package: caf\xc3\xa9\nVersion: 1\nStatus: install ok installed\nArchitecture: amd64\n\n",
      "Package: bad\xff\xfe\nVersion: 1\nStatus: install ok installed\nArchitecture: amd64\n\n",
      "Package: sp ace\nVersion: 1\nStatus: install ok installed\nArchitecture: amd64\n\n",
      "Package: nul\nVersion: 1\0\nStatus: install ok installed\nArchitecture: amd64\n\n"s,
      "Package: nostatus\nVersion: 1\nArchitecture: amd64\n\n",
      "Package: badstatus\nVersion: 1\nStatus: installed\nArchitecture: amd64\n\n",
  };
  for (const std::string& bad : damaged) {
    const std::string text = good + bad + good;
    const ManifestFacts facts = read("var/lib/dpkg/status", text);
    EXPECT_EQ(stated(facts), (std::vector<std::string>{"good@1.0:amd64", "good@1.0:amd64"}))
        << bad.substr(0, 60);
    EXPECT_TRUE(facts.incomplete.empty());
  }
  // A huge description does not cost the package.
  EXPECT_EQ(
      stated(read("var/lib/dpkg/status", "Package: big\nDescription: " + std::string(1 << 20, 'x') +
                                             "\nVersion: 1\nStatus: install ok installed\n"
                                             "Architecture: all\n")),
      (std::vector<std::string>{"big@1:all"}));
}

TEST(InstalledPackages, DpkgFileCutShortDropsTheStanzaItCuts) {
  const std::string whole = stanza("first", "1.0") + stanza("second", "2.0-1");
  // Cut inside the second stanza's last line, and just after a complete line of it.
  const std::string cut_in_line = whole.substr(0, whole.find("\nVersion: 2.0") + 12);
  EXPECT_EQ(stated(read("var/lib/dpkg/status", cut_in_line)),
            (std::vector<std::string>{"first@1.0:amd64"}));
  const std::string cut_after_line =
      whole.substr(0, whole.find("Architecture: amd64", whole.find("second")));
  EXPECT_EQ(stated(read("var/lib/dpkg/status", cut_after_line)),
            (std::vector<std::string>{"first@1.0:amd64"}));
  EXPECT_TRUE(read("var/lib/dpkg/status", "").packages.empty());
  EXPECT_TRUE(read("var/lib/dpkg/status", "\n\n\n").packages.empty());
}

TEST(InstalledPackages, PackageCapIsVisible) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += stanza("p" + std::to_string(i), "1");
  const ManifestFacts facts = read("var/lib/dpkg/status", text);
  EXPECT_EQ(facts.packages.size(), ManifestLimits{}.max_packages);
  ASSERT_EQ(facts.incomplete.size(), 1u);
  EXPECT_NE(facts.incomplete[0].find("more than 65536"), std::string::npos);

  // Through the scanner, the note is a scan.incomplete finding on the manifest's file report.
  ScanOptions options;
  ScanStats stats;
  std::vector<ScannedFile> scanned;
  scan_bytes("root/var/lib/dpkg/status", bytes_of(text), options, stats,
             [&](ScannedFile&& file) -> OrderedStep {
               scanned.push_back(std::move(file));
               return {};
             });
  ASSERT_EQ(scanned.size(), 1u);
  EXPECT_EQ(scanned[0].manifest.packages.size(), ManifestLimits{}.max_packages);
  EXPECT_TRUE(std::any_of(scanned[0].report.findings.begin(), scanned[0].report.findings.end(),
                          [](const Finding& f) { return f.is(findings::kScanIncomplete); }));

  // npm lockfiles are capped alike.
  json lock = {{"lockfileVersion", 3}, {"packages", json::object()}};
  for (int i = 0; i < 100000; ++i) {
    lock["packages"]["node_modules/p" + std::to_string(i)] = {{"version", "1.0.0"}};
  }
  const ManifestFacts npm = read("package-lock.json", lock.dump());
  EXPECT_EQ(npm.packages.size(), ManifestLimits{}.max_packages);
  EXPECT_EQ(npm.incomplete.size(), 1u);
}

TEST(InstalledPackages, OversizeManifestIsNotedNotRead) {
  ManifestLimits limits;
  limits.max_text_bytes = 100;
  const ManifestFacts facts =
      read("var/lib/dpkg/status", stanza("a", "1") + stanza("b", "2"), limits);
  EXPECT_TRUE(facts.packages.empty());
  ASSERT_EQ(facts.incomplete.size(), 1u);
  EXPECT_NE(facts.incomplete[0].find("over the cap of 100 bytes"), std::string::npos);
  // Python metadata: only the header block is wanted, so the head of a big file is read.
  limits.max_header_bytes = 64;
  const ManifestFacts python =
      read("x.dist-info/METADATA", "Name: big\nVersion: 1.0\n\n" + std::string(10000, 'x'), limits);
  EXPECT_EQ(stated(python), (std::vector<std::string>{"big@1.0"}));
  EXPECT_TRUE(python.incomplete.empty());
}

TEST(InstalledPackages, VendorFollowsTheTreesOsRelease) {
  const std::string status = stanza("bash", "5.2");
  std::vector<ManifestFacts> manifests;
  manifests.push_back(read("ubuntu/var/lib/dpkg/status", status));
  manifests.push_back(
      read("ubuntu/etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n"));
  manifests.push_back(read("ubuntu/usr/lib/os-release", "ID=ignored-etc-wins\n"));
  manifests.push_back(read("img.tar!./var/lib/dpkg/status", status));
  manifests.push_back(read("img.tar!./usr/lib/os-release", "ID=\"raspbian\"\n"));
  manifests.push_back(read("plain/var/lib/dpkg/status", status));
  manifests.push_back(read("odd/var/lib/dpkg/status", status));
  manifests.push_back(read("odd/etc/os-release", "ID=Not Valid\n"));
  manifests.push_back(read("two/var/lib/dpkg/status", status));
  manifests.push_back(read("two/etc/os-release", "ID=a\nID=b\n"));
  manifests.push_back(read("dpkg/status", status));
  // The os-release of another tree, scanned first, does not leak into these.
  manifests.insert(manifests.begin(), read("other/etc/os-release", "ID=fedora\n"));
  std::map<std::string, std::string> by_source;
  for (const auto& p : finished(manifests)) by_source[p.source] = p.purl;
  EXPECT_EQ(by_source["ubuntu/var/lib/dpkg/status"], "pkg:deb/ubuntu/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source["img.tar!./var/lib/dpkg/status"], "pkg:deb/raspbian/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source["plain/var/lib/dpkg/status"], "pkg:deb/debian/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source["odd/var/lib/dpkg/status"], "pkg:deb/debian/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source["two/var/lib/dpkg/status"], "pkg:deb/debian/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source["dpkg/status"], "pkg:deb/debian/bash@5.2?arch=amd64");
  EXPECT_EQ(by_source.size(), 6u);
}

TEST(InstalledPackages, NpmLockfileVersions) {
  const std::string v1 = R"({"name":"app","lockfileVersion":1,"requires":true,"dependencies":{
    "debug":{"version":"2.6.9","requires":{"ms":"2.0.0"},"dependencies":{
      "ms":{"version":"2.0.0"}}},
    "ms":{"version":"2.1.3"},
    "@babel/core":{"version":"7.24.0"},
    "old-ms":{"version":"npm:ms@1.0.0"},
    "local":{"version":"file:../local"},
    "fromgit":{"version":"git+https://github.com/a/b.git#0123456789abcdef"},
    "odd":{"version":7}}})";
  EXPECT_EQ(stated(read("app/package-lock.json", v1)),
            (std::vector<std::string>{"@babel/core@7.24.0", "debug@2.6.9", "ms@2.0.0", "ms@2.1.3",
                                      "ms@1.0.0"}));
  const std::string v3 = R"({"name":"app","lockfileVersion":3,"packages":{
    "":{"name":"app","version":"1.0.0"},
    "node_modules/debug":{"version":"2.6.9"},
    "node_modules/debug/node_modules/ms":{"version":"2.0.0"},
    "node_modules/@babel/core":{"version":"7.24.0"},
    "node_modules/old-ms":{"name":"ms","version":"1.0.0"},
    "node_modules/ws-link":{"resolved":"packages/ws","link":true},
    "packages/ws":{"name":"ws-pkg","version":"0.0.1"},
    "packages/ws/node_modules/left-pad":{"version":"1.3.0"},
    "node_modules/noversion":{"resolved":"x"}}})";
  EXPECT_EQ(stated(read("node_modules/.package-lock.json", v3)),
            (std::vector<std::string>{"@babel/core@7.24.0", "debug@2.6.9", "ms@2.0.0", "ms@1.0.0",
                                      "left-pad@1.3.0"}));
  // Version 2 carries both forms; "packages" is the one read.
  const std::string v2 = R"({"lockfileVersion":2,"packages":{"node_modules/ms":{"version":"2.0.0"}},
    "dependencies":{"ms":{"version":"9.9.9"}}})";
  EXPECT_EQ(stated(read("package-lock.json", v2)), (std::vector<std::string>{"ms@2.0.0"}));
  const auto purl_list = purls(finished({read("app/package-lock.json", v1)}));
  EXPECT_EQ(purl_list[0], "pkg:npm/%40babel/core@7.24.0");
}

TEST(InstalledPackages, NpmDamagedAndHostileJson) {
  // A syntax error or another shape: nothing, and no note.
  for (const std::string text :
       {"", "{", R"({"packages":{"node_modules/ms":{"version":"2.0.0"}})", "[1,2]", "null",
        R"({"packages":[]})", R"({"packages":{"node_modules/ms":"2.0.0"}})"}) {
    const ManifestFacts facts = read("package-lock.json", text);
    EXPECT_TRUE(facts.packages.empty()) << text;
    EXPECT_TRUE(facts.incomplete.empty()) << text;
  }
  // A repeated key reads two ways: nothing recorded, and said.
  const ManifestFacts twice =
      read("package-lock.json",
           R"({"packages":{"node_modules/ms":{"version":"2.0.0","version":"6.6.6"}}})");
  EXPECT_TRUE(twice.packages.empty());
  ASSERT_EQ(twice.incomplete.size(), 1u);
  EXPECT_NE(twice.incomplete[0].find("version"), std::string::npos);
  // Nesting past the strict reader's cap: likewise.
  const ManifestFacts deep =
      read("package-lock.json", std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_TRUE(deep.packages.empty());
  EXPECT_EQ(deep.incomplete.size(), 1u);
  // Not UTF-8 inside a string: refused by the JSON reader, skipped.
  EXPECT_TRUE(read("node_modules/x/package.json", "{\"name\":\"x\xff\",\"version\":\"1.0.0\"}")
                  .packages.empty());
  // Names and versions no package manager writes.
  EXPECT_TRUE(read("node_modules/x/package.json",
                   R"({"name":")" + std::string(1000, 'x') + R"(","version":"1.0.0"})")
                  .packages.empty());
  EXPECT_TRUE(read("node_modules/x/package.json", R"({"name":"x\u0000y","version":"1.0.0"})")
                  .packages.empty());
  EXPECT_TRUE(
      read("node_modules/x/package.json", R"({"name":"x","version":"1.0.0 "})").packages.empty());
  EXPECT_TRUE(
      read("node_modules/x/package.json", R"({"name":"x","version":["1"]})").packages.empty());
  EXPECT_EQ(stated(read("node_modules/@types/node/package.json",
                        R"({"name":"@types/node","version":"20.1.0","scripts":{}})")),
            (std::vector<std::string>{"@types/node@20.1.0"}));
}

TEST(InstalledPackages, PythonMetadata) {
  const std::string metadata =
      "Metadata-Version: 2.1\r\nName: PyYAML\r\nVersion: 6.0\r\nSummary: YAML parser\r\n"
      "Classifier: A\r\n  continued\r\nDescription-Content-Type: text/markdown\r\n\r\n"
      "Name: not-a-header\nVersion: 9\n";
  const ManifestFacts facts = read("site/PyYAML-6.0.dist-info/METADATA", metadata);
  EXPECT_EQ(stated(facts), (std::vector<std::string>{"PyYAML@6.0"}));
  EXPECT_EQ(purls(finished({facts})), (std::vector<std::string>{"pkg:pypi/pyyaml@6.0"}));
  EXPECT_EQ(purls(finished({read("site/dbus_python-1.3.2.egg-info",
                                 "Metadata-Version: 1.1\nName: dbus_python\nVersion: 1.3.2\n")})),
            (std::vector<std::string>{"pkg:pypi/dbus-python@1.3.2"}));
  EXPECT_EQ(stated(read("x.egg-info/PKG-INFO", "Name: lazr.uri\nVersion: 1.0.6\n")),
            (std::vector<std::string>{"lazr.uri@1.0.6"}));
  // Damaged: a name twice, no version, a line that is no header, a cut last line, not UTF-8.
  for (const std::string text : {"Name: a\nName: b\nVersion: 1\n", "Name: a\n\nVersion: 1\n",
                                 "Name: a\nnot a header\nVersion: 1\n", "Name: a\nVersion: 1",
                                 "Name: caf\xe9\nVersion: 1\n", "Name: a\nVersion: \n"}) {
    EXPECT_TRUE(read("x.dist-info/METADATA", text).packages.empty()) << text;
  }
}

TEST(InstalledPackages, InventoryOrderDoesNotDependOnArrival) {
  std::vector<ManifestFacts> manifests;
  manifests.push_back(read("b/node_modules/ms/package.json", R"({"name":"ms","version":"2.0.0"})"));
  manifests.push_back(read("a/node_modules/ms/package.json", R"({"name":"MS","version":"2.0.0"})"));
  manifests.push_back(read("a/package-lock.json",
                           R"({"packages":{"node_modules/ms":{"version":"2.0.0"},
                               "node_modules/a/node_modules/ms":{"version":"2.0.0"},
                               "node_modules/debug":{"version":"2.6.9"}}})"));
  manifests.push_back(read("var/lib/dpkg/status", stanza("zlib1g", "1:1.2.13")));
  const std::vector<InstalledPackage> expected = finished(manifests);
  ASSERT_EQ(expected.size(), 5u);  // ms twice in one lockfile is one entry
  EXPECT_EQ(expected[0].purl, "pkg:deb/debian/zlib1g@1:1.2.13?arch=amd64");
  EXPECT_EQ(expected[1].purl, "pkg:npm/debug@2.6.9");
  EXPECT_EQ(expected[2].source, "a/node_modules/ms/package.json");
  EXPECT_EQ(expected[2].name, "MS");  // as the manifest states it; the purl is normalised
  EXPECT_EQ(expected[3].source, "a/package-lock.json");
  EXPECT_EQ(expected[4].source, "b/node_modules/ms/package.json");
  std::mt19937 random(24);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(manifests.begin(), manifests.end(), random);
    EXPECT_EQ(finished(manifests), expected);
  }
}

TEST(InstalledPackages, ReportListsPackagesInBothForms) {
  const std::vector<InstalledPackage> packages =
      finished({read("t/node_modules/ms/package.json", R"({"name":"ms","version":"2.0.0"})"),
                read("t/py/x-1.dist-info/METADATA", "Name: x\nVersion: 1\n")});
  ScanRun run;
  run.version = "0.1.0";
  run.host = "h";
  run.started = run.finished = "2026-12-07T10:00:00Z";
  std::ostringstream document;
  ScanJsonWriter writer(document, false);
  writer.begin(run);
  writer.end(run, ScanTotals{}, packages);
  const json doc = json::parse(document.str());
  EXPECT_EQ(doc["summary"]["packages"], 2);
  ASSERT_EQ(doc["packages"].size(), 2u);
  EXPECT_EQ(doc["packages"][0], (json{{"purl", "pkg:npm/ms@2.0.0"},
                                      {"ecosystem", "npm"},
                                      {"name", "ms"},
                                      {"version", "2.0.0"},
                                      {"source", "t/node_modules/ms/package.json"},
                                      {"findings", json::array()}}));
  EXPECT_EQ(doc["packages"][1]["purl"], "pkg:pypi/x@1");

  std::ostringstream lines;
  ScanJsonWriter line_writer(lines, true);
  line_writer.begin(run);
  line_writer.end(run, ScanTotals{}, packages);
  std::vector<json> records;
  std::istringstream in(lines.str());
  for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 4u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(records[i + 1]["record"], "package");
    json entry = records[i + 1];
    entry.erase("record");
    EXPECT_EQ(entry, doc["packages"][i]);
  }
  EXPECT_EQ(records[3]["summary"]["packages"], 2);

  std::ostringstream empty;
  ScanJsonWriter empty_writer(empty, false);
  empty_writer.begin(run);
  empty_writer.end(run, ScanTotals{}, {});
  EXPECT_EQ(json::parse(empty.str())["packages"], json::array());

  std::ostringstream text;
  TextSummary(5).write(text, run, ScanTotals{}, packages, false);
  EXPECT_NE(text.str().find("\n  2 packages recognised (deb 0, npm 1, pypi 1)\n"),
            std::string::npos);
  std::ostringstream none;
  TextSummary(5).write(none, run, ScanTotals{}, {}, false);
  EXPECT_EQ(none.str().find("packages"), std::string::npos);
}

}  // namespace
}  // namespace cascade::scan
