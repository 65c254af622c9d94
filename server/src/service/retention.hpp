// Data retention of the intake: processed inbox rows (full issue text) are deleted once DOPPEL_INBOX_RETENTION_HOURS
// have passed (docs/operations.md); run periodically by the workers' janitor (store::worker_pool::add_periodic).
#pragma once

#include "service/context.hpp"

#include <chrono>
#include <cstdint>

namespace doppel::service {

struct inbox_sweep {
  std::int64_t batch = 1000;  // rows per transaction
  int max_batches = 100;      // per sweep: a backlog is worked off over several sweeps, never in one long run
};

// Deletes inbox rows processed more than `retention` ago, in transactions of at most sweep.batch rows, until none
// is left or sweep.max_batches ran. Unprocessed rows (their job has not completed) are never deleted.
// Returns the rows deleted.
std::int64_t prune_inbox(context& ctx, std::chrono::seconds retention, inbox_sweep sweep = {});

}  // namespace doppel::service
