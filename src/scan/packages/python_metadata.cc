// Python's installed-distribution metadata (core metadata, an RFC 822 header block: `Name`,
// `Version`), in *.dist-info/METADATA as pip and installers write it and in the older
// *.egg-info/PKG-INFO (or a single *.egg-info file) setuptools writes. Only the header block
// is read: it ends at the first blank line, before the long description.
#include <optional>
#include <string>
#include <string_view>

#include "scan/packages/manifest_text.h"
#include "scan/packages/recognisers.h"

namespace cascade::scan {

void read_python_metadata(ManifestReading& reading) {
  using manifest_text::same_name;
  std::optional<std::string_view> name;
  std::optional<std::string_view> version;
  manifest_text::Lines lines(reading.text());
  bool complete = true;
  while (auto line = lines.next(&complete)) {
    // A line the file (or the header cap) cuts short may be a cut value: nothing is trusted.
    if (!complete || manifest_text::is_blank(*line)) break;
    if (manifest_text::is_continuation(*line)) continue;
    const auto field = manifest_text::header_field(*line);
    if (!field) return;  // not an RFC 822 header block
    std::optional<std::string_view>* slot = same_name(field->name, "Name")      ? &name
                                            : same_name(field->name, "Version") ? &version
                                                                                : nullptr;
    if (slot == nullptr) continue;
    if (*slot) return;  // stated twice: which one an installer would use is not ours to guess
    *slot = field->value;
  }
  const std::size_t max_length = reading.limits().max_field_length;
  if (!name || !version || !manifest_text::plausible_token(*name, max_length) ||
      !manifest_text::plausible_token(*version, max_length)) {
    return;
  }
  reading.add({.ecosystem = PackageEcosystem::kPypi,
               .name = std::string(*name),
               .version = std::string(*version)});
}

}  // namespace cascade::scan
