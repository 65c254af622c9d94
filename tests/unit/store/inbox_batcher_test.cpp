// The inbox group commit without a database: who shares a batch, per-event answers, failures and their propagation.
#include "store/inbox_batcher.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace doppel;

namespace {

store::inbound_event event(const std::string& delivery) {
  store::inbound_event ev;
  ev.tenant_id = "t1";
  ev.delivery_id = delivery;
  ev.payload = "{}";
  return ev;
}

// A fake database: records each batch, holds the first commit until released, fails batches `fails` refuses.
struct fake_db {
  std::mutex m;
  std::condition_variable cv;
  bool hold_first = true, released = false;
  std::vector<std::vector<std::string>> batches;
  std::multiset<std::string> committed;
  std::function<bool(const std::vector<std::string>&)> fails = [](const auto&) { return false; };

  std::vector<bool> flush(const std::vector<const store::inbound_event*>& events) {
    std::vector<std::string> ids;
    for (const auto* ev : events) ids.push_back(ev->delivery_id);
    std::unique_lock lock(m);
    batches.push_back(ids);
    if (hold_first && batches.size() == 1) cv.wait(lock, [&] { return released; });
    if (fails(ids)) throw std::runtime_error("database refused the batch");
    std::vector<bool> fresh;
    for (const auto& id : ids) {
      fresh.push_back(committed.count(id) == 0);
      committed.insert(id);
    }
    return fresh;
  }
  void release() {
    std::lock_guard lock(m);
    released = true;
    cv.notify_all();
  }
};

struct outcome {
  bool fresh = false;
  std::string error;
};

// Starts one accept per delivery id while the first (leader) commit is held, waits until all of them queue, then
// releases the leader. Returns the outcomes in the order of `ids` (ids[0] is the held leader).
std::vector<outcome> run_held(fake_db& db, store::inbox_batcher& batcher, const std::vector<std::string>& ids) {
  std::vector<store::inbound_event> events;
  for (const auto& id : ids) events.push_back(event(id));
  std::vector<outcome> out(ids.size());
  std::vector<std::thread> threads;
  auto start = [&](std::size_t i) {
    threads.emplace_back([&, i] {
      try {
        out[i].fresh = batcher.accept(events[i]);
      } catch (const std::exception& e) {
        out[i].error = e.what();
      }
    });
  };
  start(0);
  while (true) {  // the leader's commit has begun
    std::lock_guard lock(db.m);
    if (!db.batches.empty()) break;
  }
  for (std::size_t i = 1; i < ids.size(); ++i) start(i);
  while (batcher.waiting() < ids.size() - 1) std::this_thread::yield();
  db.release();
  for (auto& t : threads) t.join();
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("inbox batcher: alone, each event is its own commit and its answer is its own") {
  fake_db db;
  db.hold_first = false;
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); });
  CHECK(batcher.accept(event("a")));
  CHECK(batcher.accept(event("b")));
  CHECK_FALSE(batcher.accept(event("a")));  // a redelivery
  CHECK(db.batches == std::vector<std::vector<std::string>>{{"a"}, {"b"}, {"a"}});
  CHECK(batcher.batches() == 3);
  CHECK(batcher.events() == 3);
}

TEST_CASE("inbox batcher: the events that arrive during a commit share the next one, each told its own answer") {
  fake_db db;
  db.committed.insert("old");  // delivered before: its redelivery is not new
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {64, 1u << 20, 1});
  auto out = run_held(db, batcher, {"lead", "b", "old", "c", "d", "c"});
  REQUIRE(db.batches.size() == 2);
  CHECK(db.batches[0] == std::vector<std::string>{"lead"});
  CHECK(sorted(db.batches[1]) == std::vector<std::string>{"b", "c", "c", "d", "old"});
  CHECK(out[0].fresh);
  CHECK(out[1].fresh);
  CHECK_FALSE(out[2].fresh);
  CHECK(out[4].fresh);
  CHECK(out[3].fresh != out[5].fresh);  // the same delivery twice in a batch: exactly one copy is new
  for (const auto& o : out) CHECK(o.error.empty());
  CHECK(batcher.batches() == 2);
  CHECK(batcher.events() == 6);
}

TEST_CASE("inbox batcher: a batch is bounded in events, the rest go in the next commit") {
  fake_db db;
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {2, 1u << 20, 1});
  auto out = run_held(db, batcher, {"lead", "b", "c", "d", "e", "f"});
  REQUIRE(db.batches.size() == 4);
  CHECK(db.batches[1].size() == 2);
  CHECK(db.batches[2].size() == 2);
  CHECK(db.batches[3].size() == 1);
  for (const auto& o : out) CHECK((o.fresh && o.error.empty()));
}

TEST_CASE("inbox batcher: when a batch fails, each event is tried alone and only the one that fails again fails") {
  fake_db db;
  db.fails = [](const std::vector<std::string>& ids) { return std::count(ids.begin(), ids.end(), "poison") > 0; };
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {64, 1u << 20, 1});
  auto out = run_held(db, batcher, {"lead", "b", "poison", "c"});
  CHECK(out[0].fresh);
  CHECK(out[1].fresh);
  CHECK(out[3].fresh);
  CHECK(out[2].error == "database refused the batch");
  CHECK_FALSE(out[2].fresh);
  CHECK(db.committed == std::multiset<std::string>{"lead", "b", "c"});
}

TEST_CASE("inbox batcher: when the database fails, every request of the batch fails and none is committed") {
  fake_db db;
  db.fails = [](const auto&) { return true; };
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {64, 1u << 20, 1});
  auto out = run_held(db, batcher, {"lead", "b", "c"});
  for (const auto& o : out) {
    CHECK(o.error == "database refused the batch");
    CHECK_FALSE(o.fresh);
  }
  CHECK(db.committed.empty());
  // The batcher keeps working once the database is back.
  db.fails = [](const auto&) { return false; };
  CHECK(batcher.accept(event("d")));
}

TEST_CASE("inbox batcher: a flush that answers for a different number of events fails the requests") {
  store::inbox_batcher batcher([](const auto&) { return std::vector<bool>{}; });
  CHECK_THROWS_AS(batcher.accept(event("a")), std::logic_error);
}

TEST_CASE("inbox batcher: with two commit slots a second event commits at once beside a held one, later ones queue") {
  fake_db db;  // holds the first commit until released
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {64, 1u << 20, 2});
  store::inbound_event lead = event("lead"), second = event("second");
  std::thread leader([&] { CHECK(batcher.accept(lead)); });
  while (true) {
    std::lock_guard lock(db.m);
    if (!db.batches.empty()) break;
  }
  CHECK(batcher.accept(second));  // the free slot: committed while the first is still held
  db.release();
  leader.join();
  CHECK(db.batches == std::vector<std::vector<std::string>>{{"lead"}, {"second"}});
}

TEST_CASE("inbox batcher: a caller finding every slot busy returns at once and is answered by the committing caller") {
  fake_db db;  // holds the first commit until released
  store::inbox_batcher batcher([&](const auto& evs) { return db.flush(evs); }, {64, 1u << 20, 1});
  store::inbound_event lead = event("lead"), queued = event("queued");
  std::thread::id leader_id;
  std::thread leader([&] {
    leader_id = std::this_thread::get_id();
    CHECK(batcher.accept(lead));
  });
  while (true) {
    std::lock_guard lock(db.m);
    if (!db.batches.empty()) break;
  }
  std::mutex m;
  bool answered = false, fresh = false;
  std::thread::id answered_on;
  batcher.accept_async(queued, [&](bool f, std::exception_ptr failure) {
    std::lock_guard lock(m);
    answered = true;
    fresh = f && !failure;
    answered_on = std::this_thread::get_id();
  });
  {
    std::lock_guard lock(m);
    CHECK_FALSE(answered);  // returned without waiting: its event waits for the next commit
  }
  CHECK(batcher.waiting() == 1);
  db.release();
  leader.join();
  std::lock_guard lock(m);
  CHECK(answered);
  CHECK(fresh);
  CHECK(answered_on == leader_id);  // the leader committed it right after its own, no other thread woken
  CHECK(db.batches == std::vector<std::vector<std::string>>{{"lead"}, {"queued"}});
}
