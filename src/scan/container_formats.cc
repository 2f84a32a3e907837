#include "scan/container_formats.h"

#include "scan/container/msi_expansion.h"

namespace cascade::scan {

namespace {

std::optional<Bytes> whole_file(Bytes data, const FileReport& /*report*/) {
  return data;
}

// Self-extracting installers keep their payload in the overlay.
std::optional<Bytes> archive_overlay(Bytes data, const FileReport& report) {
  if (!report.overlay || report.overlay->size == 0) return std::nullopt;
  const Bytes overlay = data.subspan(report.overlay->offset, report.overlay->size);
  if (!archive_recognised(overlay)) return std::nullopt;
  return overlay;
}

std::uint64_t expand_archive(Bytes payload, const ContainerLimits& limits, ContainerBudget& budget,
                             const EntryVisitor& visit, std::vector<ContainerNote>& notes) {
  return expand_container(ContainerKind::kArchive, payload, limits, budget, visit, notes);
}

std::uint64_t expand_asar(Bytes payload, const ContainerLimits& limits, ContainerBudget& budget,
                          const EntryVisitor& visit, std::vector<ContainerNote>& notes) {
  return expand_container(ContainerKind::kAsar, payload, limits, budget, visit, notes);
}

const std::map<std::string, std::string>* msi_install_names(const FileReport& report) {
  return report.msi ? &report.msi->install_names : nullptr;
}

// The probed formats in detect_container's order: asar first.
constexpr ContainerFormat kContainerFormats[] = {
    {FileFormat::kPe, nullptr, archive_overlay, expand_archive, nullptr},
    {FileFormat::kMsi, nullptr, whole_file, expand_msi, msi_install_names},
    {FileFormat::kAsar, looks_like_asar_container, whole_file, expand_asar, nullptr},
    {FileFormat::kArchive, looks_like_archive_container, whole_file, expand_archive, nullptr},
};

}  // namespace

std::span<const ContainerFormat> container_formats() {
  return kContainerFormats;
}

const ContainerFormat* find_container_format(Bytes data, FileReport& report) {
  const bool unknown = report.format == FileFormat::kUnknown;
  for (const ContainerFormat& entry : kContainerFormats) {
    if (unknown && entry.probe != nullptr && entry.probe(data)) {
      report.format = entry.format;
      return &entry;
    }
    if (!unknown && entry.format == report.format) return &entry;
  }
  return nullptr;
}

}  // namespace cascade::scan
