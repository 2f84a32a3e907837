// Code signatures built here: CodeDirectories (every version, hash type, scatter, single page),
// requirements and entitlements blobs, and CMS signatures made with OpenSSL's CMS_sign using
// the fixture PKI, written into a re-signed copy of hello-arm64 or after synthetic code. Then
// the same signatures with one thing changed after signing, and SuperBlobs damaged on purpose.
#include <openssl/cms.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "core/digest.h"
#include "core/openssl_handles.h"
#include "formats/macho/codesign.h"
#include "formats/macho/macho_image.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

constexpr std::time_t kNow = 1800000000;

Buffer read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string macho_fixture(const std::string& name) {
  return testing::fixture("macho/" + name);
}

const authenticode::TrustStore& macho_trust() {
  static const auto store = authenticode::TrustStore::create(
      {.builtin = false, .extra_files = {macho_fixture("pki/ca.pem")}});
  if (!store) std::abort();
  return store.value();
}

void put_be32(Buffer& b, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_be64(Buffer& b, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void set_be32(Buffer& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(at + i) = static_cast<std::uint8_t>(v >> (8 * (3 - i)));
}
void set_le32(Buffer& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
void set_le64(Buffer& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t le32(const Buffer& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{b.at(at + i)} << (8 * i);
  return v;
}
std::uint64_t le64(const Buffer& b, std::size_t at) {
  return le32(b, at) | (std::uint64_t{le32(b, at + 4)} << 32);
}

Buffer make_blob(std::uint32_t magic, const Buffer& payload) {
  Buffer b;
  put_be32(b, magic);
  put_be32(b, static_cast<std::uint32_t>(payload.size() + 8));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Buffer hash_of(std::uint8_t type, Bytes data) {
  const DigestAlgorithm algorithm = type == 1   ? DigestAlgorithm::kSha1
                                    : type == 4 ? DigestAlgorithm::kSha384
                                                : DigestAlgorithm::kSha256;
  Digest d = digest(algorithm, data);
  if (type == 3) d.resize(20);
  return d;
}

std::uint8_t hash_size(std::uint8_t type) {
  return type == 1 || type == 3 ? 20 : type == 4 ? 48 : 32;
}

struct DirectorySpec {
  std::uint32_t version = 0x20400;
  std::uint32_t flags = macho::kCsRuntime;
  std::uint8_t hash_type = 2;
  std::uint8_t page_shift = 12;
  std::string identifier = "com.cascade.hello";
  std::string team_id = "CASCADE01";
  std::uint32_t special_slots = 7;
  bool code_limit_64 = false;  // put the code limit in codeLimit64 (0x20300+) only
  std::vector<std::pair<std::uint32_t, std::uint32_t>> scatter;  // (first page, count)
};

// A CodeDirectory over `code` (everything before the signature) binding the blobs of `special`
// (slot -> whole blob) in its special slots.
Buffer make_code_directory(Bytes code, const DirectorySpec& spec,
                           const std::map<std::uint32_t, Buffer>& special) {
  const std::uint8_t size = hash_size(spec.hash_type);
  const std::uint64_t page = spec.page_shift == 0 ? 0 : std::uint64_t{1} << spec.page_shift;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pages;  // [begin, end) per code slot
  auto add_page = [&](std::uint64_t index) {
    const std::uint64_t begin = page == 0 ? 0 : index * page;
    const std::uint64_t end =
        page == 0 ? code.size() : std::min<std::uint64_t>(begin + page, code.size());
    pages.emplace_back(begin, end);
  };
  if (spec.scatter.empty()) {
    const std::uint64_t n = page == 0 ? 1 : (code.size() + page - 1) / page;
    for (std::uint64_t i = 0; i < n; ++i) add_page(i);
  } else {
    for (const auto& [first, count] : spec.scatter) {
      for (std::uint32_t i = 0; i < count; ++i) add_page(first + i);
    }
  }
  const std::size_t header = spec.version >= 0x20400   ? 88
                             : spec.version >= 0x20300 ? 64
                             : spec.version >= 0x20200 ? 52
                             : spec.version >= 0x20100 ? 48
                                                       : 44;
  Buffer tail_part;  // scatter, identifier, team id, special slots: all before hashOffset
  std::uint32_t scatter_offset = 0;
  if (!spec.scatter.empty()) {
    scatter_offset = static_cast<std::uint32_t>(header);
    for (const auto& [first, count] : spec.scatter) {
      put_be32(tail_part, count);
      put_be32(tail_part, first);
      put_be64(tail_part, 0);
      put_be64(tail_part, 0);
    }
    tail_part.resize(tail_part.size() + 24, 0);
  }
  const auto ident_offset = static_cast<std::uint32_t>(header + tail_part.size());
  tail_part.insert(tail_part.end(), spec.identifier.begin(), spec.identifier.end());
  tail_part.push_back(0);
  std::uint32_t team_offset = 0;
  if (spec.version >= 0x20200 && !spec.team_id.empty()) {
    team_offset = static_cast<std::uint32_t>(header + tail_part.size());
    tail_part.insert(tail_part.end(), spec.team_id.begin(), spec.team_id.end());
    tail_part.push_back(0);
  }
  for (std::uint32_t slot = spec.special_slots; slot >= 1; --slot) {
    auto it = special.find(slot);
    Buffer h = it != special.end()
                   ? hash_of(spec.hash_type, Bytes(it->second.data(), it->second.size()))
                   : Buffer(size, 0);
    tail_part.insert(tail_part.end(), h.begin(), h.end());
  }
  const auto hash_offset = static_cast<std::uint32_t>(header + tail_part.size());
  Buffer cd;
  put_be32(cd, macho::kCsMagicCodeDirectory);
  put_be32(cd, 0);  // length, set below
  put_be32(cd, spec.version);
  put_be32(cd, spec.flags);
  put_be32(cd, hash_offset);
  put_be32(cd, ident_offset);
  put_be32(cd, spec.special_slots);
  put_be32(cd, static_cast<std::uint32_t>(pages.size()));
  put_be32(cd, spec.code_limit_64 ? 0 : static_cast<std::uint32_t>(code.size()));
  cd.insert(cd.end(), {size, spec.hash_type, 0, spec.page_shift});
  put_be32(cd, 0);  // spare2
  if (spec.version >= 0x20100) put_be32(cd, scatter_offset);
  if (spec.version >= 0x20200) put_be32(cd, team_offset);
  if (spec.version >= 0x20300) {
    put_be32(cd, 0);
    put_be64(cd, spec.code_limit_64 ? code.size() : 0);
  }
  if (spec.version >= 0x20400) {
    put_be64(cd, 0);
    put_be64(cd, 0x4000);
    put_be64(cd, 1);  // CS_EXECSEG_MAIN_BINARY
  }
  cd.insert(cd.end(), tail_part.begin(), tail_part.end());
  for (const auto& [begin, end] : pages) {
    Buffer h = hash_of(spec.hash_type, code.subspan(begin, end - begin));
    cd.insert(cd.end(), h.begin(), h.end());
  }
  set_be32(cd, 4, static_cast<std::uint32_t>(cd.size()));
  return cd;
}

struct Pki {
  ossl::X509Ptr signer, ca;
  ossl::EvpPkeyPtr key;
};

const Pki& pki() {
  static const Pki p = [] {
    Pki out;
    auto load_cert = [](const std::string& name) {
      ossl::BioPtr bio(BIO_new_file(macho_fixture("pki/" + name).c_str(), "r"));
      return ossl::X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    };
    out.signer = load_cert("signer.pem");
    out.ca = load_cert("ca.pem");
    ossl::BioPtr key(BIO_new_file(macho_fixture("pki/signer.key").c_str(), "r"));
    if (key) out.key.reset(PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr));
    return out;
  }();
  return p;
}

// A detached CMS signature over `content`, as codesign makes over the primary CodeDirectory.
Buffer cms_sign(const Buffer& content) {
  const Pki& p = pki();
  if (!p.signer || !p.key || !p.ca) return {};
  ossl::X509StackPtr chain(sk_X509_new_null());
  X509_up_ref(p.ca.get());
  sk_X509_push(chain.get(), p.ca.get());
  ossl::BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  ossl::CmsPtr cms(
      CMS_sign(p.signer.get(), p.key.get(), chain.get(), in.get(), CMS_DETACHED | CMS_BINARY));
  if (!cms) return {};
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  Buffer out(der, der + std::max(len, 0));
  OPENSSL_free(der);
  return out;
}

struct SignatureSpec {
  std::vector<DirectorySpec> directories{DirectorySpec{}};  // the primary, then alternates
  std::optional<std::string> entitlements =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict>"
      "<key>com.apple.security.cs.allow-jit</key><true/></dict></plist>";
  bool entitlements_der = true;
  bool requirements = true;
  enum class Cms { kSigned, kEmpty, kNone } cms = Cms::kSigned;
};

struct Built {
  Buffer file;
  std::uint64_t signature_offset = 0;
  std::uint64_t signature_size = 0;
  std::map<std::uint32_t, std::uint64_t> blob_offsets;  // slot -> offset in the file
  std::string signed_identifier;
};

// Appends the SuperBlob for `spec` at `code.size()` of `out` (which holds the code).
void append_signature(Built& out, const SignatureSpec& spec) {
  const Buffer code = out.file;
  std::map<std::uint32_t, Buffer> special;
  if (spec.requirements)
    special[macho::kCsSlotRequirements] = make_blob(macho::kCsMagicRequirements, {0, 0, 0, 0});
  if (spec.entitlements)
    special[macho::kCsSlotEntitlements] = make_blob(
        macho::kCsMagicEntitlements, Buffer(spec.entitlements->begin(), spec.entitlements->end()));
  if (spec.entitlements_der)
    special[macho::kCsSlotEntitlementsDer] =
        make_blob(macho::kCsMagicEntitlementsDer, {0x70, 0x03, 0x02, 0x01, 0x01});
  std::vector<std::pair<std::uint32_t, Buffer>> blobs;
  for (std::size_t i = 0; i < spec.directories.size(); ++i) {
    const std::uint32_t slot =
        i == 0 ? macho::kCsSlotCodeDirectory
               : macho::kCsSlotAlternateFirst + static_cast<std::uint32_t>(i - 1);
    blobs.emplace_back(
        slot, make_code_directory(Bytes(code.data(), code.size()), spec.directories[i], special));
  }
  for (auto& [slot, blob] : special) blobs.emplace_back(slot, blob);
  std::sort(blobs.begin(), blobs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (spec.cms == SignatureSpec::Cms::kSigned) {
    blobs.emplace_back(macho::kCsSlotSignature,
                       make_blob(macho::kCsMagicBlobWrapper, cms_sign(blobs.front().second)));
  } else if (spec.cms == SignatureSpec::Cms::kEmpty) {
    blobs.emplace_back(macho::kCsSlotSignature, make_blob(macho::kCsMagicBlobWrapper, {}));
  }
  Buffer super;
  put_be32(super, macho::kCsMagicEmbeddedSignature);
  put_be32(super, 0);
  put_be32(super, static_cast<std::uint32_t>(blobs.size()));
  std::uint32_t offset = 12 + 8 * static_cast<std::uint32_t>(blobs.size());
  for (const auto& [slot, blob] : blobs) {
    put_be32(super, slot);
    put_be32(super, offset);
    out.blob_offsets[slot] = code.size() + offset;
    offset += static_cast<std::uint32_t>(blob.size());
  }
  for (const auto& [slot, blob] : blobs) super.insert(super.end(), blob.begin(), blob.end());
  set_be32(super, 4, static_cast<std::uint32_t>(super.size()));
  out.signature_offset = code.size();
  if (out.signature_size == 0) out.signature_size = super.size();
  EXPECT_LE(super.size(), out.signature_size);
  out.file.resize(code.size() + out.signature_size, 0);
  std::copy(super.begin(), super.end(),
            out.file.begin() + static_cast<std::ptrdiff_t>(code.size()));
}

// hello-arm64 re-signed: the linker's signature replaced by `spec`'s in 16 KiB reserved at the
// same offset (LC_CODE_SIGNATURE and __LINKEDIT grown to match), as codesign does.
Built resign_fixture(const SignatureSpec& spec) {
  Built out;
  out.file = read_all(macho_fixture("hello-arm64"));
  if (out.file.size() < 32) {
    ADD_FAILURE() << "hello-arm64 is missing";
    return out;
  }
  const std::uint32_t ncmds = le32(out.file, 16);
  std::size_t at = 32, code_signature = 0, linkedit = 0;
  for (std::uint32_t i = 0; i < ncmds; ++i) {
    const std::uint32_t cmd = le32(out.file, at);
    if (cmd == 0x1d) code_signature = at;
    if (cmd == 0x19 &&
        std::string(reinterpret_cast<const char*>(&out.file[at + 8])) == "__LINKEDIT")
      linkedit = at;
    at += le32(out.file, at + 4);
  }
  if (code_signature == 0 || linkedit == 0) {
    ADD_FAILURE() << "hello-arm64 has no LC_CODE_SIGNATURE or __LINKEDIT";
    return out;
  }
  const std::uint32_t dataoff = le32(out.file, code_signature + 8);
  const std::uint64_t reserved = 16384;
  set_le32(out.file, code_signature + 12, static_cast<std::uint32_t>(reserved));
  const std::uint64_t filesize = dataoff + reserved - le64(out.file, linkedit + 40);
  set_le64(out.file, linkedit + 48, filesize);
  set_le64(out.file, linkedit + 32, (filesize + 0x3fff) & ~std::uint64_t{0x3fff});
  out.file.resize(dataoff);
  out.signature_size = reserved;
  append_signature(out, spec);
  return out;
}

// Synthetic code (three and a half pages of a fixed pattern) followed by `spec`'s signature.
Built synthetic(const SignatureSpec& spec) {
  Built out;
  out.file.resize(3 * 4096 + 2048);
  for (std::size_t i = 0; i < out.file.size(); ++i)
    out.file[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 7));
  append_signature(out, spec);
  return out;
}

struct Checked {
  macho::MachoImage image;
  const macho::CodeSignature& sig() const { return *image.code_signature; }
};

Checked check_macho(const Built& b, const authenticode::TrustStore& trust = macho_trust()) {
  Checked c;
  const Bytes file(b.file.data(), b.file.size());
  auto image = macho::parse_macho(file);
  EXPECT_TRUE(image.ok());
  if (!image.ok()) return c;
  c.image = std::move(image).value();
  EXPECT_TRUE(c.image.anomalies.empty()) << c.image.anomalies.front();
  EXPECT_TRUE(c.image.code_signature.has_value());
  if (!c.image.code_signature) c.image.code_signature.emplace();
  macho::verify_code_signature(file, c.image, trust, kNow);
  return c;
}

Checked check_synthetic(const Built& b) {
  Checked c;
  const Bytes slice(b.file.data(), b.file.size());
  c.image.code_signature = macho::parse_code_signature(slice, b.signature_offset, b.signature_size);
  macho::verify_code_signature(slice, c.image, macho_trust(), kNow);
  return c;
}

TEST(MachoCodesign, CmsSignedFixtureVerifiesAndChains) {
  const Built b = resign_fixture(SignatureSpec());
  const Checked c = check_macho(b);
  const auto& sig = c.sig();
  EXPECT_TRUE(sig.errors.empty()) << sig.errors.front();
  EXPECT_EQ(sig.size, 16384u);
  ASSERT_EQ(sig.directories.size(), 1u);
  const auto& cd = sig.directories[0];
  EXPECT_EQ(cd.identifier, "com.cascade.hello");
  EXPECT_EQ(cd.team_id, "CASCADE01");
  EXPECT_EQ(cd.version, 0x20400u);
  EXPECT_EQ(cd.special_slots, 7u);
  EXPECT_EQ(cd.bad_pages, 0u);
  EXPECT_TRUE(cd.bad_special_slots.empty());
  EXPECT_FALSE(sig.adhoc);
  EXPECT_TRUE(sig.hardened_runtime);
  EXPECT_FALSE(sig.library_validation);
  ASSERT_TRUE(sig.entitlements_xml.has_value());
  EXPECT_NE(sig.entitlements_xml->find("com.apple.security.cs.allow-jit"), std::string::npos);
  EXPECT_TRUE(sig.entitlements_der);
  EXPECT_EQ(sig.requirements_size, 12u);
  EXPECT_TRUE(sig.cms_present);
  EXPECT_TRUE(sig.cms_signature_ok) << sig.cms_error;
  EXPECT_TRUE(sig.cms_error.empty());
  ASSERT_TRUE(sig.signer.has_value());
  EXPECT_NE(sig.signer->subject.find("CN=Cascade Mach-O Signer"), std::string::npos);
  EXPECT_TRUE(sig.chain.trusted) << sig.chain.error;
  EXPECT_TRUE(sig.chain.time_valid);
  ASSERT_EQ(sig.chain.chain.size(), 2u);
  EXPECT_NE(sig.chain.chain[1].subject.find("Cascade Mach-O Root CA"), std::string::npos);
  EXPECT_TRUE(sig.signing_time.has_value());  // CMS_sign adds signingTime
  // The file stays a clean Mach-O: the grown __LINKEDIT still ends where the file does.
  EXPECT_EQ(c.image.end_of_content, b.file.size());
}

TEST(MachoCodesign, UnknownRootIsNotTrustedButStillVerifies) {
  const auto empty = authenticode::TrustStore::create({.builtin = false});
  ASSERT_TRUE(empty.ok());
  const Checked c = check_macho(resign_fixture(SignatureSpec()), empty.value());
  EXPECT_TRUE(c.sig().cms_signature_ok) << c.sig().cms_error;
  EXPECT_FALSE(c.sig().chain.trusted);
  EXPECT_FALSE(c.sig().chain.error.empty());
}

TEST(MachoCodesign, ModifiedCodeDirectoryFailsCms) {
  Built b = resign_fixture(SignatureSpec());
  const Checked before = check_macho(b);
  // One character of the identifier, inside the signed CodeDirectory.
  const std::uint64_t cd = b.blob_offsets.at(macho::kCsSlotCodeDirectory);
  b.file.at(cd + 88) ^= 0x20;
  const Checked after = check_macho(b);
  EXPECT_FALSE(after.sig().cms_signature_ok);
  EXPECT_FALSE(after.sig().cms_error.empty());
  EXPECT_EQ(after.sig().directories.at(0).identifier, "Com.cascade.hello");
  EXPECT_NE(after.sig().directories.at(0).cdhash, before.sig().directories.at(0).cdhash);
  // Only the CodeDirectory changed: its page hashes still match the code.
  EXPECT_EQ(after.sig().directories.at(0).bad_pages, 0u);
  ASSERT_TRUE(after.sig().signer.has_value());  // who claimed to sign is still reported
}

TEST(MachoCodesign, ChangedEntitlementsBreakTheirSlotOnly) {
  Built b = resign_fixture(SignatureSpec());
  b.file.at(b.blob_offsets.at(macho::kCsSlotEntitlements) + 60) ^= 0x01;
  const Checked c = check_macho(b);
  EXPECT_EQ(c.sig().directories.at(0).bad_special_slots, std::vector<std::string>{"entitlements"});
  EXPECT_TRUE(c.sig().cms_signature_ok);
  EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
}

TEST(MachoCodesign, UnboundEntitlementsAreReported) {
  SignatureSpec spec;
  spec.directories[0].special_slots = 2;  // binds the requirements only
  const Checked c = check_macho(resign_fixture(spec));
  EXPECT_EQ(c.sig().directories.at(0).bad_special_slots,
            (std::vector<std::string>{"entitlements", "entitlements-der"}));
}

TEST(MachoCodesign, MissingRequirementsBlobIsReported) {
  SignatureSpec spec;
  spec.requirements = false;
  Built b = resign_fixture(spec);
  // Bind a requirements hash that no blob matches: slot -2 lies 2 hashes before hashOffset.
  const std::uint64_t cd = b.blob_offsets.at(macho::kCsSlotCodeDirectory);
  const std::uint32_t hash_offset = (std::uint32_t{b.file[cd + 16]} << 24) |
                                    (std::uint32_t{b.file[cd + 17]} << 16) |
                                    (std::uint32_t{b.file[cd + 18]} << 8) | b.file[cd + 19];
  b.file.at(cd + hash_offset - 2 * 32) = 0x42;
  const Checked c = check_macho(b);
  EXPECT_EQ(c.sig().directories.at(0).bad_special_slots, std::vector<std::string>{"requirements"});
  EXPECT_FALSE(c.sig().cms_signature_ok);  // the CodeDirectory changed after signing
}

TEST(MachoCodesign, ChangedCodePageIsFoundInACmsSignedFile) {
  Built b = resign_fixture(SignatureSpec());
  b.file.at(3 * 4096 + 17) ^= 0x80;
  const Checked c = check_macho(b);
  const auto& cd = c.sig().directories.at(0);
  EXPECT_EQ(cd.bad_pages, 1u);
  EXPECT_EQ(cd.first_bad_page.value_or(0), 3u);
  EXPECT_TRUE(c.sig().cms_signature_ok);  // the CMS signs the CodeDirectory, not the pages
}

TEST(MachoCodesign, AlternateCodeDirectories) {
  SignatureSpec spec;
  spec.directories[0].hash_type = 1;  // sha1 primary, as codesign writes for old systems
  DirectorySpec sha256;
  DirectorySpec sha384;
  sha384.hash_type = 4;
  DirectorySpec truncated;
  truncated.hash_type = 3;
  spec.directories.push_back(sha256);
  spec.directories.push_back(sha384);
  spec.directories.push_back(truncated);
  Built b = resign_fixture(spec);
  const Checked c = check_macho(b);
  const auto& sig = c.sig();
  EXPECT_TRUE(sig.errors.empty()) << sig.errors.front();
  ASSERT_EQ(sig.directories.size(), 4u);
  const std::vector<std::string> types{"sha1", "sha256", "sha384", "sha256-truncated"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(macho::code_directory_hash_name(sig.directories[i].hash_type), types[i]);
    EXPECT_EQ(sig.directories[i].alternate, i != 0);
    EXPECT_EQ(sig.directories[i].bad_pages, 0u) << types[i];
    EXPECT_TRUE(sig.directories[i].bad_special_slots.empty()) << types[i];
    EXPECT_EQ(sig.directories[i].cdhash.size(), 40u);
  }
  EXPECT_TRUE(sig.cms_signature_ok) << sig.cms_error;
  // A page changed: every directory sees it.
  b.file.at(4096 * 2 + 1) ^= 1;
  const Checked t = check_macho(b);
  for (const auto& cd : t.sig().directories) {
    EXPECT_EQ(cd.bad_pages, 1u) << macho::code_directory_hash_name(cd.hash_type);
    EXPECT_EQ(cd.first_bad_page.value_or(0), 2u) << macho::code_directory_hash_name(cd.hash_type);
  }
}

TEST(MachoCodesign, EmptyCmsBlobIsAdhoc) {
  SignatureSpec spec;
  spec.cms = SignatureSpec::Cms::kEmpty;
  spec.directories[0].flags = 0;  // no CS_ADHOC: the empty CMS blob alone makes it ad hoc
  const Checked c = check_synthetic(synthetic(spec));
  EXPECT_TRUE(c.sig().adhoc);
  EXPECT_FALSE(c.sig().cms_present);
  EXPECT_FALSE(c.sig().cms_signature_ok);
  EXPECT_TRUE(c.sig().cms_error.empty());
  EXPECT_FALSE(c.sig().hardened_runtime);
  EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
}

TEST(MachoCodesign, GarbageCmsBlobFails) {
  Built b = synthetic(SignatureSpec());
  const std::uint64_t cms = b.blob_offsets.at(macho::kCsSlotSignature);
  for (std::uint64_t i = cms + 8; i < cms + 40; ++i) b.file.at(i) = 0x5a;
  const Checked c = check_synthetic(b);
  EXPECT_TRUE(c.sig().cms_present);
  EXPECT_FALSE(c.sig().cms_signature_ok);
  EXPECT_FALSE(c.sig().cms_error.empty());
  EXPECT_FALSE(c.sig().signer);
}

// An unknown digest algorithm in SignedData's digestAlgorithms: CMS_verify cannot set up its
// digests (OpenSSL 3.0 leaked its copy of a memory content BIO there; LeakSanitizer watches).
TEST(MachoCodesign, UnknownCmsDigestAlgorithmFails) {
  Built b = synthetic(SignatureSpec());
  const Buffer sha256_oid{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
  const auto cms =
      b.file.begin() + static_cast<std::ptrdiff_t>(b.blob_offsets.at(macho::kCsSlotSignature));
  auto oid = std::search(cms, b.file.end(), sha256_oid.begin(), sha256_oid.end());
  ASSERT_NE(oid, b.file.end());
  *(oid + 10) = 0x7f;  // 2.16.840.1.101.3.4.2.127: no such digest
  const Checked c = check_synthetic(b);
  EXPECT_TRUE(c.sig().cms_present);
  EXPECT_FALSE(c.sig().cms_signature_ok);
  EXPECT_FALSE(c.sig().cms_error.empty());
  EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
}

TEST(MachoCodesign, EveryCodeDirectoryVersion) {
  for (std::uint32_t version : {0x20001u, 0x20100u, 0x20200u, 0x20300u, 0x20400u, 0x20500u}) {
    SCOPED_TRACE(version);
    SignatureSpec spec;
    spec.directories[0].version = version;
    const Checked c = check_synthetic(synthetic(spec));
    EXPECT_TRUE(c.sig().errors.empty()) << c.sig().errors.front();
    ASSERT_EQ(c.sig().directories.size(), 1u);
    const auto& cd = c.sig().directories[0];
    EXPECT_EQ(cd.version, version);
    EXPECT_EQ(cd.team_id, version >= 0x20200 ? "CASCADE01" : "");
    EXPECT_EQ(cd.code_limit, 3u * 4096 + 2048);
    EXPECT_EQ(cd.code_slots, 4u);
    EXPECT_EQ(cd.bad_pages, 0u);
    EXPECT_TRUE(c.sig().cms_signature_ok) << c.sig().cms_error;
  }
}

TEST(MachoCodesign, CodeLimit64) {
  SignatureSpec spec;
  spec.directories[0].version = 0x20300;
  spec.directories[0].code_limit_64 = true;
  const Checked c = check_synthetic(synthetic(spec));
  EXPECT_TRUE(c.sig().errors.empty()) << c.sig().errors.front();
  EXPECT_EQ(c.sig().directories.at(0).code_limit, 3u * 4096 + 2048);
  EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
}

TEST(MachoCodesign, LargePagesAndSinglePage) {
  for (std::uint8_t shift : {std::uint8_t{0}, std::uint8_t{14}, std::uint8_t{16}}) {
    SCOPED_TRACE(int{shift});
    SignatureSpec spec;
    spec.directories[0].page_shift = shift;
    Built b = synthetic(spec);
    const Checked c = check_synthetic(b);
    EXPECT_TRUE(c.sig().errors.empty()) << c.sig().errors.front();
    EXPECT_EQ(c.sig().directories.at(0).page_size, shift == 0 ? 0u : 1u << shift);
    EXPECT_EQ(c.sig().directories.at(0).code_slots, 1u);
    EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
    b.file.at(b.signature_offset - 1) ^= 1;  // the last byte of code
    const Checked t = check_synthetic(b);
    EXPECT_EQ(t.sig().directories.at(0).bad_pages, 1u);
    EXPECT_EQ(t.sig().directories.at(0).first_bad_page.value_or(9), 0u);
  }
}

TEST(MachoCodesign, ScatterMapsSlotsToPages) {
  SignatureSpec spec;
  spec.directories[0].version = 0x20100;
  spec.directories[0].scatter = {{0, 2}, {3, 1}};  // page 2 is not covered
  Built b = synthetic(spec);
  const Checked c = check_synthetic(b);
  EXPECT_TRUE(c.sig().errors.empty()) << c.sig().errors.front();
  EXPECT_EQ(c.sig().directories.at(0).code_slots, 3u);
  EXPECT_EQ(c.sig().directories.at(0).bad_pages, 0u);
  b.file.at(2 * 4096 + 5) ^= 1;  // uncovered page: no hash to break
  EXPECT_EQ(check_synthetic(b).sig().directories.at(0).bad_pages, 0u);
  b.file.at(3 * 4096 + 5) ^= 1;  // page 3, hashed in slot 2
  const Checked t = check_synthetic(b);
  EXPECT_EQ(t.sig().directories.at(0).bad_pages, 1u);
  EXPECT_EQ(t.sig().directories.at(0).first_bad_page.value_or(0), 3u);
}

TEST(MachoCodesign, UnorderedScatterIsRejected) {
  SignatureSpec spec;
  spec.directories[0].version = 0x20100;
  spec.directories[0].scatter = {{2, 2}, {0, 2}};
  const Checked c = check_synthetic(synthetic(spec));
  EXPECT_TRUE(c.sig().directories.empty());
  ASSERT_FALSE(c.sig().errors.empty());
  EXPECT_NE(c.sig().errors.front().find("scatter"), std::string::npos) << c.sig().errors.front();
}

// An unsigned synthetic signature with its CodeDirectory edited by `edit` (offsets into the blob).
template <typename Edit>
Checked with_edited_directory(Edit edit) {
  SignatureSpec spec;
  spec.cms = SignatureSpec::Cms::kNone;
  Built b = synthetic(spec);
  const std::uint64_t cd = b.blob_offsets.at(macho::kCsSlotCodeDirectory);
  edit(b.file, static_cast<std::size_t>(cd));
  return check_synthetic(b);
}

bool has_error(const macho::CodeSignature& sig, const std::string& part) {
  return std::any_of(sig.errors.begin(), sig.errors.end(),
                     [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

TEST(MachoCodesign, DamagedCodeDirectories) {
  struct Case {
    const char* what;
    std::size_t field;
    std::uint32_t value;
    const char* error;
  };
  const Case cases[] = {
      {"version too old", 8, 0x20000, "unsupported version"},
      {"version from the future", 8, 0x30000, "unsupported version"},
      {"code slots beyond the file", 28, 0x100000, "code slots for a slice"},
      {"hash offset past the blob", 16, 0xfffffff0, "code slots run past"},
      {"special slots before the blob", 16, 40, "special slots run before"},
      {"identifier outside", 20, 0xffffff, "identifier lies outside"},
      {"fewer slots than pages", 28, 3, "code slots for a code limit of 4 pages"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.what);
    const Checked c = with_edited_directory(
        [&](Buffer& f, std::size_t cd) { set_be32(f, cd + k.field, k.value); });
    EXPECT_TRUE(has_error(c.sig(), k.error)) << (c.sig().errors.empty() ? "" : c.sig().errors[0]);
  }
  // The byte fields: hash size, hash type, page size.
  const Checked bad_size =
      with_edited_directory([](Buffer& f, std::size_t cd) { f.at(cd + 36) = 16; });
  EXPECT_TRUE(has_error(bad_size.sig(), "does not suit sha256"));
  EXPECT_TRUE(bad_size.sig().directories.empty());
  const Checked bad_type =
      with_edited_directory([](Buffer& f, std::size_t cd) { f.at(cd + 37) = 9; });
  EXPECT_TRUE(has_error(bad_type.sig(), "unknown hash type 9"));
  ASSERT_EQ(bad_type.sig().directories.size(), 1u);
  EXPECT_EQ(bad_type.sig().directories[0].bad_pages, 0u);  // not checkable, so not counted
  for (std::uint8_t shift : {std::uint8_t{11}, std::uint8_t{17}, std::uint8_t{255}}) {
    const Checked c =
        with_edited_directory([&](Buffer& f, std::size_t cd) { f.at(cd + 39) = shift; });
    EXPECT_TRUE(has_error(c.sig(), "out of range")) << int{shift};
  }
  // Fewer slots than pages: still read and checked; the unhashed last page is the error above.
  const Checked short_slots =
      with_edited_directory([](Buffer& f, std::size_t cd) { set_be32(f, cd + 28, 3); });
  ASSERT_EQ(short_slots.sig().directories.size(), 1u);
  EXPECT_EQ(short_slots.sig().directories[0].code_slots, 3u);
  EXPECT_EQ(short_slots.sig().directories[0].bad_pages, 0u);
}

TEST(MachoCodesign, DamagedSuperBlobs) {
  auto run = [](auto edit) {
    Built b = synthetic(SignatureSpec());
    edit(b);
    return check_synthetic(b);
  };
  const std::size_t sb = 3 * 4096 + 2048;
  // A count far beyond the cap.
  Checked c = run([&](Built& b) { set_be32(b.file, sb + 8, 0xffffffff); });
  EXPECT_TRUE(has_error(c.sig(), "claims 4294967295 blobs"));
  // A blob offset outside the SuperBlob.
  c = run([&](Built& b) { set_be32(b.file, sb + 16, 0x7fffffff); });
  EXPECT_TRUE(has_error(c.sig(), "CodeDirectory blob lies outside the SuperBlob"));
  EXPECT_TRUE(has_error(c.sig(), "has no CodeDirectory"));
  // Two index entries pointing at the same blob.
  c = run([&](Built& b) {
    const std::uint32_t first = (std::uint32_t{b.file[sb + 16]} << 24) |
                                (std::uint32_t{b.file[sb + 17]} << 16) |
                                (std::uint32_t{b.file[sb + 18]} << 8) | b.file[sb + 19];
    set_be32(b.file, sb + 12 + 8 + 4, first);
  });
  EXPECT_TRUE(has_error(c.sig(), "overlaps another blob"));
  // The same slot twice.
  c = run([&](Built& b) { set_be32(b.file, sb + 12 + 8, 0); });
  EXPECT_TRUE(has_error(c.sig(), "more than once"));
  // A blob whose length runs past the SuperBlob.
  c = run([&](Built& b) {
    set_be32(b.file, b.blob_offsets.at(macho::kCsSlotRequirements) + 4, 1u << 30);
  });
  EXPECT_TRUE(has_error(c.sig(), "requirements blob length"));
  // A requirements slot holding an entitlements blob.
  c = run([&](Built& b) {
    set_be32(b.file, b.blob_offsets.at(macho::kCsSlotRequirements), macho::kCsMagicEntitlements);
  });
  EXPECT_TRUE(has_error(c.sig(), "requirements blob has magic 0xfade7171"));
  EXPECT_EQ(c.sig().directories.at(0).bad_special_slots,
            std::vector<std::string>{"requirements"});  // bound, but no valid blob
  // Not a SuperBlob at all.
  c = run([&](Built& b) { set_be32(b.file, sb, 0x12345678); });
  EXPECT_TRUE(has_error(c.sig(), "does not start with a SuperBlob"));
  // The index overlapping the SuperBlob length.
  c = run([&](Built& b) { set_be32(b.file, sb + 4, 20); });
  EXPECT_TRUE(has_error(c.sig(), "index runs past"));
}

// Signatures whose CMS blob `openssl cms -sign` made (another signer than CMS_sign above, with
// its own default attributes) over the linker's CodeDirectory: see macho_expected.py.
TEST(MachoCodesign, OpensslCliSignaturesVerify) {
  std::ifstream in(macho_fixture("expected.json"));
  nlohmann::json expected;
  if (in) in >> expected;
  ASSERT_EQ(expected["cms_signed"].size(), 4u);
  for (const auto& e : expected["cms_signed"]) {
    const std::string name = e["file"];
    SCOPED_TRACE(name);
    const Buffer data = read_all(macho_fixture(name));
    ASSERT_GT(data.size(), 4u);
    const std::uint32_t offset = le32(data, 0);
    EXPECT_EQ(offset, e["offset"].get<std::uint32_t>());
    const Bytes slice(data.data() + 4, data.size() - 4);
    macho::MachoImage image;
    image.code_signature = macho::parse_code_signature(slice, offset, slice.size() - offset);
    macho::verify_code_signature(slice, image, macho_trust(), kNow);
    const auto& sig = *image.code_signature;
    EXPECT_TRUE(sig.errors.empty()) << sig.errors.front();
    ASSERT_EQ(sig.directories.size(), 1u);
    EXPECT_EQ(sig.directories[0].bad_pages, 0u);
    EXPECT_TRUE(sig.cms_present);
    EXPECT_TRUE(sig.cms_signature_ok) << sig.cms_error;
    ASSERT_TRUE(sig.signer.has_value());
    EXPECT_NE(sig.signer->subject.find("CN=Cascade Mach-O Signer"), std::string::npos);
    EXPECT_TRUE(sig.chain.trusted) << sig.chain.error;
    EXPECT_TRUE(sig.signing_time.has_value());
    // The same CMS over another CodeDirectory: one byte of its identifier changed.
    Buffer edited = data;
    const std::size_t super_blob = 4 + std::size_t{offset};
    const std::size_t cd = super_blob + ((std::size_t{data.at(super_blob + 18)} << 8) |
                                         data.at(super_blob + 19));  // index entry 0's offset
    const std::size_t identifier = cd + 88;                          // after a 0x20400 header
    edited.at(identifier) ^= 0x01;
    const Bytes edited_slice(edited.data() + 4, edited.size() - 4);
    macho::MachoImage other;
    other.code_signature =
        macho::parse_code_signature(edited_slice, offset, edited_slice.size() - offset);
    macho::verify_code_signature(edited_slice, other, macho_trust(), kNow);
    EXPECT_FALSE(other.code_signature->cms_signature_ok);
    EXPECT_NE(other.code_signature->directories.at(0).identifier, sig.directories[0].identifier);
  }
}

TEST(MachoCodesign, SignatureOutsideTheSlice) {
  const Buffer data(100, 0);
  const Bytes slice(data.data(), data.size());
  auto sig = macho::parse_code_signature(slice, 200, 16);
  EXPECT_TRUE(has_error(sig, "starts past the end"));
  sig = macho::parse_code_signature(slice, 90, 16);
  EXPECT_TRUE(has_error(sig, "runs past the end"));
  EXPECT_TRUE(has_error(sig, "too short for a SuperBlob"));
}

}  // namespace
}  // namespace cascade
