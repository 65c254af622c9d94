// Group commit of webhook acknowledgements: the events that arrive while one batch commits share the next commit.
#pragma once

#include "store/database.hpp"
#include "store/inbox.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

namespace doppel::store {

// Writes one batch in one transaction and returns, per event in order, whether it was new; throws when the batch
// was not committed (or when it cannot tell: the events are then retried, which their dedupe makes harmless).
using inbox_flush_fn = std::function<std::vector<bool>(const std::vector<const inbound_event*>&)>;

struct inbox_batcher_options {
  std::size_t max_events = 64;                  // per batch
  std::size_t max_payload_bytes = 8u << 20;     // per batch (a batch always takes at least one event)
  std::size_t max_in_flight = 4;                // batches committing at once (of 8 request threads by default)
};

// Leader/follower group commit without a timer: a caller finding fewer than max_in_flight batches committing commits
// what is queued (its own event and any others) at once; callers arriving while every commit slot is busy queue up,
// and the first of them to find a free slot commits them all. An idle server commits each event alone, a busy one as
// many as arrived during the last commits. accept() returns only after the commit of its event, so nothing
// acknowledged can be lost. When a batch of several fails, each of its events is tried alone, so one bad event fails
// only its own request. Thread-safe.
class inbox_batcher {
 public:
  explicit inbox_batcher(inbox_flush_fn flush, inbox_batcher_options options = {});

  // Blocks until the event is committed; true when it was new (false: a redelivery). Rethrows the commit's failure
  // (the request answers 5xx and Jira delivers again).
  bool accept(const inbound_event& ev);

  std::uint64_t batches() const { return batches_.load(); }  // commits made (each alone-retry counts)
  std::uint64_t events() const { return events_.load(); }
  std::size_t waiting() const;  // events queued for the next batch (not yet being committed)

 private:
  struct waiter {
    const inbound_event* ev;
    bool done = false;
    bool fresh = false;
    std::exception_ptr failure;
    std::condition_variable wake;  // only this caller is woken: its batch committed, or it may lead the next one
  };
  std::vector<waiter*> take_batch();  // mutex_ held
  void commit(const std::vector<waiter*>& batch);

  inbox_flush_fn flush_;
  inbox_batcher_options options_;
  mutable std::mutex mutex_;
  std::vector<waiter*> queue_;
  std::size_t in_flight_ = 0;
  std::atomic<std::uint64_t> batches_{0}, events_{0};
};

// The production flush: accept_events in one autocommit statement on a pooled connection (one synchronous commit),
// then wakes the workers when a job was queued.
inbox_flush_fn inbox_flush(database& db);

}  // namespace doppel::store
