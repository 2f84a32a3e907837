#include <algorithm>
#include <bit>
#include <cstring>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

std::uint32_t LabelPool::intern(std::string_view label) {
  if (label.empty()) return 0;
  if (auto it = ids_.find(label); it != ids_.end()) return it->second;
  labels_.emplace_back(label);
  const auto id = static_cast<std::uint32_t>(labels_.size());
  ids_.emplace(labels_.back(), id);
  return id;
}

std::string_view LabelPool::get(std::uint32_t id) const {
  if (id == 0 || id > labels_.size()) return {};
  return labels_[id - 1];
}

std::uint8_t* DigestTable::append(std::uint32_t label) {
  const std::size_t n = appended();
  if (!keys_.resize(keys_.size() + width_)) return nullptr;
  if (label != 0 && !labelled_) {
    labels_.assign(n, 0);
    labelled_ = true;
  }
  if (labelled_) labels_.push_back(label);
  return keys_.data() + n * width_;
}

void DigestTable::drop_last() {
  (void)keys_.resize(keys_.size() - width_);  // shrinking cannot fail
  if (labelled_) labels_.pop_back();
}

std::uint64_t DigestTable::hash(const std::uint8_t* digest) const {
  // Real digests are uniformly random, but test and hand-made feeds are not ("000...01"), so
  // every byte takes part, folded and mixed (the murmur3 finaliser) rather than the first word.
  std::uint64_t h = 0;
  std::size_t i = 0;
  for (; i + 8 <= width_; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, digest + i, 8);
    h = std::rotl(h, 23) ^ w;
  }
  if (i < width_) {
    std::uint64_t w = 0;
    std::memcpy(&w, digest + i, width_ - i);
    h = std::rotl(h, 23) ^ w;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

bool DigestTable::finish() {
  const std::size_t n = appended();
  labels_.shrink_to_fit();
  std::size_t capacity = 16;
  while (capacity < n + n / 3 + 1) capacity *= 2;
  slots_ = LargeBuffer();  // a fresh buffer reads as zeros: every slot empty
  if (!slots_.resize(capacity * sizeof(std::uint64_t))) return false;
  auto* slots = reinterpret_cast<std::uint64_t*>(slots_.data());
  mask_ = capacity - 1;
  unique_ = 0;
  // Inserting is one cache miss per key into a table far larger than the cache; hashing a few
  // keys ahead and prefetching their slots overlaps those misses.
  constexpr std::size_t kAhead = 16;
  std::uint64_t ahead[kAhead];
  for (std::size_t i = 0; i < n && i < kAhead; ++i) ahead[i] = hash(key(i));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t h = ahead[i % kAhead];
    if (i + kAhead < n) {
      const std::uint64_t next = hash(key(i + kAhead));
      ahead[i % kAhead] = next;
      __builtin_prefetch(slots + (next & mask_), 1);
    }
    const std::uint64_t tag = h & 0xffffffff00000000ULL;
    std::size_t s = h & mask_;
    bool duplicate = false;
    for (; slots[s] != 0; s = (s + 1) & mask_) {
      if ((slots[s] & 0xffffffff00000000ULL) == tag &&
          std::memcmp(key((slots[s] & 0xffffffffULL) - 1), key(i), width_) == 0) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) continue;
    slots[s] = tag | (i + 1);
    ++unique_;
  }
  return true;
}

std::optional<std::uint32_t> DigestTable::find(const std::uint8_t* digest) const {
  if (slots_.size() == 0) return std::nullopt;
  const auto* slots = reinterpret_cast<const std::uint64_t*>(slots_.data());
  const std::uint64_t h = hash(digest);
  const std::uint64_t tag = h & 0xffffffff00000000ULL;
  for (std::size_t s = h & mask_; slots[s] != 0; s = (s + 1) & mask_) {
    if ((slots[s] & 0xffffffff00000000ULL) != tag) continue;
    const std::size_t i = (slots[s] & 0xffffffffULL) - 1;
    if (std::memcmp(key(i), digest, width_) == 0) return labelled_ ? labels_[i] : 0;
  }
  return std::nullopt;
}

std::uint64_t Feed::indicators() const {
  std::uint64_t n =
      md5.size() + sha1.size() + sha256.size() + cert_sha1.size() + cert_sha256.size();
  for (const auto& [serial, entries] : serials) n += entries.size();
  return n + advisories.size();
}

DigestTable& Feed::table(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return md5;
    case HashKind::kSha1:
      return sha1;
    case HashKind::kSha256:
      break;
  }
  return sha256;
}

const DigestTable& Feed::table(HashKind kind) const {
  return const_cast<Feed*>(this)->table(kind);
}

bool Feed::finish() {
  bool ok = true;
  for (DigestTable* t : {&md5, &sha1, &sha256, &cert_sha1, &cert_sha256}) ok = t->finish() && ok;
  return ok;
}

}  // namespace cascade::scan::ioc
