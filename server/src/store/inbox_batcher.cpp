// Group commit: queue, committing callers under one mutex, one flush per batch, alone-retry of a failed batch.
#include "store/inbox_batcher.hpp"

#include <algorithm>
#include <condition_variable>
#include <iterator>

namespace doppel::store {

inbox_batcher::inbox_batcher(inbox_flush_fn flush, inbox_batcher_options options)
    : flush_(std::move(flush)), options_(options) {
  if (options_.max_events == 0) options_.max_events = 1;
  if (options_.max_in_flight == 0) options_.max_in_flight = 1;
}

void inbox_batcher::accept_async(const inbound_event& ev, inbox_accepted_fn done) {
  std::unique_lock lock(mutex_);
  queue_.push_back({&ev, std::move(done)});
  if (in_flight_ >= options_.max_in_flight) return;  // a committing caller takes it with its next batch
  ++in_flight_;
  // Lead: commit what is queued, answer it, and go on while more queued up during the commit (no hand-off to another
  // thread: on a busy machine each wake-up costs milliseconds).
  while (!queue_.empty()) {
    auto batch = take_batch();
    lock.unlock();
    commit(batch);
    for (auto& w : batch) {
      try {
        w.done(w.fresh, w.failure);
      } catch (...) {
        // A callback must not throw; one that does must not stop the others' answers or this loop.
      }
    }
    lock.lock();
  }
  --in_flight_;
}

bool inbox_batcher::accept(const inbound_event& ev) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false, fresh = false;
  std::exception_ptr failure;
  accept_async(ev, [&](bool f, std::exception_ptr e) {
    std::lock_guard l(m);
    fresh = f;
    failure = std::move(e);
    done = true;
    cv.notify_one();
  });
  std::unique_lock l(m);
  cv.wait(l, [&] { return done; });
  if (failure) std::rethrow_exception(failure);
  return fresh;
}

std::size_t inbox_batcher::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::vector<inbox_batcher::waiter> inbox_batcher::take_batch() {
  std::size_t n = 0, bytes = 0;
  while (n < queue_.size() && n < options_.max_events) {
    bytes += queue_[n].ev->payload.size();
    if (n > 0 && bytes > options_.max_payload_bytes) break;
    ++n;
  }
  std::vector<waiter> batch(std::make_move_iterator(queue_.begin()),
                            std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return batch;
}

void inbox_batcher::commit(std::vector<waiter>& batch) {
  auto run = [this](waiter* part, std::size_t count) {
    std::vector<const inbound_event*> events;
    events.reserve(count);
    for (std::size_t i = 0; i < count; ++i) events.push_back(part[i].ev);
    ++batches_;
    auto fresh = flush_(events);
    if (fresh.size() != count) throw std::logic_error("inbox flush answered for a different number of events");
    for (std::size_t i = 0; i < count; ++i) part[i].fresh = fresh[i];
    events_ += count;
  };
  try {
    run(batch.data(), batch.size());
    return;
  } catch (...) {
    if (batch.size() == 1) {
      batch.front().failure = std::current_exception();
      return;
    }
  }
  for (auto& w : batch) {
    try {
      run(&w, 1);
    } catch (...) {
      w.failure = std::current_exception();
    }
  }
}

inbox_flush_fn inbox_flush(database& db) {
  return [&db](const std::vector<const inbound_event*>& events) {
    auto fresh = db.autocommit([&](pqxx::nontransaction& tx) { return accept_events(tx, events); });
    if (std::find(fresh.begin(), fresh.end(), true) != fresh.end()) db.wake_workers();
    return fresh;
  };
}

}  // namespace doppel::store
