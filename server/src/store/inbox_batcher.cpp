// Group commit: queue, leader election under one mutex, one flush per batch, alone-retry of a failed batch.
#include "store/inbox_batcher.hpp"

#include <algorithm>

namespace doppel::store {

inbox_batcher::inbox_batcher(inbox_flush_fn flush, inbox_batcher_options options)
    : flush_(std::move(flush)), options_(options) {
  if (options_.max_events == 0) options_.max_events = 1;
  if (options_.max_in_flight == 0) options_.max_in_flight = 1;
}

bool inbox_batcher::accept(const inbound_event& ev) {
  waiter self{&ev};
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  while (!self.done) {
    // Lead when a commit slot is free and our event still waits (it is then in the queue: we take the front).
    if (in_flight_ >= options_.max_in_flight || std::find(queue_.begin(), queue_.end(), &self) == queue_.end()) {
      self.wake.wait(lock);
      continue;
    }
    ++in_flight_;  // this caller leads the next batch (its own event may be in a later one when many queue)
    auto batch = take_batch();
    if (in_flight_ < options_.max_in_flight && !queue_.empty()) queue_.front()->wake.notify_one();  // a slot is left
    lock.unlock();
    commit(batch);
    lock.lock();
    --in_flight_;
    for (auto* w : batch) {
      w->done = true;
      if (w != &self) w->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();  // the slot is free: the next in line leads
  }
  if (self.failure) std::rethrow_exception(self.failure);
  return self.fresh;
}

std::size_t inbox_batcher::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::vector<inbox_batcher::waiter*> inbox_batcher::take_batch() {
  std::size_t n = 0, bytes = 0;
  while (n < queue_.size() && n < options_.max_events) {
    bytes += queue_[n]->ev->payload.size();
    if (n > 0 && bytes > options_.max_payload_bytes) break;
    ++n;
  }
  std::vector<waiter*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return batch;
}

void inbox_batcher::commit(const std::vector<waiter*>& batch) {
  auto run = [this](const std::vector<waiter*>& part) {
    std::vector<const inbound_event*> events;
    events.reserve(part.size());
    for (auto* w : part) events.push_back(w->ev);
    ++batches_;
    auto fresh = flush_(events);
    if (fresh.size() != part.size()) throw std::logic_error("inbox flush answered for a different number of events");
    for (std::size_t i = 0; i < part.size(); ++i) part[i]->fresh = fresh[i];
    events_ += part.size();
  };
  try {
    run(batch);
    return;
  } catch (...) {
    if (batch.size() == 1) {
      batch.front()->failure = std::current_exception();
      return;
    }
  }
  for (auto* w : batch) {
    try {
      run({w});
    } catch (...) {
      w->failure = std::current_exception();
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
