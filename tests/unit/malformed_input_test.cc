// Hostile input: truncated, corrupted and crafted files give per-file errors or findings, never
// a crash or a hang (these run under ASan+UBSan too).
#include <fstream>
#include <iterator>
#include <random>

#include "core/byte_reader.h"
#include "formats/pe/pe_image.h"
#include "test_support.h"

namespace cascade {
namespace {

std::vector<std::uint8_t> read_fixture(const std::string& name) {
  std::ifstream in(testing::fixture(name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

FileReport inspect_buffer(const std::vector<std::uint8_t>& data) {
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  return inspect_bytes("buffer", Bytes(data.data(), data.size()), options);
}

void put_u32(std::vector<std::uint8_t>& d, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) d.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t get_u32(const std::vector<std::uint8_t>& d, std::size_t off) {
  return *load_u32le(Bytes(d.data(), d.size()), off);
}

TEST(Malformed, EveryTruncationOfASignedFileIsHandled) {
  const auto original = read_fixture("timestamped.exe");
  ASSERT_GT(original.size(), 1000u);
  for (std::size_t len = 0; len < original.size(); len += (len < 1024 ? 7 : 61)) {
    std::vector<std::uint8_t> cut(original.begin(), original.begin() + static_cast<long>(len));
    const FileReport r = inspect_buffer(cut);
    EXPECT_EQ(r.size, len);
    EXPECT_EQ(r.hashes.sha256.size(), 64u) << "hashes are reported even for broken files";
    if (r.pe) {
      EXPECT_FALSE(testing::has_finding(r, "signature.padding") && r.signatures.empty());
    }
  }
}

TEST(Malformed, RandomByteCorruptionNeverCrashes) {
  std::mt19937 rng(20231);  // fixed seed: reproducible
  for (const char* name : {"nested.exe", "imports.exe", "exports.dll", "hello.exe"}) {
    const auto original = read_fixture(name);
    ASSERT_FALSE(original.empty()) << name;
    for (int round = 0; round < 150; ++round) {
      auto data = original;
      const int flips = 1 + static_cast<int>(rng() % 16);
      for (int i = 0; i < flips; ++i) data[rng() % data.size()] = static_cast<std::uint8_t>(rng());
      const FileReport r = inspect_buffer(data);
      EXPECT_EQ(r.hashes.sha256.size(), 64u);
    }
  }
}

TEST(Malformed, NotAPeFileIsUnknownWithHashes) {
  const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o', '\n'};
  const FileReport r = inspect_buffer(text);
  EXPECT_EQ(r.format, FileFormat::kUnknown);
  EXPECT_FALSE(r.pe.has_value());
  EXPECT_EQ(r.hashes.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
}

TEST(Malformed, LfanewPastEndIsAClearError) {
  auto data = read_fixture("hello.exe");
  put_u32(data, 0x3c, 0xfffffff0);
  const FileReport r = inspect_buffer(data);
  EXPECT_EQ(r.format, FileFormat::kPe);
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(testing::has_finding(r, "file.unreadable"));
}

TEST(Malformed, HugeSectionCountIsTruncatedTableError) {
  auto data = read_fixture("hello.exe");
  const std::uint32_t pe = get_u32(data, 0x3c);
  data.at(pe + 6) = 0xff;
  data.at(pe + 7) = 0xff;
  const FileReport r = inspect_buffer(data);
  EXPECT_NE(r.error.find("section table"), std::string::npos) << r.error;
}

TEST(Malformed, CertificateTableSizeBeyondFileIsMalformedNotFatal) {
  auto data = read_fixture("signed-sha256.exe");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  const std::size_t entry = static_cast<std::size_t>(*parsed->security_entry_offset);
  put_u32(data, entry + 4, 0x7ffffff0);
  const FileReport r = inspect_buffer(data);
  EXPECT_TRUE(r.error.empty());
  EXPECT_TRUE(testing::has_finding(r, "signature.malformed"));
}

TEST(Malformed, CertificateEntryLengthLargerThanTable) {
  auto data = read_fixture("signed-sha256.exe");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  const std::uint32_t table =
      get_u32(data, static_cast<std::size_t>(*parsed->security_entry_offset));
  put_u32(data, table, 0xffffffff);  // dwLength
  const FileReport r = inspect_buffer(data);
  EXPECT_TRUE(testing::has_finding(r, "signature.malformed"));
  EXPECT_TRUE(r.signatures.empty());
}

TEST(Malformed, GarbageInsideThePkcs7IsMalformedNotACrash) {
  auto data = read_fixture("signed-sha256.exe");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  const std::uint32_t table =
      get_u32(data, static_cast<std::size_t>(*parsed->security_entry_offset));
  for (std::size_t i = table + 8 + 40; i < table + 8 + 80 && i < data.size(); ++i) data[i] ^= 0x5a;
  const FileReport r = inspect_buffer(data);
  EXPECT_TRUE(r.error.empty());
  const bool flagged = testing::has_finding(r, "signature.malformed") ||
                       testing::has_finding(r, "signature.invalid");
  EXPECT_TRUE(flagged);
}

TEST(Malformed, ImportDirectoryInsideHeadersTerminates) {
  auto data = read_fixture("imports.exe");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  // Point the import directory into the headers: descriptors read as garbage, but the walk must
  // end at a terminator or a cap, not loop or read out of bounds.
  const std::size_t dirs = static_cast<std::size_t>(*parsed->security_entry_offset) - 4 * 8;
  put_u32(data, dirs + 8 * pe::kDirImport, 0x40);
  const FileReport r = inspect_buffer(data);
  EXPECT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.pe.has_value());
  EXPECT_LE(r.pe->imports.size(), 4096u + 2);
}

TEST(Malformed, ExportCountsBeyondCapsAreCapped) {
  auto data = read_fixture("exports.dll");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  const pe::DataDirectory dir = parsed->directories.at(pe::kDirExport);
  // Find the export directory's file offset through the section that holds it.
  std::size_t offset = 0;
  for (const auto& s : parsed->sections) {
    if (dir.rva >= s.virtual_address && dir.rva < s.virtual_address + s.raw_size) {
      offset = s.raw_offset + (dir.rva - s.virtual_address);
    }
  }
  ASSERT_NE(offset, 0u);
  put_u32(data, offset + 20, 0xffffffff);  // NumberOfFunctions
  put_u32(data, offset + 24, 0xffffffff);  // NumberOfNames
  const FileReport r = inspect_buffer(data);
  EXPECT_TRUE(r.error.empty());
  EXPECT_TRUE(testing::has_finding(r, "pe.malformed"));
}

}  // namespace
}  // namespace cascade

namespace cascade {
namespace {

// 4096 delay-load descriptors sharing one 65,535-entry thunk table: ~268M imports if uncapped.
TEST(MalformedBombs, DelayImportFanOutIsCapped) {
  auto data = read_fixture("hello.exe");
  auto parsed = pe::parse_pe(Bytes(data.data(), data.size()));
  ASSERT_TRUE(parsed.ok());
  const pe::Section& last = parsed->sections.back();
  ASSERT_EQ(std::uint64_t{last.raw_offset} + last.raw_size, data.size());
  constexpr std::uint32_t kDlls = 4096, kThunks = 65535;
  const std::uint32_t base_rva = last.virtual_address + last.raw_size;
  const std::uint32_t descriptors = (kDlls + 1) * 32;
  const std::uint32_t name_rva = base_rva + descriptors;
  const std::uint32_t thunk_rva = name_rva + 16;
  std::vector<std::uint8_t> extra;
  auto put = [&](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) extra.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  for (std::uint32_t i = 0; i < kDlls; ++i) {
    for (std::uint32_t v : {1u, name_rva, 0u, 0u, thunk_rva, 0u, 0u, 0u}) put(v, 4);
  }
  extra.resize(extra.size() + 32);
  const char name[16] = "x.dll";
  extra.insert(extra.end(), name, name + 16);
  for (std::uint32_t i = 0; i < kThunks; ++i) put((1ULL << 63) | 7, 8);
  extra.resize((extra.size() + 8 + 511) / 512 * 512);
  data.insert(data.end(), extra.begin(), extra.end());
  // Grow the last section over the new bytes and point the delay-import directory at them.
  const std::size_t header = static_cast<std::size_t>(parsed->pe_header_offset) + 24;
  const std::size_t section_table =
      header + *load_u16le(Bytes(data.data(), data.size()), parsed->pe_header_offset + 20);
  const std::size_t last_header = section_table + 40 * (parsed->sections.size() - 1);
  put_u32(data, last_header + 8, last.raw_size + static_cast<std::uint32_t>(extra.size()));
  put_u32(data, last_header + 16, last.raw_size + static_cast<std::uint32_t>(extra.size()));
  put_u32(data, header + 112 + 13 * 8, base_rva);
  put_u32(data, header + 112 + 13 * 8 + 4, descriptors);

  const FileReport r = inspect_buffer(data);
  ASSERT_TRUE(r.pe.has_value()) << r.error;
  std::size_t total = 0;
  for (const auto& dll : r.pe->imports) total += dll.functions.size();
  EXPECT_LE(total, 0x40000u);
  EXPECT_GT(total, 0u);
  EXPECT_TRUE(testing::has_finding(r, "pe.malformed"));
}

TEST(MalformedBombs, DosProgramIsNotAPeError) {
  std::vector<std::uint8_t> dos(128, 0);
  dos[0] = 'M';
  dos[1] = 'Z';
  dos[0x3c] = 0x40;  // points inside the file, where no PE signature is
  const FileReport r = inspect_buffer(dos);
  EXPECT_EQ(r.format, FileFormat::kUnknown);
  EXPECT_TRUE(r.error.empty());
  std::vector<std::uint8_t> tiny{'M', 'Z', 0, 0};
  const FileReport t = inspect_buffer(tiny);
  EXPECT_EQ(t.format, FileFormat::kPe);
  EXPECT_NE(t.error.find("too short"), std::string::npos) << t.error;
}

}  // namespace
}  // namespace cascade
