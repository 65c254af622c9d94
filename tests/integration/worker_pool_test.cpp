// Worker pool against a real PostgreSQL: the heartbeat keeps a long job's short lease alive; a job taken over stops.
#include "integration/test_db.hpp"
#include "store/database.hpp"
#include "store/db_pool.hpp"
#include "store/job_queue.hpp"
#include "store/worker_pool.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

// A processor that signals when it started and then waits until the test lets it finish.
struct gate {
  std::mutex m;
  std::condition_variable cv;
  bool started = false, open = false;
  void enter() {
    std::unique_lock lock(m);
    started = true;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void wait_started() {
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, 10s, [this] { return started; }));
  }
  void release() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
};

struct fixture {
  std::string url = test::fresh_database_url();
  pqxx::connection c{url};
  store::db_pool pool{url, 2};
  fixture() {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t1', 'connect', 'https://x.example', 'enabled')");
    tx.exec0("INSERT INTO jobs (tenant_id, kind, unique_key) VALUES ('t1', 'rescan', 'rescan')");
    tx.commit();
  }
  long jobs_left() { return pqxx::nontransaction(c).exec1("SELECT count(*) FROM jobs")[0].as<long>(); }
};

store::worker_options short_leases() {
  store::worker_options o;
  o.threads = 1;
  o.lease = 1s;
  o.heartbeat = 200ms;
  o.idle_poll = 50ms;
  return o;
}

}  // namespace

TEST_CASE("worker pool: the heartbeat renews a running job's lease, so nobody takes it over while it runs") {
  fixture f;
  gate g;
  store::worker_pool workers(f.pool, short_leases());
  workers.set_processor(store::job_kind::rescan, [&](store::write_tx&, const store::job&) { g.enter(); });
  workers.start();
  g.wait_started();
  std::this_thread::sleep_for(2500ms);  // more than two leases: without renewals the job would be claimable
  CHECK_FALSE(store::claim(f.c, 1s).has_value());
  g.release();
  for (int i = 0; i < 200 && workers.completed() == 0; ++i) std::this_thread::sleep_for(20ms);
  workers.stop(5s);
  CHECK(workers.completed() == 1);
  CHECK(f.jobs_left() == 0);
}

TEST_CASE("worker pool: a job taken over after its lease ran out is not completed by the first worker") {
  fixture f;
  gate g;
  store::worker_pool workers(f.pool, short_leases());
  workers.set_processor(store::job_kind::rescan, [&](store::write_tx&, const store::job&) { g.enter(); });
  workers.start();
  g.wait_started();
  {
    pqxx::work tx(f.c);  // as if the heartbeat had stalled: the lease ran out
    tx.exec0("UPDATE jobs SET lease_until = now() - interval '1 second'");
    tx.commit();
  }
  auto takeover = store::claim(f.c, 60s);
  REQUIRE(takeover.has_value());
  CHECK(takeover->attempts == 2);
  std::this_thread::sleep_for(500ms);  // a heartbeat or two: they must not renew the other worker's lease for us
  g.release();
  workers.stop(5s);
  CHECK(workers.completed() == 0);
  CHECK(workers.failed() == 0);  // lease lost is not a failure: the job is the other worker's now
  CHECK(f.jobs_left() == 1);
  pqxx::nontransaction tx(f.c);
  CHECK(tx.exec1("SELECT extract(epoch FROM lease_until - now()) FROM jobs")[0].as<double>() > 30);
}
