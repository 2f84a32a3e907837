// Microsoft's Trusted Root Program as Windows reads it: authroot.stl, a signed certificate trust
// list naming each root by SHA-1 with the properties that limit it (the purposes it may anchor,
// purposes it may not, a date from which it is disallowed, a "not before" date for new
// certificates), and the root certificates themselves. The list's own signature must chain to
// one of Microsoft's pinned roots before any of it is believed.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/signature.h"
#include "core/byte_reader.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade::authenticode {

// Extended key usages by OID, as the root program names purposes.
inline constexpr std::string_view kEkuCodeSigning = "1.3.6.1.5.5.7.3.3";
inline constexpr std::string_view kEkuTimeStamping = "1.3.6.1.5.5.7.3.8";
inline constexpr std::string_view kEkuRootListSigning = "1.3.6.1.4.1.311.10.3.9";

// SHA-256 of the roots that may sign the root program's list: Microsoft Root Certificate
// Authority 2010 and 2011 (the list is signed by a publisher under the 2010 root).
inline constexpr std::array<std::string_view, 2> kMicrosoftListRootsSha256 = {
    "df545bf919a2439c36983b54cdfc903dfa4f37d3996d8d84b4c31eec6f3c163e",
    "847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61",
};

struct RootProgramEntry {
  std::array<std::uint8_t, 20> sha1{};
  std::string friendly_name;
  bool all_purposes = true;                    // no EKU property: every purpose
  std::vector<std::string> purposes;           // otherwise only these
  std::vector<std::string> disallowed;         // never these
  std::optional<std::time_t> disallowed_from;  // the root anchors nothing signed from then on
  std::optional<std::time_t> not_before;       // certificates issued from then on are not anchored
  std::vector<std::string> not_before_purposes;  // ...for these purposes (empty: all)
  ossl::X509Ptr certificate;                     // from the roots file, matched by SHA-1

  // Whether the root may anchor `purpose` at all (dates aside).
  bool allows(std::string_view purpose) const;
  // Why it may not anchor a chain for `purpose` whose leaf was issued at `leaf_not_before`,
  // judged at `at`; empty when it may.
  std::string refusal(std::string_view purpose, std::time_t leaf_not_before, std::time_t at) const;
};

struct RootProgram {
  std::vector<RootProgramEntry> entries;  // sorted by sha1; only those with a certificate
  std::size_t listed = 0;                 // subjects in the list, with or without certificate
  std::string sequence_number;            // hex
  std::time_t this_update = 0;
  Signature list_signature;  // the list's own signature, judged against the pinned roots

  const RootProgramEntry* find(std::span<const std::uint8_t> sha1) const;
};

// Reads `stl` (authroot.stl) and the PEM `roots`, verifies the list's signature (the signer
// must hold the root-list-signing purpose and chain to a root whose SHA-256 is in
// `pinned_sha256`, judged at the list's own date) and returns the listed roots that `roots`
// supplies. A list that is unsigned, altered or signed by anyone else is an error.
Result<RootProgram> load_root_program(Bytes stl, Bytes roots_pem,
                                      std::span<const std::string_view> pinned_sha256);

// The SHA-1 of a certificate's DER, as the root list names roots.
std::array<std::uint8_t, 20> certificate_sha1(X509* cert);

// Every certificate in a PEM or DER buffer (DER: one certificate).
std::vector<ossl::X509Ptr> read_certificates(Bytes pem_or_der);

}  // namespace cascade::authenticode
