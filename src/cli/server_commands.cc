// graph ingest --to and trace --server: what a local store would do, asked of cascade serve.
#include <iostream>
#include <limits>

#include "cli/commands.h"
#include "core/json_access.h"
#include "core/mapped_file.h"
#include "core/strict_json.h"
#include "core/time.h"
#include "report/text_out.h"
#include "report/trace_read.h"
#include "serve/trace_client.h"

namespace cascade::cli {
namespace {

// "stored scan.json (scan): 12 nodes, 30 edges" from the server's answer to one document.
std::string stored_text(const std::string& path, const serve::Reply& reply) {
  auto answer = parse_strict_json(reply.body);
  if (!answer || !answer->is_object()) return "stored " + path + " (the answer was not JSON)";
  const bool stored = json_access::bool_field(*answer, "stored").value_or(reply.status == 201);
  return std::string(stored ? "stored " : "already stored ") + path + " (" +
         json_access::string_or_empty(*answer, "format") +
         "): " + std::to_string(json_access::unsigned_field(*answer, "nodes").value_or(0)) +
         " nodes, " + std::to_string(json_access::unsigned_field(*answer, "edges").value_or(0)) +
         " edges";
}

}  // namespace

// Exit 0 when the server took every document, 1 when it refused any (each said), 2 when a
// document could not be read or the server could not be reached.
int ingest_to_server(const GraphArgs& args) {
  auto client = open_server(args.to);
  if (!client) {
    std::cerr << "cascade: " << client.error().message << '\n';
    return kExitUsage;
  }
  bool any_refused = false;
  bool any_failure = false;
  for (const std::string& path : args.files) {
    auto content = read_whole_file(path, serve::kMaxDocumentBytes);
    if (!content) {
      std::cerr << "cascade: " << content.error().message << '\n';
      any_failure = true;
      continue;
    }
    const auto reply = client->post_document(*content);
    switch (serve::classify(reply)) {
      case serve::Delivery::kStored:
        TextOut(std::cout) << stored_text(path, *reply) << '\n';
        break;
      case serve::Delivery::kRejected:
      case serve::Delivery::kTokenRefused:
        std::cerr << "cascade: " << client->url() << " refused " << path << ": "
                  << (reply ? reply->error_message() : reply.error().message) << '\n';
        any_refused = true;
        break;
      case serve::Delivery::kUnreachable:
        std::cerr << "cascade: " << path
                  << " not delivered: " << (reply ? reply->error_message() : reply.error().message)
                  << '\n';
        any_failure = true;
        break;
    }
  }
  if (any_failure) return kExitUsage;
  return any_refused ? kExitFindings : kExitClean;
}

int trace_on_server(const TraceArgs& args, const graph::NodeRef& seed) {
  const bool root_cause = !args.root_cause.empty();
  auto client = open_server(args.server);
  if (!client) {
    std::cerr << "cascade: " << client.error().message << '\n';
    return kExitUsage;
  }
  serve::TraceQuery query;
  (root_cause ? query.root_cause : query.compromised) = graph::format_node(seed);
  query.since = args.since;
  auto answer = serve::fetch_trace(*client, query);
  if (!answer) {
    std::cerr << "cascade: " << answer.error().message << '\n';
    return kExitUsage;
  }
  auto result = report::trace_from_json(*answer);
  if (!result) {
    std::cerr << "cascade: the answer of " << client->url() << ": " << result.error().message
              << '\n';
    return kExitUsage;
  }
  return print_trace(args, *result);
}

}  // namespace cascade::cli
