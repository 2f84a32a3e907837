#include "serve/trace_pages.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/digest.h"
#include "report/trace_report.h"

namespace cascade::serve {
namespace {

// Long enough for an analyst to walk a large answer page by page; few enough kept answers that
// memory stays bounded (the oldest is dropped first).
constexpr auto kKeptFor = std::chrono::minutes(10);
constexpr std::size_t kMaxKept = 16;
// And few enough nodes in all: a node of an answer takes about a kilobyte (key, names, path), and
// one answer on a large inventory can hold millions. An answer larger than this alone is kept.
constexpr std::size_t kMaxKeptNodes = 4000000;
constexpr std::size_t kIdBytes = 16;

std::string random_id() {
  std::array<unsigned char, kIdBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return {};
  return to_hex(Bytes(random.data(), random.size()));
}

}  // namespace

void TracePages::forget_expired(std::chrono::steady_clock::time_point now) {
  std::erase_if(kept_, [&](const auto& entry) { return entry.second.expires <= now; });
}

void TracePages::make_room(std::size_t nodes) {
  const auto kept_nodes = [&] {
    std::size_t sum = 0;
    for (const auto& entry : kept_) sum += entry.second.answer->result.affected.size();
    return sum;
  };
  while (kept_.size() >= kMaxKept || (!kept_.empty() && kept_nodes() + nodes > kMaxKeptNodes)) {
    auto oldest = std::min_element(kept_.begin(), kept_.end(), [](const auto& a, const auto& b) {
      return a.second.expires < b.second.expires;
    });
    kept_.erase(oldest);
  }
}

TracePage TracePages::page(const std::string& id, const Answer& answer, std::size_t offset,
                           std::size_t limit) {
  const std::vector<graph::AffectedNode>& affected = answer.result.affected;
  const std::size_t total = affected.size();
  const std::size_t begin = std::min(offset, total);
  const std::size_t end = begin + std::min(limit, total - begin);
  TracePage out;
  out.total = total;
  // Keys are serialised in order and "affected" sorts first, so this is the document with the
  // page's entries in `affected`, byte for byte.
  out.body = R"({"affected":[)";
  for (std::size_t i = begin; i < end; ++i) {
    if (i != begin) out.body += ',';
    out.body += report::trace_affected_json(affected[i])
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.body += "],";
  out.body += answer.head;
  if (end < total && !id.empty()) out.next_cursor = id + "." + std::to_string(end);
  return out;
}

TracePage TracePages::first(graph::TraceResult answer, std::size_t limit) {
  const auto now = std::chrono::steady_clock::now();
  std::string head = report::trace_head_json(answer).dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
  head.erase(0, 1);
  auto kept = std::make_shared<const Answer>(Answer{std::move(answer), std::move(head)});
  std::string id;
  if (kept->result.affected.size() > limit) {
    id = random_id();
    const std::lock_guard lock(mutex_);
    forget_expired(now);
    make_room(kept->result.affected.size());
    if (!id.empty()) kept_[id] = Kept{kept, now + kKeptFor};
  }
  return page(id, *kept, 0, limit);
}

Result<TracePage> TracePages::next(std::string_view cursor, std::size_t limit) {
  const std::size_t dot = cursor.find('.');
  const auto bad = make_error(ErrorCode::kUsage,
                              "cursor is malformed, unknown or expired: start the trace again");
  if (dot != kIdBytes * 2) return bad;
  const std::string_view id = cursor.substr(0, dot);
  const std::string_view offset_text = cursor.substr(dot + 1);
  std::size_t offset = 0;
  const auto parsed =
      std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset);
  if (offset_text.empty() || parsed.ec != std::errc{} ||
      parsed.ptr != offset_text.data() + offset_text.size()) {
    return bad;
  }
  std::shared_ptr<const Answer> answer;
  {
    const std::lock_guard lock(mutex_);
    forget_expired(std::chrono::steady_clock::now());
    auto found = kept_.find(id);
    if (found == kept_.end()) return bad;
    answer = found->second.answer;
  }
  return page(std::string(id), *answer, offset, limit);
}

}  // namespace cascade::serve
