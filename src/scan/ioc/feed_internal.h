// Internals of the indicator feeds: the in-memory form of one parsed feed and the readers that
// fill it. Not part of libcascade's interface; the fuzzer and the tests reach parse_feed().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include "core/byte_reader.h"

#include "core/result.h"
#include "scan/ioc/indicators.h"
#include "scan/ioc/large_buffer.h"
#include "scan/ioc/osv.h"

namespace cascade::scan::ioc {

// Deduplicated label strings; id 0 is "no label". A 10M-line list without names stores none.
class LabelPool {
 public:
  std::uint32_t intern(std::string_view label);
  std::string_view get(std::uint32_t id) const;

 private:
  std::deque<std::string> labels_;  // deque: the map's views stay valid as it grows
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

// A set of fixed-width binary digests with an optional label each. Keys are appended while a
// feed is read, then finish() builds an open-addressing index (linear probing, load <= 3/4)
// whose 64-bit slots hold 32 bits of the key's hash and its number: a lookup costs one slot
// probe, and a key is compared only when those hash bits agree. The first occurrence of a
// duplicate digest wins.
class DigestTable {
 public:
  explicit DigestTable(std::size_t width) : width_(width) {}

  std::size_t width() const { return width_; }
  bool reserve(std::size_t keys) { return keys_.reserve(keys * width_); }
  // Room for one more key, to be written in place (hex decodes straight into the table);
  // nullptr when memory runs out.
  std::uint8_t* append(std::uint32_t label);
  void drop_last();  // undoes append() after a decode failure
  bool finish();     // false when memory runs out

  std::size_t size() const { return unique_; }  // distinct keys, after finish()
  std::size_t appended() const { return keys_.size() / width_; }
  // The i-th key appended (duplicates included) and its label id, to list a feed's indicators.
  const std::uint8_t* key_at(std::size_t i) const { return key(i); }
  std::uint32_t label_at(std::size_t i) const { return labelled_ ? labels_[i] : 0; }
  // The label id of `digest` (width() bytes), or nullopt when absent.
  std::optional<std::uint32_t> find(const std::uint8_t* digest) const;

 private:
  const std::uint8_t* key(std::size_t i) const { return keys_.data() + i * width_; }
  std::uint64_t hash(const std::uint8_t* digest) const;

  std::size_t width_;
  LargeBuffer keys_;
  std::vector<std::uint32_t> labels_;  // one per key once the first labelled key arrives
  bool labelled_ = false;
  LargeBuffer slots_;  // std::uint64_t each: hash >> 32 << 32 | (key number + 1); 0: empty
  std::size_t mask_ = 0;
  std::size_t unique_ = 0;
};

// An issuer name as a feed gives it. "KEY=VALUE" components (RFC 2253 "CN=x,O=y", OpenSSL's
// "/C=x/O=y", Windows' "CN = x, O = \"y, Inc.\"") must each occur in the certificate's issuer, in
// any order; text without '=' must occur within the issuer name instead. Both compare without
// case, escapes, quotes or extra spaces.
struct IssuerPattern {
  std::vector<std::string> components;  // normalised "key=value", sorted
  std::string text;                     // normalised; used when there are no components
  bool any() const { return components.empty() && text.empty(); }
  bool operator==(const IssuerPattern&) const = default;
};
IssuerPattern parse_issuer(std::string_view issuer);
bool issuer_matches(const IssuerPattern& pattern, std::string_view certificate_issuer);

// A signer block-list entry matched by serial number (and, optionally, issuer).
struct SerialEntry {
  std::string issuer;  // as written in the feed
  IssuerPattern pattern;
  std::uint32_t label = 0;
};

struct Feed {
  FeedFormat format = FeedFormat::kHashList;
  std::string name;  // set by a "# feed: NAME" line; empty: the file name
  std::uint64_t skipped = 0;
  LabelPool labels;
  DigestTable md5{16};
  DigestTable sha1{20};
  DigestTable sha256{32};
  DigestTable cert_sha1{20};  // signer thumbprints
  DigestTable cert_sha256{32};
  std::unordered_map<std::string, std::vector<SerialEntry>> serials;  // normalize_serial() keys
  std::vector<OsvAdvisory> advisories;

  std::uint64_t indicators() const;
  DigestTable& table(HashKind kind);
  const DigestTable& table(HashKind kind) const;
  bool finish();  // false when memory runs out
};

// Keys are numbered in 32 bits; no real feed comes near this.
inline constexpr std::size_t kMaxIndicators = std::size_t{1} << 31;

// Parses a whole feed held in memory; `path` names it in errors ("PATH:LINE: ...").
Result<Feed> parse_feed(Bytes data, const std::string& path);

// --- shared by the readers -------------------------------------------------------------------

// Value of a hex digit, or -1.
int hex_value(char c);
// Decodes exactly out_len*2 hex digits (either case) into out; false on any non-hex digit.
bool decode_hex(std::string_view hex, std::uint8_t* out, std::size_t out_len);
// The hash kind of a digest written with `hex_digits` hex digits (32, 40 or 64).
std::optional<HashKind> kind_for_length(std::size_t hex_digits);
std::string_view kind_name(HashKind kind);  // "MD5", "SHA-1", "SHA-256"
std::size_t kind_width(HashKind kind);      // bytes

// Adds one hash written as hex to the feed; an error message (without location) on failure.
// `expected` (a column or pattern that names the kind) rejects hex of another length.
std::optional<std::string> add_hash(Feed& feed, std::string_view hex,
                                    std::optional<HashKind> expected, std::uint32_t label);

std::string_view trim(std::string_view s);
// A value quoted for an error message: shortened, control bytes replaced.
std::string shown(std::string_view s);
Error feed_error(const std::string& path, std::size_t line, const std::string& message);

// Serial numbers compare as hex without case, separators (':', '-', spaces), a 0x prefix or
// leading zeros; nullopt when something else remains.
std::optional<std::string> normalize_serial(std::string_view serial);
// Adds a certificate thumbprint (SHA-1 or SHA-256, separators allowed) to a signer feed.
std::optional<std::string> add_thumbprint(Feed& feed, std::string_view hex, std::uint32_t label);
std::optional<std::string> add_serial(Feed& feed, std::string_view serial, std::string_view issuer,
                                      std::uint32_t label);

// The readers; each gets the whole text (BOM stripped) after detection.
Result<Feed> parse_hash_list(std::string_view text, const std::string& path);
Result<Feed> parse_signer_list(std::string_view text, const std::string& path);
Result<Feed> parse_csv_feed(std::string_view text, const std::string& path);
Result<Feed> parse_stix(std::string_view text, const std::string& path);

// OSV: whether parsed JSON is one advisory or an array of them, and the reader that appends
// them to a feed (a directory's files go into one feed).
bool looks_like_osv(const nlohmann::json& root);
Status add_osv(const nlohmann::json& root, const std::string& path, Feed& feed);
// One *.json file of a directory of advisories: OSV or an error.
Status add_osv_file(Bytes data, const std::string& path, Feed& feed);

// Recognises a "# feed: NAME" comment (the text after '#'); empty when it is another comment.
std::string_view feed_name_directive(std::string_view comment);

// STIX patterns: the hash comparisons of a pattern made only of comparisons joined by OR, or
// nullopt for any other pattern (AND, NOT, qualifiers, other operators).
struct PatternHash {
  HashKind kind;
  std::string value;
};
std::optional<std::vector<PatternHash>> hash_pattern(std::string_view pattern);

}  // namespace cascade::scan::ioc
