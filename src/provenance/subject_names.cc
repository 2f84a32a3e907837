#include "provenance/subject_names.h"

namespace cascade::provenance {
namespace {

constexpr char kContainerSeparator = '!';

// One part of a name between containers: '/'-separated, without empty or "." components.
void append_part(std::string_view part, std::string& out) {
  bool first = true;
  std::size_t start = 0;
  while (start <= part.size()) {
    const auto slash = part.find('/', start);
    const auto end = slash == std::string_view::npos ? part.size() : slash;
    const std::string_view component = part.substr(start, end - start);
    if (!component.empty() && component != ".") {
      if (!first) out += '/';
      out += component;
      first = false;
    }
    start = end + 1;
  }
}

std::string_view base_of(std::string_view name) {
  const auto cut = name.find_last_of("/!");
  return cut == std::string_view::npos ? name : name.substr(cut + 1);
}

// Whether one name is the other with more leading directories or containers.
bool same_place(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const std::string_view longer = a.size() > b.size() ? a : b;
  const std::string_view shorter = a.size() > b.size() ? b : a;
  if (shorter.empty() || !longer.ends_with(shorter)) return false;
  const char before = longer[longer.size() - shorter.size() - 1];
  return before == '/' || before == kContainerSeparator;
}

}  // namespace

std::string normalise_subject_name(std::string_view name) {
  std::string slashes(name);
  for (char& c : slashes) {
    if (c == '\\') c = '/';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string out;
  out.reserve(slashes.size());
  std::size_t start = 0;
  for (;;) {
    const auto bang = slashes.find(kContainerSeparator, start);
    const auto end = bang == std::string::npos ? slashes.size() : bang;
    append_part(std::string_view(slashes).substr(start, end - start), out);
    if (bang == std::string::npos) break;
    out += kContainerSeparator;
    start = bang + 1;
  }
  return out;
}

SubjectBindings::SubjectBindings(std::span<const std::string> names,
                                 const std::vector<Attestation>& attestations)
    : bound_(names.size()), ambiguous_(names.size()) {
  std::unordered_map<std::string, std::vector<std::size_t>> at_name;
  std::unordered_map<std::string, std::vector<std::size_t>> by_base;
  std::vector<std::string> normalised;
  normalised.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    normalised.push_back(normalise_subject_name(names[i]));
    if (normalised.back().empty()) continue;
    at_name[normalised.back()].push_back(i);
    by_base[std::string(base_of(normalised.back()))].push_back(i);
  }
  for (const auto& attestation : attestations) {
    if (attestation.status != AttestationStatus::kVerified || !attestation.record.is_build()) {
      continue;
    }
    for (const auto& subject : attestation.record.subjects) {
      const SubjectBinding binding{&attestation, &subject};
      by_digest_.try_emplace(subject.sha256, binding);
      const std::string name = normalise_subject_name(subject.name);
      if (name.empty()) continue;  // a subject without a name names no file
      // Every file at the exact name, when there is one: two spellings of one name ("a.dll",
      // "A.dll") are one file on Windows, so each must have the digest.
      if (const auto exact = at_name.find(name); exact != at_name.end()) {
        for (const auto index : exact->second) bound_[index].push_back(binding);
        continue;
      }
      const auto same_base = by_base.find(std::string(base_of(name)));
      if (same_base == by_base.end()) continue;
      std::vector<std::size_t> fits;
      for (const auto index : same_base->second) {
        if (same_place(normalised[index], name)) fits.push_back(index);
      }
      if (fits.size() == 1) {
        bound_[fits.front()].push_back(binding);
      } else {
        for (const auto index : fits) ambiguous_[index].push_back(binding);
      }
    }
  }
}

const SubjectBinding* SubjectBindings::with_digest(const std::string& sha256) const {
  const auto it = by_digest_.find(sha256);
  return it == by_digest_.end() ? nullptr : &it->second;
}

}  // namespace cascade::provenance
