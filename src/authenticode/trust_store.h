// The certificates cascade treats as roots of trust, and chain building against them.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "authenticode/signature.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade::authenticode {

class TrustStore {
 public:
  // The system bundle (unless use_system is false) plus every certificate in `extra_pem_files`.
  static Result<TrustStore> create(bool use_system,
                                   const std::vector<std::string>& extra_pem_files);

  enum class Usage { kCodeSigning, kTimestamping };

  // Builds a chain from `leaf` through `intermediates` to a trusted root. Trust does not depend
  // on time (expiry is reported apart, as time_valid at `at`); the leaf must be fit for `usage`.
  ChainResult verify(X509* leaf, STACK_OF(X509) * intermediates, std::time_t at, Usage usage) const;

 private:
  explicit TrustStore(ossl::X509StorePtr store) : store_(std::move(store)) {}
  std::shared_ptr<X509_STORE> store_;
};

CertificateInfo describe_certificate(X509* cert);
std::string format_time(std::time_t t);
std::optional<std::time_t> asn1_time_to_epoch(const ASN1_TIME* t);

}  // namespace cascade::authenticode
