// Inbox retention: bounded batches of processed rows older than the window, each in its own transaction.
#include "service/retention.hpp"

#include "store/inbox.hpp"
#include "util/log.hpp"

namespace doppel::service {

std::int64_t prune_inbox(context& ctx, std::chrono::seconds retention, inbox_sweep sweep) {
  std::int64_t total = 0;
  for (int b = 0; b < sweep.max_batches; ++b) {
    auto n = ctx.db.write([&](store::write_tx& tx) { return store::delete_processed(tx, retention, sweep.batch); });
    total += n;
    if (n < sweep.batch) break;
  }
  if (total > 0) log::info("inbox retention", {{"deleted", total}, {"retention_hours", std::int64_t(retention.count() / 3600)}});
  return total;
}

}  // namespace doppel::service
