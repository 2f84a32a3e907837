// rebuild-compare on a signed image and its unsigned build, with images made here: the zero
// padding a signing tool adds before the 8-aligned certificate table is cut, the unsigned image's
// own trailing zeros are kept, and bytes added, hidden in the padding or changed still differ.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rebuild/compare.h"
#include "rebuild/layout.h"

namespace cascade::rebuild {
namespace {

using Buffer = std::vector<std::uint8_t>;

constexpr std::size_t kOptionalHeader = 0x58;  // e_lfanew 0x40 + "PE\0\0" + COFF header
constexpr std::size_t kSecurityDirectory = kOptionalHeader + 112 + 8 * 4;
constexpr std::size_t kChecksum = kOptionalHeader + 64;

void put16(Buffer& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(Buffer& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v));
  put16(b, at + 2, static_cast<std::uint16_t>(v >> 16));
}

// A PE32+ image: headers, one .text section at 0x200 (0x200 bytes), then `tail` after the
// section (where a COFF string table or other overlay of a real image sits, as in shim).
Buffer unsigned_image(const std::string& tail) {
  Buffer b(0x400, 0);
  b[0] = 'M';
  b[1] = 'Z';
  put32(b, 0x3c, 0x40);
  put32(b, 0x40, 0x00004550);              // "PE\0\0"
  put16(b, 0x44, 0x8664);                  // Machine: x86-64
  put16(b, 0x46, 1);                       // NumberOfSections
  put32(b, 0x48, 0x5f000000);              // TimeDateStamp
  put16(b, 0x54, 240);                     // SizeOfOptionalHeader
  put16(b, 0x56, 0x22);                    // Characteristics
  put16(b, kOptionalHeader, 0x20b);        // PE32+
  put32(b, kOptionalHeader + 16, 0x1000);  // AddressOfEntryPoint
  put32(b, kOptionalHeader + 32, 0x1000);  // SectionAlignment
  put32(b, kOptionalHeader + 36, 0x200);   // FileAlignment
  put32(b, kOptionalHeader + 56, 0x2000);  // SizeOfImage
  put32(b, kOptionalHeader + 60, 0x200);   // SizeOfHeaders
  put16(b, kOptionalHeader + 68, 10);      // Subsystem: EFI application
  put32(b, kOptionalHeader + 108, 16);     // NumberOfRvaAndSizes
  const std::size_t section = kOptionalHeader + 240;
  const std::string name = ".text";
  std::copy(name.begin(), name.end(), b.begin() + static_cast<std::ptrdiff_t>(section));
  put32(b, section + 8, 0x200);        // VirtualSize
  put32(b, section + 12, 0x1000);      // VirtualAddress
  put32(b, section + 16, 0x200);       // SizeOfRawData
  put32(b, section + 20, 0x200);       // PointerToRawData
  put32(b, section + 36, 0x60000020);  // code, execute, read
  for (std::size_t i = 0x200; i < 0x400; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

// What a signing tool does: pad with zeros to 8 bytes, append one WIN_CERTIFICATE, point the
// security directory at it and rewrite the checksum.
Buffer sign(Buffer image, std::uint8_t filler = 0x30) {
  while (image.size() % 8 != 0) image.push_back(0);
  const std::size_t begin = image.size();
  const std::uint32_t length = 8 + 40;
  Buffer entry(length, filler);
  put32(entry, 0, length);
  put16(entry, 4, 0x0200);  // WIN_CERT_REVISION_2_0
  put16(entry, 6, 0x0002);  // WIN_CERT_TYPE_PKCS_SIGNED_DATA
  image.insert(image.end(), entry.begin(), entry.end());
  put32(image, kSecurityDirectory, static_cast<std::uint32_t>(begin));
  put32(image, kSecurityDirectory + 4, length);
  put32(image, kChecksum, 0x12345);
  return image;
}

Comparison compare(const Buffer& a, const Buffer& b) {
  auto result = compare_builds(a, b, {});
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::move(result).value() : Comparison{};
}

const Normalised* certificate_table(const std::vector<Normalised>& list) {
  for (const auto& n : list) {
    if (n.what == "pe.certificate-table") return &n;
  }
  return nullptr;
}

// Trailing zeros of the image, then the signing padding: 0x405 bytes, padded to 0x408.
const std::string kZerosThenPadding("ab\0\0\0", 5);
// An image already 8-aligned that ends in zeros: nothing to pad (shim's fbx64.efi).
const std::string kAlignedZeros("abcde\0\0\0", 8);

TEST(RebuildSigning, SignedLayoutCountsPossiblePadding) {
  const Buffer image = unsigned_image(kZerosThenPadding);
  const Buffer signed_image = sign(image);
  auto layout = analyse(signed_image, {});
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_EQ(layout->compared_size, 0x408U);
  EXPECT_EQ(layout->signing_padding, 6U);  // three of padding, three of the image
  auto plain = analyse(image, {});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->compared_size, image.size());
  EXPECT_EQ(plain->signing_padding, 0U);
}

TEST(RebuildSigning, TrailingZerosOfTheImageAreKept) {
  for (const auto& tail : {kZerosThenPadding, kAlignedZeros, std::string("abc"), std::string()}) {
    const Buffer image = unsigned_image(tail);
    const Buffer signed_image = sign(image);
    const Comparison c = compare(signed_image, image);
    EXPECT_TRUE(c.identical) << tail.size() << ": " << c.reason;
    EXPECT_EQ(c.compared_a, image.size()) << tail.size();
    EXPECT_EQ(c.compared_b, image.size()) << tail.size();
    const Normalised* table = certificate_table(c.normalised_a);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->offset, image.size()) << "the cut table covers exactly the padding";
    EXPECT_EQ(table->offset + table->size, signed_image.size());
    EXPECT_TRUE(compare(image, signed_image).identical) << tail.size();
  }
}

TEST(RebuildSigning, TwoSignaturesOfOneImageAreIdentical) {
  const Buffer image = unsigned_image(kZerosThenPadding);
  const Comparison c = compare(sign(image, 0x30), sign(image, 0x77));
  EXPECT_TRUE(c.identical) << c.reason;
  EXPECT_EQ(c.compared_a, 0x408U);
}

TEST(RebuildSigning, ByteHiddenInThePaddingDiffers) {
  const Buffer image = unsigned_image(kZerosThenPadding);  // padding at 0x405..0x407
  Buffer signed_image = sign(image);
  signed_image[0x406] = 0x41;
  const Comparison c = compare(signed_image, image);
  EXPECT_FALSE(c.identical);
  EXPECT_NE(c.reason.find("sizes differ"), std::string::npos) << c.reason;
  EXPECT_FALSE(compare(image, signed_image).identical);
}

TEST(RebuildSigning, BytesAddedOrChangedDiffer) {
  const Buffer image = unsigned_image(kZerosThenPadding);
  const Buffer signed_image = sign(image);
  // The rebuild has a byte the signed image lacks, inside the padding's reach but not zero.
  Buffer longer = image;
  longer.push_back('x');
  EXPECT_FALSE(compare(signed_image, longer).identical);
  // More zeros than any padding: eight bytes past the table's offset.
  Buffer padded = unsigned_image(kAlignedZeros);
  const Buffer aligned_signed = sign(padded);
  padded.insert(padded.end(), 8, 0);
  EXPECT_FALSE(compare(aligned_signed, padded).identical);
  // The rebuild lacks the image's last non-zero byte.
  EXPECT_FALSE(compare(sign(unsigned_image("abc")), unsigned_image("ab")).identical);
  // A changed trailing byte, and a changed byte in the section.
  Buffer changed = image;
  changed[0x401] = 'c';
  const Comparison tail_change = compare(signed_image, changed);
  EXPECT_FALSE(tail_change.identical);
  EXPECT_EQ(tail_change.differing_bytes, 1U);
  changed = image;
  changed[0x300] ^= 0xff;
  const Comparison code_change = compare(signed_image, changed);
  EXPECT_FALSE(code_change.identical);
  ASSERT_EQ(code_change.regions.size(), 1U);
  EXPECT_EQ(code_change.regions[0].section, ".text");
}

TEST(RebuildSigning, UnalignedTableHasNoPadding) {
  // A table that does not start on 8 bytes was not padded to: the zeros before it are the
  // image's, and a rebuild without them differs.
  Buffer image = unsigned_image(kZerosThenPadding);
  Buffer signed_image = image;
  const std::size_t begin = signed_image.size();  // 0x405
  Buffer entry(48, 0x30);
  put32(entry, 0, 48);
  signed_image.insert(signed_image.end(), entry.begin(), entry.end());
  put32(signed_image, kSecurityDirectory, static_cast<std::uint32_t>(begin));
  put32(signed_image, kSecurityDirectory + 4, 48);
  auto layout = analyse(signed_image, {});
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->compared_size, begin);
  EXPECT_EQ(layout->signing_padding, 0U);
  EXPECT_TRUE(compare(signed_image, image).identical);
  image.pop_back();
  EXPECT_FALSE(compare(signed_image, image).identical);
}

}  // namespace
}  // namespace cascade::rebuild
