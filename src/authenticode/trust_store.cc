#include "authenticode/trust_store.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "authenticode/builtin_trust.h"
#include "authenticode/root_program.h"
#include "core/digest.h"
#include "core/mapped_file.h"
#include "core/time.h"

namespace cascade::authenticode {

namespace {

// Chains judged once per process; a scan of a Windows tree meets the same few chains often.
constexpr std::size_t kMaxCachedChains = 4096;
// A certificate bundle or root list far larger than any real one (the system's CA bundle and
// Microsoft's authroot.stl are well under 1 MiB) is refused rather than read into memory.
constexpr std::size_t kMaxTrustFileBytes = 64u << 20;

using StorePtr = std::shared_ptr<X509_STORE>;

StorePtr new_store() {
  return StorePtr(X509_STORE_new(), X509_STORE_free);
}

std::string name_line(const X509_NAME* name) {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::vector<std::string> eku_oids(X509* cert) {
  std::vector<std::string> out;
  auto* ext =
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  for (int i = 0; ext != nullptr && i < sk_ASN1_OBJECT_num(ext); ++i) {
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(ext, i), 1);
    out.emplace_back(oid);
  }
  EXTENDED_KEY_USAGE_free(ext);
  return out;
}

// Whether the leaf's extended key usage allows `usage`. Code signing accepts no EKU at all (all
// purposes), codeSigning, anyExtendedKeyUsage, or Microsoft's own purpose OIDs (Windows and
// UEFI publishers carry those instead of codeSigning); a TSA must say timeStamping; the
// root list's signer must carry Microsoft's root-list-signing purpose.
bool usage_allowed(X509* leaf, TrustStore::Usage usage) {
  const std::uint32_t eku = X509_get_extended_key_usage(leaf);
  if (usage == TrustStore::Usage::kTimestamping) return eku != UINT32_MAX && (eku & XKU_TIMESTAMP);
  const auto oids = eku_oids(leaf);
  if (usage == TrustStore::Usage::kRootListSigning) {
    return std::find(oids.begin(), oids.end(), kEkuRootListSigning) != oids.end();
  }
  if (eku == UINT32_MAX || (eku & (XKU_CODE_SIGN | XKU_ANYEKU))) return true;
  return std::any_of(oids.begin(), oids.end(),
                     [](const std::string& oid) { return oid.rfind("1.3.6.1.4.1.311.", 0) == 0; });
}

std::string_view purpose_of(TrustStore::Usage usage) {
  switch (usage) {
    case TrustStore::Usage::kCodeSigning:
      return kEkuCodeSigning;
    case TrustStore::Usage::kTimestamping:
      return kEkuTimeStamping;
    case TrustStore::Usage::kRootListSigning:
      return kEkuRootListSigning;
  }
  return kEkuCodeSigning;
}

bool is_time_error(int error) {
  return error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID;
}

std::vector<std::uint8_t> der_of_key(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  std::vector<std::uint8_t> out;
  if (len > 0) out.assign(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path) {
  auto text = read_whole_file(path, kMaxTrustFileBytes);
  if (!text) return make_error(ErrorCode::kUsage, "cannot read trust file " + text.error().message);
  return std::vector<std::uint8_t>(text->begin(), text->end());
}

// Apple marks its code-signing certificates with critical extensions of its own
// (1.2.840.113635.100.6.*: Developer ID, Mac App Store, ...), which OpenSSL does not know and
// so would refuse. Those, and only those, are accepted; any other unknown critical extension
// still fails the chain.
bool only_known_private_critical_extensions(X509* cert) {
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    if (!X509_EXTENSION_get_critical(ext) || X509_supported_extension(ext)) continue;
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
    if (std::string_view(oid).rfind("1.2.840.113635.100.6.", 0) != 0) return false;
  }
  return true;
}

int verify_callback(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION) {
    X509* cert = X509_STORE_CTX_get_current_cert(ctx);
    if (cert != nullptr && only_known_private_critical_extensions(cert)) {
      X509_STORE_CTX_set_error(ctx, X509_V_OK);
      return 1;
    }
  }
  return ok;
}

// One chain-building attempt against `store`.
struct Attempt {
  int error = X509_V_ERR_UNSPECIFIED;
  bool time_valid = false;
  std::vector<X509*> chain;  // owned by the verified chain's certificates (kept alive below)
  ossl::X509StackPtr owned;
};

Attempt attempt(X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates, std::time_t at) {
  Attempt result;
  auto run = [&](bool check_time) -> int {
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, intermediates) != 1) {
      return X509_V_ERR_UNSPECIFIED;
    }
    X509_STORE_CTX_set_verify_cb(ctx.get(), verify_callback);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    // Anchors may be intermediates (Secure Boot's db, --trust with a CA below a root).
    // OpenSSL lets a set check time override NO_CHECK_TIME, so set one or the other.
    X509_VERIFY_PARAM_set_flags(
        param, X509_V_FLAG_PARTIAL_CHAIN | (check_time ? 0 : X509_V_FLAG_NO_CHECK_TIME));
    if (check_time) X509_VERIFY_PARAM_set_time(param, at);
    if (X509_verify_cert(ctx.get()) == 1) {
      result.owned.reset(X509_STORE_CTX_get1_chain(ctx.get()));
      return X509_V_OK;
    }
    return X509_STORE_CTX_get_error(ctx.get());
  };
  result.error = run(true);
  result.time_valid = result.error == X509_V_OK;
  // Expiry is reported on its own (signature.expired); trust is about the path to a root.
  if (is_time_error(result.error)) result.error = run(false);
  ossl::take_errors();
  for (int i = 0; result.owned && i < sk_X509_num(result.owned.get()); ++i) {
    result.chain.push_back(sk_X509_value(result.owned.get(), i));
  }
  return result;
}

}  // namespace

struct TrustStore::State {
  struct Set {
    AnchorSet set;
    std::string source;
    StorePtr all;  // every anchor of the set
    // Root program: only the roots that may anchor each purpose; other sets: `all`.
    StorePtr code_signing, timestamping, root_list;
    std::vector<X509*> anchors;  // owned by `certificates`
    std::vector<ossl::X509Ptr> certificates;

    X509_STORE* store_for(Usage usage) const {
      switch (usage) {
        case Usage::kCodeSigning:
          return code_signing.get();
        case Usage::kTimestamping:
          return timestamping.get();
        case Usage::kRootListSigning:
          return root_list.get();
      }
      return all.get();
    }
  };

  std::optional<RootProgram> root_program;
  // What the root program set is made of (the list, the roots, the pins that may sign the
  // list), whether it is loaded yet or not; empty without one.
  std::string root_program_inputs;
  std::vector<Set> sets;
  // The built-in root program, loaded on first use (see create()).
  std::function<void()> deferred;
  std::once_flag deferred_once;
  std::string deferred_error;

  void ensure_loaded() {
    if (deferred) std::call_once(deferred_once, deferred);
  }

  std::mutex cache_mutex;
  std::unordered_map<std::string, ChainResult> cache;

  const Set* find(AnchorSet set) const {
    for (const auto& s : sets) {
      if (s.set == set) return &s;
    }
    return nullptr;
  }

  void add_set(AnchorSet set, std::string source, std::vector<ossl::X509Ptr> certs) {
    Set s{set, std::move(source), new_store(), {}, {}, {}, {}, std::move(certs)};
    for (const auto& cert : s.certificates) {
      X509_STORE_add_cert(s.all.get(), cert.get());
      s.anchors.push_back(cert.get());
    }
    ossl::take_errors();  // a duplicate certificate is not an error
    s.code_signing = s.timestamping = s.root_list = s.all;
    sets.push_back(std::move(s));
  }

  // The root program's set: one store per purpose holds only the roots the list allows for it.
  void add_root_program(RootProgram program, std::string source) {
    Set s{AnchorSet::kMicrosoftRootProgram,
          std::move(source),
          new_store(),
          new_store(),
          new_store(),
          new_store(),
          {},
          {}};
    for (const auto& entry : program.entries) {
      X509* cert = entry.certificate.get();
      s.anchors.push_back(cert);
      X509_STORE_add_cert(s.all.get(), cert);
      if (entry.allows(kEkuCodeSigning)) X509_STORE_add_cert(s.code_signing.get(), cert);
      if (entry.allows(kEkuTimeStamping)) X509_STORE_add_cert(s.timestamping.get(), cert);
      if (entry.allows(kEkuRootListSigning)) X509_STORE_add_cert(s.root_list.get(), cert);
    }
    ossl::take_errors();
    root_program = std::move(program);
    sets.insert(sets.begin(), std::move(s));
  }
};

TrustStore::TrustStore(std::shared_ptr<State> state) : state_(std::move(state)) {}
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;
TrustStore::~TrustStore() = default;

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

TrustStore TrustStore::from_anchors(AnchorSet set, std::vector<ossl::X509Ptr> anchors) {
  auto state = std::make_shared<State>();
  state->add_set(set, "given", std::move(anchors));
  return TrustStore(std::move(state));
}

Result<TrustStore> TrustStore::create(const TrustOptions& options) {
  auto state = std::make_shared<State>();
  if (options.builtin) {
    std::vector<std::uint8_t> stl_file, roots_file;
    Bytes stl = builtin_trust_file(BuiltinTrustFile::kMicrosoftAuthroot);
    Bytes roots = builtin_trust_file(BuiltinTrustFile::kMicrosoftRoots);
    std::string source = "built-in";
    if (!options.microsoft_store_dir.empty()) {
      auto s = read_file_bytes(options.microsoft_store_dir + "/authroot.stl");
      auto r = read_file_bytes(options.microsoft_store_dir + "/roots.pem");
      if (!s) return s.error();
      if (!r) return r.error();
      stl_file = std::move(*s);
      roots_file = std::move(*r);
      stl = Bytes(stl_file.data(), stl_file.size());
      roots = Bytes(roots_file.data(), roots_file.size());
      source = options.microsoft_store_dir;
    }
    std::vector<std::string_view> pins(kMicrosoftListRootsSha256.begin(),
                                       kMicrosoftListRootsSha256.end());
    if (!options.root_list_pins.empty()) {
      pins.assign(options.root_list_pins.begin(), options.root_list_pins.end());
    }
    // The compiled-in list is part of the build and stands for itself by name.
    state->root_program_inputs = options.microsoft_store_dir.empty()
                                     ? std::string("built-in")
                                     : to_hex(digest(DigestAlgorithm::kSha256, stl)) + ' ' +
                                           to_hex(digest(DigestAlgorithm::kSha256, roots));
    for (const auto pin : pins) (state->root_program_inputs += ' ') += pin;
    if (options.microsoft_store_dir.empty()) {
      // The compiled-in list is checked on first use: loading 515 roots costs tens of
      // milliseconds, which a run that meets no Windows signature should not pay.
      std::vector<std::string> owned_pins(pins.begin(), pins.end());
      State* raw = state.get();
      state->deferred = [raw, stl, roots, owned_pins] {
        const std::vector<std::string_view> views(owned_pins.begin(), owned_pins.end());
        auto program = load_root_program(stl, roots, views);
        if (program) {
          raw->add_root_program(std::move(*program), "built-in");
        } else {
          raw->deferred_error = program.error().message;
        }
      };
    } else {
      // A store someone installed is checked now, so a damaged one stops the run at once.
      auto program = load_root_program(stl, roots, pins);
      if (!program) {
        return make_error(program.error().code, "Microsoft root program store (" + source +
                                                    "): " + program.error().message);
      }
      state->add_root_program(std::move(*program), source);
    }
    state->add_set(AnchorSet::kSecureBoot, "built-in",
                   read_certificates(builtin_trust_file(BuiltinTrustFile::kSecureBoot)));
    state->add_set(AnchorSet::kShimVendor, "built-in",
                   read_certificates(builtin_trust_file(BuiltinTrustFile::kShimVendor)));
    state->add_set(AnchorSet::kApple, "built-in",
                   read_certificates(builtin_trust_file(BuiltinTrustFile::kApple)));
  }
  if (options.system) {
    State::Set s{AnchorSet::kSystem, X509_get_default_cert_file(), new_store(), {}, {}, {}, {}, {}};
    // A missing system bundle is not fatal: the set is then simply empty.
    X509_STORE_load_file(s.all.get(), X509_get_default_cert_file());
    X509_STORE_load_path(s.all.get(), X509_get_default_cert_dir());
    ossl::take_errors();
    s.code_signing = s.timestamping = s.root_list = s.all;
    state->sets.push_back(std::move(s));
  }
  if (!options.extra_files.empty()) {
    std::vector<ossl::X509Ptr> certs;
    std::string source;
    for (const auto& path : options.extra_files) {
      auto bytes = read_file_bytes(path);
      if (!bytes) return bytes.error();
      auto found = read_certificates(Bytes(bytes->data(), bytes->size()));
      if (found.empty()) {
        return make_error(ErrorCode::kUsage, "no PEM or DER certificate in " + path);
      }
      std::move(found.begin(), found.end(), std::back_inserter(certs));
      source += (source.empty() ? "" : ", ") + path;
    }
    state->add_set(AnchorSet::kUser, source, std::move(certs));
  }
  return TrustStore(std::move(state));
}

namespace {

// A certificate in the signature that carries a trusted anchor's name but another key, or one
// that names such an anchor as its issuer (with its key identifier, or none) and whose
// signature that anchor's key does not verify: the CVE-2020-0601 pattern, a forged chain.
std::string spoofed_anchor(X509* leaf, STACK_OF(X509) * intermediates,
                           const std::vector<const std::vector<X509*>*>& anchor_lists) {
  std::vector<X509*> presented{leaf};
  for (int i = 0; intermediates != nullptr && i < sk_X509_num(intermediates); ++i) {
    presented.push_back(sk_X509_value(intermediates, i));
  }
  for (X509* cert : presented) {
    const auto key = der_of_key(cert);
    for (const auto* anchors : anchor_lists) {
      for (X509* anchor : *anchors) {
        if (X509_NAME_cmp(X509_get_subject_name(cert), X509_get_subject_name(anchor)) == 0 &&
            der_of_key(anchor) != key) {
          return "a certificate in the signature is named \"" +
                 name_line(X509_get_subject_name(anchor)) +
                 "\" like a trusted anchor, but carries another key (spoofed chain)";
        }
        if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(anchor)) != 0) {
          continue;
        }
        const ASN1_OCTET_STRING* issuer_key_id = X509_get0_authority_key_id(cert);
        const ASN1_OCTET_STRING* anchor_key_id = X509_get0_subject_key_id(anchor);
        const bool same_key_id = issuer_key_id == nullptr || anchor_key_id == nullptr ||
                                 ASN1_OCTET_STRING_cmp(issuer_key_id, anchor_key_id) == 0;
        if (same_key_id && X509_verify(cert, X509_get0_pubkey(anchor)) != 1) {
          ossl::take_errors();
          return "\"" + name_line(X509_get_subject_name(cert)) +
                 "\" claims to be issued by trusted anchor \"" +
                 name_line(X509_get_subject_name(anchor)) +
                 "\", but that anchor's key did not sign it (forged chain)";
        }
      }
    }
  }
  ossl::take_errors();
  return {};
}

std::vector<AnchorSet> sets_for(SignatureFamily family, TrustStore::Usage usage) {
  // Firmware checks no timestamps; a timestamp on an EFI image is Microsoft's TSA, judged as
  // Windows judges it (it fixes the time the signer's validity is judged at).
  if (family == SignatureFamily::kUefi && usage == TrustStore::Usage::kTimestamping) {
    family = SignatureFamily::kWindows;
  }
  switch (family) {
    case SignatureFamily::kWindows:
      return {AnchorSet::kMicrosoftRootProgram, AnchorSet::kUser, AnchorSet::kSystem};
    case SignatureFamily::kUefi:
      return {AnchorSet::kSecureBoot, AnchorSet::kShimVendor, AnchorSet::kUser, AnchorSet::kSystem};
    case SignatureFamily::kApple:
      return {AnchorSet::kApple, AnchorSet::kUser, AnchorSet::kSystem};
  }
  return {AnchorSet::kUser};
}

std::string cache_key(X509* leaf, STACK_OF(X509) * intermediates, std::time_t at,
                      TrustStore::Usage usage, SignatureFamily family) {
  std::string key;
  auto add = [&](X509* cert) {
    const auto sha1 = certificate_sha1(cert);
    key.append(reinterpret_cast<const char*>(sha1.data()), sha1.size());
  };
  add(leaf);
  for (int i = 0; intermediates != nullptr && i < sk_X509_num(intermediates); ++i) {
    add(sk_X509_value(intermediates, i));
  }
  key += std::to_string(at) + '/' + std::to_string(static_cast<int>(usage)) + '/' +
         std::to_string(static_cast<int>(family));
  return key;
}

}  // namespace

ChainResult TrustStore::verify(X509* leaf, STACK_OF(X509) * intermediates, std::time_t at,
                               Usage usage, SignatureFamily family) const {
  state_->ensure_loaded();
  const std::string key = cache_key(leaf, intermediates, at, usage, family);
  {
    std::lock_guard lock(state_->cache_mutex);
    if (auto it = state_->cache.find(key); it != state_->cache.end()) return it->second;
  }
  ChainResult result;
  result.problem = ChainProblem::kNoAnchor;
  bool first = true;
  std::string restriction;
  std::vector<const std::vector<X509*>*> anchor_lists;
  const std::string_view purpose = purpose_of(usage);
  std::time_t leaf_not_before = 0;
  if (auto t = asn1_time_to_epoch(X509_get0_notBefore(leaf))) leaf_not_before = *t;
  for (AnchorSet set_id : sets_for(family, usage)) {
    const State::Set* set = state_->find(set_id);
    if (set == nullptr) continue;
    anchor_lists.push_back(&set->anchors);
    if (first) result.trust_set = set_id;
    Attempt found = attempt(set->store_for(usage), leaf, intermediates, at);
    std::string refused;
    if (found.error == X509_V_OK && set_id == AnchorSet::kMicrosoftRootProgram &&
        state_->root_program) {
      const auto sha1 = certificate_sha1(found.chain.back());
      if (const RootProgramEntry* entry = state_->root_program->find(sha1)) {
        refused = entry->refusal(purpose, leaf_not_before, at);
      }
    } else if (found.error != X509_V_OK && set->store_for(usage) != set->all.get()) {
      // No path among the roots allowed for this purpose: is there one to a root that is not?
      Attempt any = attempt(set->all.get(), leaf, intermediates, at);
      if (any.error == X509_V_OK) {
        if (const RootProgramEntry* entry =
                state_->root_program->find(certificate_sha1(any.chain.back()))) {
          refused = entry->refusal(purpose, leaf_not_before, at);
        }
      }
    }
    if (!refused.empty()) {
      if (restriction.empty()) restriction = refused;
      first = false;
      continue;
    }
    if (found.error == X509_V_OK) {
      result.trusted = true;
      result.time_valid = found.time_valid;
      result.trust_set = set_id;
      result.problem = ChainProblem::kNone;
      result.error.clear();
      for (X509* cert : found.chain) result.chain.push_back(describe_certificate(cert));
      break;
    }
    if (first) result.error = X509_verify_cert_error_string(found.error);
    first = false;
  }
  if (first) {
    result.error =
        state_->deferred_error.empty()
            ? "no trust anchors apply to this kind of signature"
            : "the built-in Microsoft root program did not load: " + state_->deferred_error;
  }
  if (!result.trusted) {
    if (auto spoof = spoofed_anchor(leaf, intermediates, anchor_lists); !spoof.empty()) {
      result.problem = ChainProblem::kSpoofedAnchor;
      result.error = spoof;
    } else if (!restriction.empty()) {
      result.problem = ChainProblem::kAnchorRestricted;
      result.error = restriction;
    }
  } else if (!usage_allowed(leaf, usage)) {
    result.trusted = false;
    result.problem = ChainProblem::kLeafUsage;
    result.error = "certificate is not valid for " +
                   std::string(usage == Usage::kTimestamping      ? "timestamping"
                               : usage == Usage::kRootListSigning ? "signing root lists"
                                                                  : "code signing") +
                   " (extended key usage)";
  }
  std::lock_guard lock(state_->cache_mutex);
  if (state_->cache.size() >= kMaxCachedChains) state_->cache.clear();
  state_->cache.emplace(key, result);
  return result;
}

std::vector<AnchorSetSummary> TrustStore::summary() const {
  state_->ensure_loaded();
  std::vector<AnchorSetSummary> out;
  for (const auto& set : state_->sets) {
    AnchorSetSummary s;
    s.set = set.set;
    s.source = set.source;
    for (X509* cert : set.anchors) s.certificates.push_back(describe_certificate(cert));
    s.anchors = set.anchors.size();
    if (set.set == AnchorSet::kSystem) {
      s.anchors =
          static_cast<std::size_t>(sk_X509_OBJECT_num(X509_STORE_get0_objects(set.all.get())));
    }
    if (set.set == AnchorSet::kMicrosoftRootProgram && state_->root_program) {
      const RootProgram& program = *state_->root_program;
      s.list_sequence = program.sequence_number;
      s.list_date = format_time(program.this_update);
      if (program.list_signature.signer) s.list_signer = program.list_signature.signer->subject;
      s.listed = program.listed;
      for (const auto& entry : program.entries) {
        s.code_signing += entry.allows(kEkuCodeSigning) ? 1 : 0;
        s.timestamping += entry.allows(kEkuTimeStamping) ? 1 : 0;
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string TrustStore::fingerprint() const {
  // Fields joined unambiguously: each one's length before it.
  std::string text;
  const auto add = [&text](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add("trust/1");
  add(state_->root_program_inputs);
  for (const auto& set : state_->sets) {
    if (set.set == AnchorSet::kMicrosoftRootProgram) continue;  // its inputs stand for it
    add(anchor_set_name(set.set));
    add(set.source);
    std::vector<std::string> anchors;
    const auto add_anchor = [&anchors](X509* cert) {
      unsigned char* der = nullptr;
      const int length = cert != nullptr ? i2d_X509(cert, &der) : 0;
      if (length <= 0) return;
      anchors.push_back(
          to_hex(digest(DigestAlgorithm::kSha256, Bytes(der, static_cast<std::size_t>(length)))));
      OPENSSL_free(der);
    };
    for (X509* cert : set.anchors) add_anchor(cert);
    if (set.set == AnchorSet::kSystem) {
      // The system set is read into its store without a list of anchors.
      const STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(set.all.get());
      for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
        add_anchor(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i)));
      }
    }
    std::sort(anchors.begin(), anchors.end());
    for (const auto& anchor : anchors) add(anchor);
  }
  return to_hex(digest(DigestAlgorithm::kSha256,
                       Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

}  // namespace cascade::authenticode
