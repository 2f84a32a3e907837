// What a cascade serve client reads from the network or the command line, as attacker input: a
// server's cascade.trace/1 answer (a server may be hostile or impersonated) and a server URL.
// Either reads or is refused; a trace that reads is written back and reads again the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/strict_json.h"
#include "report/trace_read.h"
#include "report/trace_report.h"
#include "serve/client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = cascade::serve::parse_server_url(text)) {
    // A URL that parses names itself the same way again.
    if (!cascade::serve::parse_server_url(cascade::serve::format_server_url(*url))) std::abort();
  }
  auto document = cascade::parse_strict_json(text);
  if (!document) return 0;
  auto trace = cascade::report::trace_from_json(*document);
  if (!trace) return 0;
  const auto written = cascade::report::trace_json(*trace);
  auto again = cascade::report::trace_from_json(written);
  if (!again || cascade::report::trace_json(*again) != written) std::abort();
  return 0;
}
