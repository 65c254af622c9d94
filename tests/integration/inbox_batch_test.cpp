// Group-committed webhook intake against a real PostgreSQL: one statement per batch, dedupe within a batch and across
// batches, coalesced jobs, and two replicas' batchers committing overlapping deliveries at once.
#include "integration/test_db.hpp"
#include "integration/test_seed.hpp"
#include "store/database.hpp"
#include "store/db_pool.hpp"
#include "store/inbox.hpp"
#include "store/inbox_batcher.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace doppel;

namespace {

using test::add_tenant;
using test::count;

// Quotes, backslashes, braces and commas survive the array encoding byte for byte.
store::inbound_event issue_event(const std::string& tenant, const std::string& delivery, const std::string& issue_id) {
  return test::issue_event(tenant, delivery, issue_id,
                           R"({"issue":{"id":")" + issue_id + R"(","fields":{"summary":"a \"b\" \\ c, {d}"}}})");
}

std::vector<bool> accept_batch(pqxx::connection& c, const std::vector<store::inbound_event>& events) {
  std::vector<const store::inbound_event*> ptrs;
  for (const auto& ev : events) ptrs.push_back(&ev);
  pqxx::nontransaction tx(c);  // as the batcher: one statement, committed on its own
  return store::accept_events(tx, ptrs);
}

}  // namespace

TEST_CASE("inbox batch: one statement stores new deliveries once, within the batch and across batches") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  add_tenant(c, "t2");
  auto first = accept_batch(c, {issue_event("t1", "jira:d1", "101"), issue_event("t1", "jira:d1", "101"),
                                issue_event("t1", "jira:d2", "101"), issue_event("t2", "jira:d1", "101"),
                                issue_event("t1", "jira:d3", "102")});
  // The second copy of t1's d1 is a repeat within the batch; t2's d1 is another tenant's delivery.
  CHECK(first == std::vector<bool>{true, false, true, true, true});
  CHECK(count(c, "SELECT count(*) FROM inbox") == 4);
  CHECK(count(c, "SELECT count(*) FROM inbox WHERE tenant_id = 't1' AND issue_id = '101'") == 2);
  // Two events of t1's issue 101 share one queued job; t2's issue 101 and t1's 102 have their own.
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE state = 'queued' AND kind = 'apply_issue'") == 3);
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE tenant_id = 't1' AND unique_key = 'issue:101'"
                 " AND payload = '{\"issueId\":\"101\"}'::jsonb") == 1);
  {
    pqxx::nontransaction tx(c);
    CHECK(tx.exec1("SELECT payload FROM inbox WHERE tenant_id = 't1' AND delivery_id = 'jira:d2'")[0].as<std::string>() ==
          issue_event("t1", "jira:d2", "101").payload);
  }

  // The next batch: d2 was delivered before, d4 is new and coalesces into 101's queued job.
  auto second = accept_batch(c, {issue_event("t1", "jira:d2", "101"), issue_event("t1", "jira:d4", "101")});
  CHECK(second == std::vector<bool>{false, true});
  CHECK(count(c, "SELECT count(*) FROM inbox") == 5);
  CHECK(count(c, "SELECT count(*) FROM jobs") == 3);

  // A project deletion in a batch with an issue event: its own job kind and key, project key stored, no issue id.
  store::inbound_event project;
  project.tenant_id = "t1";
  project.source = "connect";
  project.type = store::event_type::project_deleted;
  project.project_key = "HAD";
  project.delivery_id = "jira:p1";
  project.payload = R"({"webhookEvent":"project_deleted","project":{"key":"HAD"}})";
  CHECK(accept_batch(c, {project, issue_event("t1", "jira:d5", "103")}) == std::vector<bool>{true, true});
  CHECK(count(c, "SELECT count(*) FROM inbox WHERE delivery_id = 'jira:p1' AND issue_id IS NULL AND project_key = 'HAD'") == 1);
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE unique_key = 'project:HAD' AND kind = 'apply_project_delete'") == 1);
}

TEST_CASE("inbox batch: a batch with an event of an unknown tenant stores none of its events") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  CHECK_THROWS(accept_batch(c, {issue_event("t1", "jira:d1", "1"), issue_event("nobody", "jira:d2", "2")}));
  CHECK(count(c, "SELECT count(*) FROM inbox") == 0);
  CHECK(count(c, "SELECT count(*) FROM jobs") == 0);
}

TEST_CASE("inbox batcher: two replicas committing overlapping deliveries at once store each once, one copy new") {
  const auto url = test::fresh_database_url();
  {
    pqxx::connection c(url);
    add_tenant(c, "t1");
  }
  // Two replicas: each its own pool, database handle and batcher, on the same PostgreSQL.
  store::db_pool pool_a(url, 4), pool_b(url, 4);
  store::database db_a(pool_a), db_b(pool_b);
  std::atomic<int> wakes{0};
  db_a.on_job_queued([&] { ++wakes; });
  store::inbox_batcher replica_a(store::inbox_flush(db_a)), replica_b(store::inbox_flush(db_b));

  constexpr int deliveries = 300, threads_per_replica = 4;
  std::vector<store::inbound_event> events;
  for (int i = 0; i < deliveries; ++i) events.push_back(issue_event("t1", "jira:" + std::to_string(i), std::to_string(i % 40)));
  std::atomic<int> fresh{0}, failed{0};
  std::vector<std::thread> threads;
  // Every delivery goes to both replicas (Jira's retry landing elsewhere), in opposite orders.
  for (int t = 0; t < threads_per_replica; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < deliveries; i += threads_per_replica) try {
          fresh += replica_a.accept(events[std::size_t(i)]) ? 1 : 0;
        } catch (const std::exception&) {
          ++failed;
        }
    });
    threads.emplace_back([&, t] {
      for (int i = deliveries - 1 - t; i >= 0; i -= threads_per_replica) try {
          fresh += replica_b.accept(events[std::size_t(i)]) ? 1 : 0;
        } catch (const std::exception&) {
          ++failed;
        }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failed.load() == 0);
  CHECK(fresh.load() == deliveries);  // each delivery new exactly once, on one replica or the other
  pqxx::connection c(url);
  CHECK(count(c, "SELECT count(*) FROM inbox") == deliveries);
  CHECK(count(c, "SELECT count(DISTINCT issue_id) FROM inbox") == 40);
  // Every issue has a queued job (coalesced: at most one queued per issue).
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE state = 'queued'") == 40);
  CHECK(replica_a.events() + replica_b.events() == 2u * deliveries);
  CHECK(replica_a.batches() + replica_b.batches() <= 2u * deliveries);
  CHECK(wakes.load() > 0);  // a batch that queued a job woke replica A's workers
  MESSAGE("batches: replica A ", replica_a.batches(), ", replica B ", replica_b.batches(), " for ", deliveries,
          " events each");
}
