// Sending a report to cascade serve through the spool (docs/serve.md, "Clients"): what waits in
// the spool goes first, oldest first, each deleted only after the server's 2xx; then the new
// report, which is spooled when the server cannot take it now. A report the server refuses for
// good is moved to rejected/; a refused token leaves everything spooled. Nothing is lost, and a
// report is sent again only when its 2xx never arrived, which the server's idempotence absorbs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "serve/client.h"
#include "serve/spool.h"

namespace cascade::serve {

struct SendOutcome {
  Delivery delivery = Delivery::kUnreachable;  // of the new report
  std::string kept_at;                         // where it was kept, unless stored
  std::size_t spooled_sent = 0;                // waiting reports the server took
  std::size_t still_waiting = 0;               // reports left in the spool
  // What the user must hear (one line each, for standard error): reports spooled, rejected or
  // kept because the token was refused.
  std::vector<std::string> warnings;
};

// An error only when the new report could be neither sent nor kept.
Result<SendOutcome> send_through_spool(Client& client, Spool& spool, std::string_view report);

}  // namespace cascade::serve
