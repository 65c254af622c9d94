// Group commit of webhook acknowledgements: the events that arrive while one batch commits share the next commit.
#pragma once

#include "store/database.hpp"
#include "store/inbox.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
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

// Told once the event's batch committed: fresh = it was new (false: a redelivery), or the commit's failure (the request
// answers 5xx and Jira delivers again).
using inbox_accepted_fn = std::function<void(bool fresh, std::exception_ptr failure)>;

// Group commit without a timer and without parked callers: a caller finding fewer than max_in_flight batches
// committing commits what is queued (its own event and any others) at once, then keeps committing what queued up
// meanwhile until the queue is empty; a caller arriving while every commit slot is busy only queues its event and
// returns, and a committing caller takes it with the next batch. An idle server commits each event alone, a busy one
// as many as arrived during the last commit, and no thread waits per event. Each event's callback runs (on the
// committing thread) only after the commit of its event, so nothing acknowledged can be lost. When a batch of several
// fails, each of its events is tried alone, so one bad event fails only its own request. Thread-safe.
class inbox_batcher {
 public:
  explicit inbox_batcher(inbox_flush_fn flush, inbox_batcher_options options = {});

  // Queues the event (which must stay alive until `done` is called) and returns; `done` is called exactly once, on
  // this thread when it commits the event's batch itself, else on the thread that does.
  void accept_async(const inbound_event& ev, inbox_accepted_fn done);
  // accept_async, blocking until the event is committed; true when it was new. Rethrows the commit's failure.
  bool accept(const inbound_event& ev);

  std::uint64_t batches() const { return batches_.load(); }  // commits made (each alone-retry counts)
  std::uint64_t events() const { return events_.load(); }
  std::size_t waiting() const;  // events queued for the next batch (not yet being committed)

 private:
  struct waiter {
    const inbound_event* ev;
    inbox_accepted_fn done;
    bool fresh = false;
    std::exception_ptr failure;
  };
  std::vector<waiter> take_batch();  // mutex_ held
  void commit(std::vector<waiter>& batch);

  inbox_flush_fn flush_;
  inbox_batcher_options options_;
  mutable std::mutex mutex_;
  std::deque<waiter> queue_;
  std::size_t in_flight_ = 0;
  std::atomic<std::uint64_t> batches_{0}, events_{0};
};

// The production flush: accept_events in one autocommit statement on a pooled connection (one synchronous commit),
// then wakes the workers when a job was queued.
inbox_flush_fn inbox_flush(database& db);

}  // namespace doppel::store
