#include "authenticode/trust_store.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/digest.h"
#include "core/time.h"

namespace cascade::authenticode {

namespace {

std::string name_line(const X509_NAME* name) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// Whether the leaf's extended key usage allows `usage`. Code signing accepts no EKU at all (all
// purposes), codeSigning, anyExtendedKeyUsage, or Microsoft's own purpose OIDs (Windows and
// UEFI publishers carry those instead of codeSigning); a TSA must say timeStamping.
bool usage_allowed(X509* leaf, TrustStore::Usage usage) {
  const std::uint32_t eku = X509_get_extended_key_usage(leaf);
  if (usage == TrustStore::Usage::kTimestamping) return eku != UINT32_MAX && (eku & XKU_TIMESTAMP);
  if (eku == UINT32_MAX || (eku & (XKU_CODE_SIGN | XKU_ANYEKU))) return true;
  auto* ext =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(leaf, NID_ext_key_usage, nullptr, nullptr));
  bool microsoft = false;
  for (int i = 0; ext != nullptr && i < sk_ASN1_OBJECT_num(ext); ++i) {
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(ext, i), 1);
    microsoft = microsoft || std::string_view(oid).rfind("1.3.6.1.4.1.311.", 0) == 0;
  }
  EXTENDED_KEY_USAGE_free(ext);
  return microsoft;
}

bool is_time_error(int error) {
  return error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID;
}

}  // namespace

std::string format_time(std::time_t t) {
  return format_rfc3339(t);
}

std::optional<std::time_t> asn1_time_to_epoch(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

CertificateInfo describe_certificate(X509* cert) {
  CertificateInfo info;
  info.subject = name_line(X509_get_subject_name(cert));
  info.issuer = name_line(X509_get_issuer_name(cert));
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert)) {
    info.serial = to_hex(Bytes(serial->data, static_cast<std::size_t>(serial->length)));
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len > 0) {
    Bytes bytes(der, static_cast<std::size_t>(len));
    info.sha1 = to_hex(digest(DigestAlgorithm::kSha1, bytes));
    info.sha256 = to_hex(digest(DigestAlgorithm::kSha256, bytes));
    OPENSSL_free(der);
  }
  if (auto t = asn1_time_to_epoch(X509_get0_notBefore(cert))) {
    info.not_before_epoch = *t;
    info.not_before = format_time(*t);
  }
  if (auto t = asn1_time_to_epoch(X509_get0_notAfter(cert))) {
    info.not_after_epoch = *t;
    info.not_after = format_time(*t);
  }
  return info;
}

Result<TrustStore> TrustStore::create(bool use_system,
                                      const std::vector<std::string>& extra_pem_files) {
  ossl::X509StorePtr store(X509_STORE_new());
  if (!store) return make_error(ErrorCode::kCrypto, "cannot create a certificate store");
  if (use_system) {
    // A missing system bundle is not fatal: the store is then simply empty of system roots.
    X509_STORE_load_file(store.get(), X509_get_default_cert_file());
    X509_STORE_load_path(store.get(), X509_get_default_cert_dir());
    ossl::take_errors();
  }
  for (const auto& path : extra_pem_files) {
    ossl::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) return make_error(ErrorCode::kUsage, "cannot read trust file " + path);
    int loaded = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store.get(), cert);
      X509_free(cert);
      ++loaded;
    }
    ossl::take_errors();  // the loop ends on a "no start line" error by design
    if (loaded == 0) return make_error(ErrorCode::kUsage, "no PEM certificate in " + path);
  }
  return TrustStore(std::move(store));
}

ChainResult TrustStore::verify(X509* leaf, STACK_OF(X509) * intermediates, std::time_t at,
                               Usage usage) const {
  ChainResult result;
  auto run = [&](unsigned long extra_flags) -> int {
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), leaf, intermediates) != 1) {
      return X509_V_ERR_UNSPECIFIED;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    // OpenSSL lets a set check time override NO_CHECK_TIME, so set one or the other.
    if (extra_flags & X509_V_FLAG_NO_CHECK_TIME) {
      X509_VERIFY_PARAM_set_flags(param, extra_flags);
    } else {
      X509_VERIFY_PARAM_set_time(param, at);
    }
    const int ok = X509_verify_cert(ctx.get());
    if (ok == 1) {
      result.chain.clear();
      STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        result.chain.push_back(describe_certificate(sk_X509_value(chain, i)));
      }
      return X509_V_OK;
    }
    return X509_STORE_CTX_get_error(ctx.get());
  };
  int error = run(0);
  result.time_valid = error == X509_V_OK;
  // Expiry is reported on its own (signature.expired); trust is about the path to a root.
  if (is_time_error(error)) error = run(X509_V_FLAG_NO_CHECK_TIME);
  ossl::take_errors();
  result.trusted = error == X509_V_OK;
  if (!result.trusted) {
    result.error = X509_verify_cert_error_string(error);
  } else if (!usage_allowed(leaf, usage)) {
    result.trusted = false;
    result.error = usage == Usage::kTimestamping
                       ? "certificate is not valid for timestamping (extended key usage)"
                       : "certificate is not valid for code signing (extended key usage)";
  }
  return result;
}

}  // namespace cascade::authenticode
