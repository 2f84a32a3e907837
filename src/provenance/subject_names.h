// Which statement subjects name which file of a release. A subject attests the file it names,
// not every file with its digest: a release whose files were swapped, or that adds a copy of an
// attested file under another name, must not verify clean.
//
// A subject's name is a path relative to the directory its build ran in ("bin/app.exe"), a
// product's base name ("app.exe", as `attest` names a file given alone), or a path inside a
// container ("setup.msi!ExamplePhone/ffmpeg.dll"). The release's files are named by install
// path; a release that is one file names itself by its base name.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "provenance/attestations.h"
#include "provenance/statement.h"

namespace cascade::provenance {

// The form names are compared in: '\' read as '/', empty and "." components dropped (so "./a",
// "/a" and "a//b" are "a" and "a/b"), each part between containers ('!') alike, and ASCII letters
// in lower case (Windows and macOS find "Media.dll" at "media.dll"). Nothing else is folded: no
// Unicode case or normalisation form, so a name that only looks like a subject's is another
// name.
std::string normalise_subject_name(std::string_view name);

// A verified build statement's subject, bound to a release file.
struct SubjectBinding {
  const Attestation* attestation;
  const Subject* subject;
};

class SubjectBindings {
 public:
  // `names`: each release file's name (its install path; the release file itself by its base
  // name). Only verified statements that say how something was built count.
  SubjectBindings(std::span<const std::string> names, const std::vector<Attestation>& attestations);

  // The subjects that name file `index`. A subject binds to the files at its exact (normalised)
  // name; when there is none, to the one file whose name it is a whole-component tail or head
  // of ("app.asar" and "resources/app.asar", "setup.msi!app/x.dll" and "app/x.dll"). A subject
  // that fits several files that way names none of them: see `ambiguous`.
  std::span<const SubjectBinding> of(std::size_t index) const { return bound_[index]; }

  // The subjects that fit file `index` and other files too, so bind none.
  std::span<const SubjectBinding> ambiguous(std::size_t index) const { return ambiguous_[index]; }

  // A subject with this digest, whatever its name; nullptr when none has it.
  const SubjectBinding* with_digest(const std::string& sha256) const;

 private:
  std::vector<std::vector<SubjectBinding>> bound_;
  std::vector<std::vector<SubjectBinding>> ambiguous_;
  std::unordered_map<std::string, SubjectBinding> by_digest_;
};

}  // namespace cascade::provenance
