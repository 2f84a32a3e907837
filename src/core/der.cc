#include "core/der.h"

namespace cascade::der {

std::optional<Element> read(ByteReader& r) {
  ByteReader probe = r;
  const Bytes start = probe.rest();
  auto tag = probe.u8();
  auto first = probe.u8();
  if (!tag || !first || (*tag & 0x1f) == 0x1f) return std::nullopt;  // no high-tag-number form
  std::uint64_t length = *first;
  if (*first & 0x80) {
    const int octets = *first & 0x7f;
    if (octets == 0 || octets > 4) return std::nullopt;  // indefinite, or absurdly long
    length = 0;
    for (int i = 0; i < octets; ++i) {
      auto b = probe.u8();
      if (!b) return std::nullopt;
      length = (length << 8) | *b;
    }
  }
  const std::size_t header = start.size() - probe.remaining();
  auto contents = probe.take(length);
  if (!contents) return std::nullopt;
  r = probe;
  return Element{*tag, *contents, start.first(header + contents->size())};
}

std::optional<Element> expect(ByteReader& r, std::uint8_t tag) {
  ByteReader probe = r;
  auto element = read(probe);
  if (!element || element->tag != tag) return std::nullopt;
  r = probe;
  return element;
}

}  // namespace cascade::der
