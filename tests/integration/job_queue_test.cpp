// Job queue against a real PostgreSQL: coalescing, claiming, completion and the coalescing race.
#include "integration/test_db.hpp"
#include "jobs/job_queue.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

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
  pqxx::work tx(c);
  bool inserted = jobs::enqueue(tx, "t1", jobs::job_kind::apply_issue, key, R"({"issueId":"1"})");
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
  auto j = jobs::claim(c, lease);
  REQUIRE(j.has_value());
  CHECK(j->unique_key == "issue:1");
  CHECK(j->attempts == 1);
  CHECK(enqueue_committed(c, "issue:1"));  // the first one is running: a new job covers what arrives now
  CHECK(queued(c, "issue:1") == 1);
  pqxx::work done(c);
  jobs::complete(done, *j);
  done.commit();
  auto next = jobs::claim(c, lease);
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

  pqxx::work open(webhook);
  CHECK_FALSE(jobs::enqueue(open, "t1", jobs::job_kind::apply_issue, "issue:7", R"({"issueId":"7"})"));
  CHECK_FALSE(jobs::claim(worker, lease).has_value());  // locked by the open transaction: skipped
  open.commit();
  auto j = jobs::claim(worker, lease);
  REQUIRE(j.has_value());
  CHECK(j->unique_key == "issue:7");
}
