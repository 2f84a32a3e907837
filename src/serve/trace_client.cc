#include "serve/trace_client.h"

#include "core/strict_json.h"

namespace cascade::serve {
namespace {

// Far beyond the pages of any answer: a server that keeps handing out cursors is not trusted to
// end on its own.
constexpr std::size_t kMaxPages = 1000000;

struct Page {
  nlohmann::json answer;  // cascade.trace/1 with one page of affected nodes
  std::string next_cursor;
};

Result<Page> page_of(Client& client, const std::string& path) {
  auto reply = client.get(path);
  if (!reply) return reply.error();
  if (reply->status != 200) {
    return make_error(ErrorCode::kUsage, client.url() + " answered " + reply->error_message());
  }
  auto page = parse_strict_json(reply->body);
  if (!page) {
    return make_error(ErrorCode::kMalformed,
                      "the trace page from " + client.url() + ": " + page.error().message);
  }
  if (!page->is_object() || !page->contains("affected") || !(*page)["affected"].is_array()) {
    return make_error(ErrorCode::kMalformed,
                      "the trace page from " + client.url() + " is not a cascade.trace/1 page");
  }
  return Page{std::move(page).value(), reply->next_cursor};
}

// Everything but the page of affected nodes (and the cursor) is the same on every page.
bool same_answer(const nlohmann::json& first, const nlohmann::json& page) {
  if (first.size() != page.size()) return false;
  for (const auto& [key, value] : page.items()) {
    if (key == "affected") continue;
    const auto other = first.find(key);
    if (other == first.end() || *other != value) return false;
  }
  return true;
}

std::size_t summary_total(const nlohmann::json& answer) {
  std::size_t total = 0;
  const auto summary = answer.find("summary");
  if (summary == answer.end() || !summary->is_object()) return 0;
  for (const auto& [kind, count] : summary->items()) {
    if (count.is_number_unsigned()) total += count.get<std::size_t>();
  }
  return total;
}

}  // namespace

Result<nlohmann::json> fetch_trace(Client& client, const TraceQuery& query) {
  const bool forward = !query.compromised.empty();
  if (forward == !query.root_cause.empty()) {
    return make_error(ErrorCode::kUsage, "a trace needs one of compromised or root cause");
  }
  std::string path = "/api/v1/trace?";
  path += forward ? "compromised=" + url_encode(query.compromised)
                  : "root-cause=" + url_encode(query.root_cause);
  if (!query.since.empty()) path += "&since=" + url_encode(query.since);
  const std::string limit = "limit=" + std::to_string(query.page);
  auto first = page_of(client, path + "&" + limit);
  if (!first) return first.error();
  nlohmann::json merged = std::move(first->answer);
  std::string cursor = std::move(first->next_cursor);
  for (std::size_t pages = 1; !cursor.empty(); ++pages) {
    if (pages >= kMaxPages) {
      return make_error(ErrorCode::kLimit, client.url() + " kept answering with more pages");
    }
    auto page = page_of(client, "/api/v1/trace?cursor=" + url_encode(cursor) + "&" + limit);
    if (!page) return page.error();
    if (!same_answer(merged, page->answer) || page->answer["affected"].empty()) {
      return make_error(ErrorCode::kMalformed,
                        "the trace pages from " + client.url() + " do not fit together");
    }
    for (auto& node : page->answer["affected"]) merged["affected"].push_back(std::move(node));
    cursor = std::move(page->next_cursor);
  }
  if (merged["affected"].size() != summary_total(merged)) {
    return make_error(ErrorCode::kMalformed, "the trace pages from " + client.url() +
                                                 " do not add up to the answer's summary");
  }
  return merged;
}

}  // namespace cascade::serve
