// diff's inputs that come from files: arbitrary bytes as a saved scan report (JSON or JSON
// Lines), as a baseline policy and as a capability table; whatever loads is diffed against a
// copy of itself with the first file's digest changed, under the policy and table that loaded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "diff/baseline.h"
#include "diff/capabilities.h"
#include "diff/differ.h"
#include "diff/release.h"

namespace diff = cascade::diff;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto baseline = diff::Baseline::parse(text, "fuzz");
  auto capabilities = diff::CapabilitySet::parse(text, "fuzz");
  auto release = diff::release_from_report(text, "fuzz");
  if (!release) return 0;
  diff::Release changed = *release;
  if (!changed.files.empty()) changed.files.front().facts.sha256 += "0";
  if (changed.files.size() > 1) changed.files.pop_back();
  diff::DiffOptions options;
  if (baseline) options.baseline = &*baseline;
  if (capabilities) options.capabilities = &*capabilities;
  (void)diff::diff_releases(*release, changed, options);
  (void)diff::diff_releases(changed, *release, options);
  return 0;
}
