#include "serve/report_sender.h"

namespace cascade::serve {
namespace {

std::string why(const Result<Reply>& reply) {
  return reply ? reply->error_message() : reply.error().message;
}

// "cannot reach URL: Connection" says it whole; an answer needs the URL beside its status.
std::string unreachable_text(const Client& client, const std::string& reason) {
  return reason.starts_with("HTTP ") ? "cannot deliver to " + client.url() + " (" + reason + ")"
                                     : reason;
}

// Works through the waiting reports; stops at the first sign that nothing more can be sent now.
// Returns how that attempt went (kStored when every waiting report was dealt with) and why.
Delivery send_waiting(Client& client, Spool& spool, SendOutcome& outcome, std::string& reason) {
  auto names = spool.waiting();
  if (!names) {
    outcome.warnings.push_back("warning: " + names.error().message);
    return Delivery::kStored;
  }
  for (const std::string& name : *names) {
    auto content = spool.read(name, kMaxDocumentBytes);
    if (!content && content.error().code != ErrorCode::kLimit) {
      outcome.warnings.push_back("warning: " + content.error().message);
      continue;
    }
    // One too large to send is refused like a 413, without sending it.
    Result<Reply> reply = content ? client.post_document(*content) : Result<Reply>(content.error());
    const Delivery delivery = classify(reply);
    if (delivery == Delivery::kStored) {
      if (auto removed = spool.remove(name); !removed) {
        outcome.warnings.push_back("warning: " + removed.error().message);
      }
      ++outcome.spooled_sent;
    } else if (delivery == Delivery::kRejected) {
      auto moved = spool.reject(name);
      outcome.warnings.push_back(
          "warning: " + client.url() + " refused the spooled report " + name + " (" + why(reply) +
          "): " + (moved ? "moved to " + *moved : moved.error().message) + ", not sent again");
    } else {
      reason = why(reply);
      return delivery;
    }
  }
  return Delivery::kStored;
}

std::size_t count_waiting(const Spool& spool) {
  auto names = spool.waiting();
  return names ? names->size() : 0;
}

}  // namespace

Result<SendOutcome> send_through_spool(Client& client, Spool& spool, std::string_view report) {
  auto lock = SpoolLock::take(spool);
  if (!lock) return lock.error();
  SendOutcome outcome;
  std::string reason;
  const Delivery waiting = send_waiting(client, spool, outcome, reason);
  // When the spool could not be emptied, the new report would meet the same answer: it waits
  // behind the older ones, so that they still go first.
  if (waiting == Delivery::kStored) {
    const Result<Reply> reply = client.post_document(report);
    outcome.delivery = classify(reply);
    reason = why(reply);
  } else {
    outcome.delivery = waiting;
  }
  switch (outcome.delivery) {
    case Delivery::kStored:
      break;
    case Delivery::kRejected: {
      auto kept = spool.keep_rejected(report);
      if (!kept) return kept.error();
      outcome.kept_at = *kept;
      outcome.warnings.push_back("warning: " + client.url() + " refused the report (" + reason +
                                 "): kept in " + *kept + ", not sent again");
      break;
    }
    case Delivery::kUnreachable:
    case Delivery::kTokenRefused: {
      auto kept = spool.keep(report);
      if (!kept) return kept.error();
      outcome.kept_at = *kept;
      const std::string what = outcome.delivery == Delivery::kTokenRefused
                                   ? "the server refused the token (" + reason + ")"
                                   : unreachable_text(client, reason);
      outcome.warnings.push_back("warning: " + what + ": the report is spooled in " + *kept +
                                 " and is sent by the next --report-to");
      break;
    }
  }
  outcome.still_waiting = count_waiting(spool);
  return outcome;
}

}  // namespace cascade::serve
