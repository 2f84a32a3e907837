// The anchors cascade trusts, in sets by purpose, and chain building against them.
//
// A signature is judged by the sets its platform uses: Windows Authenticode (PE, MSI, catalogs)
// by Microsoft's root program, EFI images by the Secure Boot set and shim's vendor CA, Mach-O by
// Apple's roots; --trust files apply to every platform, the system TLS bundle only when asked
// for. Each root program entry keeps its limits: a root trusted only for TLS anchors no code,
// a root disallowed from a date anchors nothing signed after it.
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "authenticode/signature.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade::authenticode {

struct TrustOptions {
  bool builtin = true;  // the shipped sets: Microsoft root program, Secure Boot, shim, Apple
  bool system = false;  // the OS TLS bundle (TLS roots are not code-signing roots)
  std::vector<std::string> extra_files;  // --trust: PEM or DER, roots or intermediates
  // A Microsoft root program store written by `cascade trust update` (a folder holding
  // authroot.stl and roots.pem); empty: the one compiled in.
  std::string microsoft_store_dir;
  // SHA-256 of the roots that may sign that list; empty: Microsoft's (root_program.h). Tests
  // set their own; the command line cannot.
  std::vector<std::string> root_list_pins;
};

// What `cascade trust list` shows of one loaded set.
struct AnchorSetSummary {
  AnchorSet set;
  std::string source;  // "built-in", a folder, or a file list
  std::size_t anchors = 0;
  std::vector<CertificateInfo> certificates;
  // Microsoft root program only: the list's sequence number, date and signer.
  std::string list_sequence;
  std::string list_date;
  std::string list_signer;
  std::size_t listed = 0;
  std::size_t code_signing = 0;  // roots that may anchor code signing
  std::size_t timestamping = 0;
};

class TrustStore {
 public:
  static Result<TrustStore> create(const TrustOptions& options);
  // A store of exactly these anchors, as one set (used for pinned roots and by tests).
  static TrustStore from_anchors(AnchorSet set, std::vector<ossl::X509Ptr> anchors);

  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;
  ~TrustStore();

  enum class Usage { kCodeSigning, kTimestamping, kRootListSigning };

  // Builds a chain from `leaf` through `intermediates` to an anchor of a set `family` uses.
  // Trust does not depend on expiry (reported apart, as time_valid at `at`), but a root
  // program root disallowed before `at` anchors nothing; the leaf must be fit for `usage`.
  ChainResult verify(X509* leaf, STACK_OF(X509) * intermediates, std::time_t at, Usage usage,
                     SignatureFamily family) const;

  std::vector<AnchorSetSummary> summary() const;

  // A digest of what the store trusts: equal for stores of one build that judge every chain
  // alike. It does not load the deferred built-in root program (its name stands for it, as the
  // build holds it), so a run that keys results by its trust, such as a cached re-scan, does
  // not pay for parsing 500 roots.
  std::string fingerprint() const;

 private:
  struct State;
  explicit TrustStore(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

CertificateInfo describe_certificate(X509* cert);
std::string format_time(std::time_t t);
std::optional<std::time_t> asn1_time_to_epoch(const ASN1_TIME* t);

}  // namespace cascade::authenticode
