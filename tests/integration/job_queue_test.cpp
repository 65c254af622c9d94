// Job queue against a real PostgreSQL: coalescing, claiming, completion and the coalescing race.
#include "integration/test_db.hpp"
#include "store/database.hpp"
#include "store/db_pool.hpp"
#include "store/job_queue.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <string>
#include <vector>

using namespace doppel;

namespace {

constexpr auto lease = std::chrono::seconds(60);

void add_tenant(pqxx::connection& c, const std::string& tenant_id) {
  pqxx::work tx(c);
  tx.exec_params0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ($1, 'connect', 'https://x.example', 'enabled')",
                  tenant_id);
  tx.commit();
}

bool enqueue_committed(pqxx::connection& c, const std::string& key) {
  store::write_tx tx(c);
  bool inserted = store::enqueue(tx, "t1", store::job_kind::apply_issue, key, R"({"issueId":"1"})");
  tx.commit();
  return inserted;
}

long queued(pqxx::connection& c, const std::string& key) {
  pqxx::nontransaction tx(c);
  return tx.exec_params1("SELECT count(*) FROM jobs WHERE unique_key = $1 AND state = 'queued'", key)[0].as<long>();
}

}  // namespace

TEST_CASE("job queue: a queued job coalesces later requests with the same key, a running one does not") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  CHECK(enqueue_committed(c, "issue:1"));
  CHECK_FALSE(enqueue_committed(c, "issue:1"));  // coalesced into the queued job
  CHECK(queued(c, "issue:1") == 1);
  auto j = store::claim(c, lease);
  REQUIRE(j.has_value());
  CHECK(j->unique_key == "issue:1");
  CHECK(j->attempts == 1);
  CHECK(enqueue_committed(c, "issue:1"));  // the first one is running: a new job covers what arrives now
  CHECK(queued(c, "issue:1") == 1);
  pqxx::work done(c);
  store::complete(done, *j);
  done.commit();
  auto next = store::claim(c, lease);
  REQUIRE(next.has_value());
  CHECK(next->job_id != j->job_id);
}

TEST_CASE("job queue: a job coalesced into by an open transaction is not claimed before that transaction commits") {
  // The webhook's transaction writes its inbox row and then coalesces into the queued apply job. If a worker could
  // claim and finish that job before the webhook commits, the job would not see the new inbox row and the row would
  // be left with no job at all.
  const auto url = test::fresh_database_url();
  pqxx::connection webhook(url), worker(url);
  add_tenant(webhook, "t1");
  CHECK(enqueue_committed(webhook, "issue:7"));

  store::write_tx open(webhook);
  CHECK_FALSE(store::enqueue(open, "t1", store::job_kind::apply_issue, "issue:7", R"({"issueId":"7"})"));
  CHECK_FALSE(store::claim(worker, lease).has_value());  // locked by the open transaction: skipped
  open.commit();
  auto j = store::claim(worker, lease);
  REQUIRE(j.has_value());
  CHECK(j->unique_key == "issue:7");
}

namespace {

void enqueue_due(pqxx::connection& c, const std::string& tenant_id, store::job_kind kind, const std::string& key,
                 long delay_seconds = 0) {
  store::write_tx tx(c);
  store::enqueue(tx, tenant_id, kind, key, "{}", delay_seconds);
  tx.commit();
}

}  // namespace

TEST_CASE("job queue: claim takes an expired lease first, then due jobs oldest first, never a future one") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  enqueue_due(c, "t1", store::job_kind::apply_issue, "issue:1");
  enqueue_due(c, "t1", store::job_kind::apply_issue, "issue:2");
  enqueue_due(c, "t1", store::job_kind::apply_issue, "issue:later", 3600);
  {
    pqxx::work tx(c);  // issue:2 was due earlier than issue:1
    tx.exec0("UPDATE jobs SET run_at = run_at - interval '1 minute' WHERE unique_key = 'issue:2'");
    tx.commit();
  }
  auto first = store::claim(c, lease);
  REQUIRE(first.has_value());
  CHECK(first->unique_key == "issue:2");
  {
    pqxx::work tx(c);  // its worker died: the lease runs out
    tx.exec0("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE unique_key = 'issue:2'");
    tx.commit();
  }
  auto again = store::claim(c, lease);
  REQUIRE(again.has_value());
  CHECK(again->job_id == first->job_id);  // taken over before any queued job
  CHECK(again->attempts == 2);
  auto second = store::claim(c, lease);
  REQUIRE(second.has_value());
  CHECK(second->unique_key == "issue:1");
  CHECK_FALSE(store::claim(c, lease).has_value());  // issue:later is not due
}

TEST_CASE("job queue: jobs of an uninstalled tenant are not claimed, except its purge") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "gone");
  add_tenant(c, "here");
  enqueue_due(c, "gone", store::job_kind::apply_issue, "issue:1");
  enqueue_due(c, "gone", store::job_kind::purge_tenant, "purge");
  enqueue_due(c, "here", store::job_kind::apply_issue, "issue:1");
  {
    pqxx::work tx(c);
    tx.exec0("UPDATE tenants SET state = 'uninstalled' WHERE tenant_id = 'gone'");
    tx.commit();
  }
  std::vector<std::string> claimed;
  while (auto j = store::claim(c, lease)) claimed.push_back(j->tenant_id + " " + j->unique_key);
  std::sort(claimed.begin(), claimed.end());
  CHECK(claimed == std::vector<std::string>{"gone purge", "here issue:1"});
}

TEST_CASE("a write that queues a job wakes the workers once after its commit, a rolled back one never") {
  auto url = test::fresh_database_url();
  pqxx::connection c(url);
  add_tenant(c, "t1");
  store::db_pool pool(url, 1);
  store::database db(pool);
  int wakes = 0;
  std::vector<std::string> order;
  db.on_job_queued([&] {
    ++wakes;
    order.push_back("wake");
  });
  db.write([&](store::write_tx& tx) {
    store::enqueue(tx, "t1", store::job_kind::rescan, "rescan", "{}");
    tx.after_commit([&] { order.push_back("hook"); });
    CHECK(wakes == 0);  // not before the commit
  });
  CHECK(wakes == 1);
  CHECK(order == std::vector<std::string>{"hook", "wake"});
  CHECK_THROWS(db.write([&](store::write_tx& tx) {
    store::enqueue(tx, "t1", store::job_kind::backfill, "backfill", "{}");
    tx.after_commit([&] { order.push_back("rolled back hook"); });
    throw std::runtime_error("use-case failed");
  }));
  CHECK(wakes == 1);
  CHECK(order.size() == 2);
  pqxx::read_transaction tx(c);
  CHECK(tx.exec1("SELECT count(*) FROM jobs WHERE kind = 'backfill'")[0].as<int>() == 0);
  // A write that queues nothing wakes nobody.
  db.write([&](store::write_tx& w) { w.exec("SELECT 1"); });
  CHECK(wakes == 1);
}

TEST_CASE("job queue: renew_leases extends held leases, skips a job taken over, ends abandoned leases at once") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  for (const char* key : {"issue:1", "issue:2", "issue:3"}) enqueue_due(c, "t1", store::job_kind::apply_issue, key);
  auto kept = store::claim(c, lease);
  auto taken = store::claim(c, lease);
  auto dropped = store::claim(c, lease);
  REQUIRE((kept && taken && dropped));
  {
    pqxx::work tx(c);  // `taken`'s lease ran out and another worker claimed it (attempts 2)
    tx.exec_params0("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE job_id = $1", taken->job_id);
    tx.commit();
  }
  auto takeover = store::claim(c, lease);
  REQUIRE(takeover.has_value());
  CHECK(takeover->job_id == taken->job_id);
  auto key = [](const store::job& j) { return store::lease_key{j.tenant_id, j.job_id, j.attempts}; };
  auto renewed = store::renew_leases(c, {key(*kept), key(*taken)}, {key(*dropped)}, std::chrono::seconds(600));
  CHECK(renewed == std::vector<std::int64_t>{kept->job_id});
  auto left = [&](std::int64_t id) {
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT extract(epoch FROM lease_until - now()) FROM jobs WHERE job_id = $1", id)[0].as<double>();
  };
  CHECK(left(kept->job_id) > 500);   // renewed to 600 s
  CHECK(left(taken->job_id) < 100);  // the takeover's own 60 s lease, untouched
  CHECK(left(dropped->job_id) <= 0);
  auto again = store::claim(c, lease);  // the abandoned job is claimable now, not after its lease
  REQUIRE(again.has_value());
  CHECK(again->job_id == dropped->job_id);
  CHECK(store::renew_leases(c, {}, {}, lease).empty());
}
