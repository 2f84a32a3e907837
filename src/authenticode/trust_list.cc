#include "authenticode/trust_list.h"

#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include <algorithm>

#include "authenticode/pkcs7_reader.h"
#include "core/der.h"

namespace cascade::authenticode {

namespace {

constexpr std::uint8_t kInteger = 0x02;
constexpr std::uint8_t kSet = 0x31;
constexpr std::uint8_t kUtcTime = 0x17;
constexpr std::uint8_t kGeneralizedTime = 0x18;
constexpr std::uint8_t kExplicit0 = 0xa0;
constexpr std::uint8_t kBoolean = 0x01;
constexpr const char* kCtlContentOid = "1.3.6.1.4.1.311.10.1";
// 100 ns ticks between 1601-01-01 and 1970-01-01.
constexpr std::uint64_t kFiletimeUnixEpoch = 116444736000000000ULL;

bool is_time(const der::Element& e) {
  return e.tag == kUtcTime || e.tag == kGeneralizedTime;
}

int two_digits(Bytes s, std::size_t at) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
    return -1;
  }
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, the DER forms.
std::optional<std::time_t> decode_time(const der::Element& e) {
  const Bytes s = e.contents;
  std::size_t at = 0;
  int year = 0;
  if (e.tag == kUtcTime) {
    if (s.size() != 13) return std::nullopt;
    const int yy = two_digits(s, 0);
    if (yy < 0) return std::nullopt;
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    at = 2;
  } else {
    if (s.size() != 15) return std::nullopt;
    const int hi = two_digits(s, 0);
    const int lo = two_digits(s, 2);
    if (hi < 0 || lo < 0) return std::nullopt;
    year = hi * 100 + lo;
    at = 4;
  }
  if (s.back() != 'Z') return std::nullopt;
  std::tm tm{};
  const int fields[5] = {two_digits(s, at), two_digits(s, at + 2), two_digits(s, at + 4),
                         two_digits(s, at + 6), two_digits(s, at + 8)};
  if (std::any_of(std::begin(fields), std::end(fields), [](int v) { return v < 0; })) {
    return std::nullopt;
  }
  if (fields[0] < 1 || fields[0] > 12 || fields[1] < 1 || fields[1] > 31 || fields[2] > 23 ||
      fields[3] > 59 || fields[4] > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = fields[0] - 1;
  tm.tm_mday = fields[1];
  tm.tm_hour = fields[2];
  tm.tm_min = fields[3];
  tm.tm_sec = fields[4];
  return timegm(&tm);
}

std::optional<std::string> read_oid(ByteReader& r) {
  auto e = der::expect(r, der::kObjectId);
  if (!e) return std::nullopt;
  return oid_to_text(e->contents);
}

// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY }
std::optional<TrustListAttribute> read_attribute(const der::Element& seq, std::string& error) {
  ByteReader r(seq.contents);
  auto oid = read_oid(r);
  auto values = der::expect(r, kSet);
  if (!oid || !values) return std::nullopt;
  TrustListAttribute attribute{*oid, {}};
  ByteReader v(values->contents);
  while (!v.empty()) {
    auto value = der::read(v);
    if (!value) return std::nullopt;
    if (attribute.values.size() == kMaxAttributeValues) {
      error = "an attribute has more than " + std::to_string(kMaxAttributeValues) +
              " values; the rest were not read";
      break;
    }
    attribute.values.push_back(value->encoded);
  }
  return attribute;
}

std::optional<TrustListSubject> read_subject(const der::Element& seq, std::string& error) {
  ByteReader r(seq.contents);
  auto id = der::expect(r, der::kOctetString);
  if (!id) return std::nullopt;
  TrustListSubject subject{id->contents, {}};
  if (r.empty()) return subject;
  auto attributes = der::expect(r, kSet);
  if (!attributes || !r.empty()) return std::nullopt;
  ByteReader a(attributes->contents);
  while (!a.empty()) {
    auto attr_seq = der::expect(a, der::kSequence);
    if (!attr_seq) return std::nullopt;
    if (subject.attributes.size() == kMaxSubjectAttributes) {
      error = "a subject has more than " + std::to_string(kMaxSubjectAttributes) +
              " attributes; the rest were not read";
      break;
    }
    auto attribute = read_attribute(*attr_seq, error);
    if (!attribute) return std::nullopt;
    subject.attributes.push_back(std::move(*attribute));
  }
  return subject;
}

// Extensions ::= SEQUENCE OF SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
//                                       extnValue OCTET STRING }
bool read_extensions(Bytes explicit_contents, TrustList& list) {
  ByteReader outer(explicit_contents);
  auto seq = der::expect(outer, der::kSequence);
  if (!seq || !outer.empty()) return false;
  ByteReader r(seq->contents);
  while (!r.empty()) {
    auto ext = der::expect(r, der::kSequence);
    if (!ext) return false;
    ByteReader e(ext->contents);
    auto oid = read_oid(e);
    der::expect(e, kBoolean);
    auto value = der::expect(e, der::kOctetString);
    if (!oid || !value) return false;
    if (list.extensions.size() == kMaxSubjectAttributes) {
      list.error = "more than " + std::to_string(kMaxSubjectAttributes) +
                   " list extensions; the rest were not read";
      return true;
    }
    list.extensions.push_back({*oid, value->contents});
  }
  return true;
}

Error malformed(const char* what) {
  return make_error(ErrorCode::kMalformed, std::string("trust list: ") + what);
}

}  // namespace

const TrustListAttribute* TrustListSubject::find(std::string_view oid) const {
  for (const auto& attribute : attributes) {
    if (attribute.oid == oid) return &attribute;
  }
  return nullptr;
}

std::optional<std::string> oid_to_text(Bytes contents) {
  if (contents.empty() || contents.size() > 64) return std::nullopt;
  std::string out;
  std::uint64_t value = 0;
  bool first = true;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const std::uint8_t b = contents[i];
    if (value == 0 && b == 0x80) return std::nullopt;  // non-minimal encoding
    if (value > (UINT64_MAX >> 7)) return std::nullopt;
    value = (value << 7) | (b & 0x7f);
    if (b & 0x80) {
      if (i + 1 == contents.size()) return std::nullopt;  // truncated arc
      continue;
    }
    if (first) {
      const std::uint64_t top = value < 80 ? value / 40 : 2;
      out = std::to_string(top) + "." + std::to_string(value - top * 40);
      first = false;
    } else {
      out += "." + std::to_string(value);
    }
    value = 0;
  }
  return out;
}

std::optional<std::time_t> filetime_to_epoch(Bytes eight_bytes) {
  auto ticks = load_u64le(eight_bytes, 0);
  if (!ticks || eight_bytes.size() != 8 || *ticks < kFiletimeUnixEpoch) return std::nullopt;
  return static_cast<std::time_t>((*ticks - kFiletimeUnixEpoch) / 10000000ULL);
}

Result<TrustList> parse_trust_list(Bytes contents) {
  TrustList list;
  ByteReader r(contents);
  der::expect(r, kInteger);  // version: v1 is the only one defined
  auto usage = der::expect(r, der::kSequence);
  if (!usage) return malformed("no subject usage");
  ByteReader u(usage->contents);
  while (!u.empty()) {
    auto oid = read_oid(u);
    if (!oid || list.usages.size() == kMaxSubjectAttributes) return malformed("bad subject usage");
    list.usages.push_back(*oid);
  }
  if (auto id = der::expect(r, der::kOctetString)) list.list_identifier = id->contents;
  if (auto seq = der::expect(r, kInteger)) list.sequence_number = seq->contents;
  auto this_update = der::read(r);
  if (!this_update || !is_time(*this_update)) return malformed("no thisUpdate time");
  auto when = decode_time(*this_update);
  if (!when) return malformed("thisUpdate is not a DER time");
  list.this_update = *when;
  {
    ByteReader probe = r;
    auto next = der::read(probe);
    if (next && is_time(*next)) {
      list.next_update = decode_time(*next);
      r = probe;
    }
  }
  auto algorithm = der::expect(r, der::kSequence);
  if (!algorithm) return malformed("no subject algorithm");
  ByteReader alg(algorithm->contents);
  auto alg_oid = read_oid(alg);
  if (!alg_oid) return malformed("bad subject algorithm");
  list.subject_algorithm = *alg_oid;
  if (auto subjects = der::expect(r, der::kSequence)) {
    ByteReader s(subjects->contents);
    while (!s.empty()) {
      auto subject_seq = der::expect(s, der::kSequence);
      if (!subject_seq) return malformed("a trusted subject is not a SEQUENCE");
      if (list.subjects.size() == kMaxTrustListSubjects) {
        list.error = "more than " + std::to_string(kMaxTrustListSubjects) +
                     " subjects; the rest were not read";
        break;
      }
      auto subject = read_subject(*subject_seq, list.error);
      if (!subject) return malformed("a trusted subject is malformed");
      list.subjects.push_back(std::move(*subject));
    }
  }
  if (auto extensions = der::expect(r, kExplicit0)) {
    if (!read_extensions(extensions->contents, list)) return malformed("bad extensions");
  }
  if (!r.empty()) return malformed("data after the last field");
  return list;
}

SignedTrustList::SignedTrustList() = default;
SignedTrustList::SignedTrustList(SignedTrustList&&) noexcept = default;
SignedTrustList& SignedTrustList::operator=(SignedTrustList&&) noexcept = default;
SignedTrustList::~SignedTrustList() = default;

Result<SignedTrustList> read_signed_trust_list(Bytes der) {
  SignedTrustList out;
  out.signature = std::make_unique<ParsedSignature>();
  ParsedSignature& sig = *out.signature;
  const unsigned char* p = der.data();
  sig.p7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!sig.p7) return make_error(ErrorCode::kMalformed, "not PKCS#7: " + ossl::take_errors());
  if (!PKCS7_type_is_signed(sig.p7.get()) || sig.p7->d.sign == nullptr ||
      sig.p7->d.sign->contents == nullptr) {
    return make_error(ErrorCode::kMalformed, "PKCS#7 is not SignedData");
  }
  PKCS7* contents = sig.p7->d.sign->contents;
  char type[80];
  OBJ_obj2txt(type, sizeof type, contents->type, 1);
  if (std::string_view(type) != kCtlContentOid || contents->d.other == nullptr) {
    return make_error(ErrorCode::kMalformed,
                      std::string("signed content is not a certificate trust list: ") + type);
  }
  const ASN1_TYPE* any = contents->d.other;
  const ASN1_STRING* value = any->value.asn1_string;
  if (value == nullptr || value->data == nullptr || value->length <= 0) {
    return make_error(ErrorCode::kMalformed, "the trust list is empty");
  }
  const Bytes encoded(value->data, static_cast<std::size_t>(value->length));
  // PKCS#7 with the SEQUENCE as content: the signature covers its contents octets (as in
  // Authenticode). CMS style, an OCTET STRING: the signature covers the octets, the whole CTL.
  ByteReader outer(encoded);
  auto seq = der::expect(outer, der::kSequence);
  if (!seq) return make_error(ErrorCode::kMalformed, "the trust list is not a DER SEQUENCE");
  if (any->type == V_ASN1_SEQUENCE) {
    sig.content.assign(seq->contents.begin(), seq->contents.end());
  } else if (any->type == V_ASN1_OCTET_STRING) {
    sig.content.assign(encoded.begin(), encoded.end());
  } else {
    return make_error(ErrorCode::kMalformed, "the trust list has an unexpected ASN.1 type");
  }
  // Parse from the signature's own copy, which lives as long as `out`.
  ByteReader copy(Bytes(sig.content.data(), sig.content.size()));
  Bytes list_contents(sig.content.data(), sig.content.size());
  if (any->type == V_ASN1_OCTET_STRING) {
    auto inner = der::expect(copy, der::kSequence);
    if (!inner || !copy.empty()) return make_error(ErrorCode::kMalformed, "trailing data");
    list_contents = inner->contents;
  }
  auto list = parse_trust_list(list_contents);
  if (!list) return list.error();
  out.list = std::move(*list);
  return out;
}

}  // namespace cascade::authenticode
