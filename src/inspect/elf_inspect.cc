// ELF: parse, measure in the shared single pass, and derive the elf.* findings.
#include <algorithm>
#include <cstdio>

#include "core/entropy.h"
#include "core/finding_catalogue.h"
#include "inspect/format_inspectors.h"

namespace cascade {

namespace {

// A search path the loader resolves against something an attacker may control: empty (the
// current directory), relative to the working directory, or a world-writable location.
std::optional<std::string> unsafe_path_reason(const std::string& path) {
  if (path.empty()) return "an empty entry (the current directory)";
  if (path.rfind("$ORIGIN", 0) == 0 || path.rfind("${ORIGIN}", 0) == 0) return std::nullopt;
  if (path[0] != '/') return "relative to the working directory";
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    const std::string prefix(dir);
    if (path == prefix || path.rfind(prefix + "/", 0) == 0) return "world-writable " + prefix;
  }
  return std::nullopt;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

void add_elf_findings(FileReport& report) {
  const elf::ElfImage& image = *report.elf;
  for (const auto& anomaly : image.anomalies) {
    report.findings.push_back(make_finding(findings::kElfMalformed, anomaly));
  }
  for (const auto& seg : image.segments) {
    if (seg.type == elf::kPtLoad && seg.writable() && seg.executable()) {
      report.findings.push_back(make_finding(
          findings::kElfWxSegment, "LOAD segment at offset " + hex(seg.offset) + " (vaddr " +
                                       hex(seg.vaddr) + ") is writable and executable"));
    }
  }
  if (image.exec_stack) {
    report.findings.push_back(
        make_finding(findings::kElfExecStack, "PT_GNU_STACK asks for an executable stack"));
  }
  auto check_paths = [&](const std::vector<std::string>& paths, const char* tag) {
    for (const auto& path : paths) {
      if (auto reason = unsafe_path_reason(path)) {
        report.findings.push_back(make_finding(
            findings::kElfUnsafeRpath, std::string(tag) + " entry \"" + path + "\" is " + *reason));
      }
    }
  };
  check_paths(image.rpath, "RPATH");
  check_paths(image.runpath, "RUNPATH");
  if (report.overlay) {
    char entropy[16];
    std::snprintf(entropy, sizeof entropy, "%.2f", report.overlay_entropy);
    report.findings.push_back(make_finding(
        findings::kElfOverlay, std::to_string(report.overlay->size) + " bytes at offset " +
                                   hex(report.overlay->offset) +
                                   " past the last section and segment, " + "entropy " + entropy));
  }
}

}  // namespace

void inspect_elf(Bytes data, const InspectOptions& options, FileReport& report) {
  report.format = FileFormat::kElf;
  auto parsed = elf::parse_elf(data);
  if (!parsed) {
    report.error = parsed.error().message;
    report.findings.push_back(make_finding(findings::kFileUnreadable, "ELF: " + report.error));
    report.hashes = hash_file(data, options.legacy_hashes);
    return;
  }
  report.elf = std::move(parsed).value();
  elf::ElfImage& image = *report.elf;
  if (image.end_of_content < data.size()) {
    report.overlay = pe::Region{image.end_of_content, data.size() - image.end_of_content};
  }
  std::vector<RangeHistogram> histograms;
  for (const auto& s : image.sections) {
    const bool in_file = s.type != elf::kShtNobits && options.section_entropy;
    histograms.push_back(file_range(in_file ? s.offset : 0, in_file ? s.size : 0, data.size()));
  }
  if (report.overlay) {
    histograms.push_back(
        {report.overlay->offset, report.overlay->offset + report.overlay->size, {}});
  }
  single_pass(data, options, {}, histograms, false, report);
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    image.sections[i].entropy = entropy_of(histograms[i].counts);
  }
  if (report.overlay) report.overlay_entropy = entropy_of(histograms.back().counts);
  add_elf_findings(report);
}

}  // namespace cascade
