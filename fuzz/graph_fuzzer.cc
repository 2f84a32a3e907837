// graph ingest's document readers as attacker input: the bytes as any document read_document
// accepts (format detected by content), then the de-duplication every stored document goes
// through.
#include <cstddef>
#include <cstdint>

#include "graph/facts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto document = cascade::graph::read_document(cascade::Bytes(data, size), "fuzz");
  if (!document) return 0;
  document->deduplicate();
  // Every fact names a node the model accepts, by its canonical key (a purl normalised, a digest
  // lower-cased), and joins the kinds its fact joins: a reader that skipped make_node would show
  // here.
  const auto canonical = [](const cascade::graph::NodeRef& node) {
    auto again = cascade::graph::make_node(node.kind, node.key);
    return again && again->key == node.key;
  };
  for (const auto& edge : document->edges) {
    if (!canonical(edge.src) || !canonical(edge.dst) ||
        !cascade::graph::edge_joins(edge.kind, edge.src.kind, edge.dst.kind)) {
      __builtin_trap();
    }
  }
  return 0;
}
