// dpkg's database of installed packages (/var/lib/dpkg/status, deb822 stanzas as dpkg(1) writes
// them). A package counts when its Status says dpkg finished installing it: error flag "ok" and
// state "installed", whatever the selection (install, hold, deinstall, purge: a wish, not what
// is on disk). Unpacked, half-configured and config-files packages do not count.
#include <optional>
#include <string>
#include <string_view>

#include "scan/packages/manifest_text.h"
#include "scan/packages/recognisers.h"

namespace cascade::scan {

namespace {

using manifest_text::same_name;

struct Stanza {
  std::optional<std::string_view> package, version, architecture, status;
  bool unreadable = false;  // a line that is no field, or a field given twice

  void set(std::optional<std::string_view>& slot, std::string_view value) {
    if (slot) unreadable = true;  // which copy dpkg would use is not ours to guess
    slot = value;
  }
};

bool installed(std::string_view status) {
  // "want eflag state", single spaces, as dpkg writes it.
  const std::size_t first = status.find(' ');
  if (first == std::string_view::npos) return false;
  return status.substr(first + 1) == "ok installed";
}

// The package a finished stanza describes, when it is whole and installed.
std::optional<RecognisedPackage> package_of(const Stanza& stanza, std::size_t max_length,
                                            const std::optional<std::string_view>& tree_root) {
  using manifest_text::plausible_token;
  if (stanza.unreadable || !stanza.package || !stanza.version || !stanza.architecture ||
      !stanza.status || !installed(*stanza.status)) {
    return std::nullopt;
  }
  if (!plausible_token(*stanza.package, max_length) ||
      !plausible_token(*stanza.version, max_length) ||
      !plausible_token(*stanza.architecture, max_length)) {
    return std::nullopt;
  }
  RecognisedPackage package{.ecosystem = PackageEcosystem::kDeb,
                            .name = std::string(*stanza.package),
                            .version = std::string(*stanza.version),
                            // Arch "all" is one package on every architecture.
                            .architecture = std::string(*stanza.architecture)};
  if (tree_root) package.tree_root = std::string(*tree_root);
  return package;
}

}  // namespace

void read_dpkg_status(ManifestReading& reading) {
  const std::optional<std::string_view> tree_root =
      prefix_before(reading.path(), "var/lib/dpkg/status");
  const std::size_t max_length = reading.limits().max_field_length;
  manifest_text::Lines lines(reading.text());
  Stanza stanza;
  bool open = false;  // a stanza has begun and not yet ended
  const auto finish = [&] {
    bool more = true;
    if (open) {
      if (auto package = package_of(stanza, max_length, tree_root)) {
        more = reading.add(std::move(*package));
      }
    }
    stanza = Stanza{};
    open = false;
    return more;
  };
  bool complete = true;
  while (auto line = lines.next(&complete)) {
    if (!complete) {
      // The file ends inside this line: its value may be cut short, so the stanza is dropped.
      stanza.unreadable = true;
      break;
    }
    if (manifest_text::is_blank(*line)) {
      if (!finish()) return;
      continue;
    }
    open = true;
    if (manifest_text::is_continuation(*line)) continue;  // Description, Conffiles...
    const auto field = manifest_text::header_field(*line);
    if (!field) {
      stanza.unreadable = true;
      continue;
    }
    if (same_name(field->name, "Package")) {
      stanza.set(stanza.package, field->value);
    } else if (same_name(field->name, "Version")) {
      stanza.set(stanza.version, field->value);
    } else if (same_name(field->name, "Architecture")) {
      stanza.set(stanza.architecture, field->value);
    } else if (same_name(field->name, "Status")) {
      stanza.set(stanza.status, field->value);
    }
  }
  finish();
}

}  // namespace cascade::scan
