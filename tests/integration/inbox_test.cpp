// Webhook intake against a real PostgreSQL: accept_event's one statement (inbox row + job), delivery dedupe,
// coalescing, and the doppel_tenant announcement that keeps every replica's cached tenant secrets current.
#include "integration/test_db.hpp"
#include "integration/test_seed.hpp"
#include "store/inbox.hpp"
#include "store/job_queue.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <string>
#include <vector>

using namespace doppel;

namespace {

using test::add_tenant;
using test::count;

store::inbound_event issue_event(const std::string& delivery, const std::string& issue_id) {
  return test::issue_event("t1", delivery, issue_id,
                           R"({"webhookEvent":"jira:issue_created","issue":{"id":")" + issue_id + R"("}})");
}

bool accept(pqxx::connection& c, const store::inbound_event& ev) {
  pqxx::nontransaction tx(c);  // as the webhook handler: one statement, committed on its own
  return store::accept_event(tx, ev);
}

}  // namespace

TEST_CASE("inbox: an event is stored with its job in one statement, a redelivery changes nothing") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  CHECK(accept(c, issue_event("jira:d1", "10001")));
  CHECK(count(c, "SELECT count(*) FROM inbox WHERE delivery_id = 'jira:d1' AND issue_id = '10001'") == 1);
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE unique_key = 'issue:10001' AND kind = 'apply_issue'"
                 " AND state = 'queued' AND payload = '{\"issueId\":\"10001\"}'::jsonb") == 1);
  {
    pqxx::nontransaction tx(c);  // the body as received, byte for byte
    CHECK(tx.exec1("SELECT payload FROM inbox WHERE delivery_id = 'jira:d1'")[0].as<std::string>() ==
          issue_event("jira:d1", "10001").payload);
  }

  CHECK_FALSE(accept(c, issue_event("jira:d1", "10001")));  // the same delivery again
  CHECK(count(c, "SELECT count(*) FROM inbox") == 1);
  CHECK(count(c, "SELECT count(*) FROM jobs") == 1);

  CHECK(accept(c, issue_event("jira:d2", "10001")));  // a second event of the issue: coalesced into the queued job
  CHECK(count(c, "SELECT count(*) FROM inbox") == 2);
  CHECK(count(c, "SELECT count(*) FROM jobs") == 1);

  auto running = store::claim(c, std::chrono::seconds(60));
  REQUIRE(running.has_value());
  CHECK(accept(c, issue_event("jira:d3", "10001")));  // the job is running: a new one covers this event
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE unique_key = 'issue:10001'") == 2);

  store::inbound_event project;
  project.tenant_id = "t1";
  project.source = "connect";
  project.type = store::event_type::project_deleted;
  project.project_key = "HAD";
  project.delivery_id = "jira:p1";
  project.payload = R"({"webhookEvent":"project_deleted","project":{"key":"HAD"}})";
  CHECK(accept(c, project));
  CHECK(count(c, "SELECT count(*) FROM jobs WHERE unique_key = 'project:HAD' AND kind = 'apply_project_delete'") == 1);
}

TEST_CASE("inbox: an event of an unknown tenant stores nothing") {
  pqxx::connection c(test::fresh_database_url());
  CHECK_THROWS(accept(c, issue_event("jira:d1", "1")));  // no tenant row: the foreign key refuses the event
  CHECK(count(c, "SELECT count(*) FROM inbox") == 0);
  CHECK(count(c, "SELECT count(*) FROM jobs") == 0);
}

TEST_CASE("tenants: a change of secret or state, or a deletion, is announced on doppel_tenant, other updates are not") {
  const auto url = test::fresh_database_url();
  pqxx::connection writer(url), listener(url);
  struct receiver : pqxx::notification_receiver {
    std::vector<std::string> got;
    explicit receiver(pqxx::connection_base& c) : pqxx::notification_receiver(c, "doppel_tenant") {}
    void operator()(const std::string& payload, int) override { got.push_back(payload); }
  } r(listener);
  add_tenant(writer, "t1");
  auto run = [&](const std::string& sql) {
    pqxx::work tx(writer);
    tx.exec0(sql);
    tx.commit();
  };
  auto drain = [&] {
    r.got.clear();
    for (int i = 0; i < 20 && listener.await_notification(0, 100000) > 0;) ++i;
    return r.got;
  };
  CHECK(drain().empty());  // an insert is not announced (nothing can be cached for an unknown tenant)
  run("UPDATE tenants SET system_token_box = 'x' WHERE tenant_id = 't1'");
  CHECK(drain().empty());
  run("UPDATE tenants SET secret_box = 'sealed-2' WHERE tenant_id = 't1'");
  CHECK(drain() == std::vector<std::string>{"t1"});
  run("UPDATE tenants SET state = 'uninstalled' WHERE tenant_id = 't1'");
  CHECK(drain() == std::vector<std::string>{"t1"});
  run("DELETE FROM tenants WHERE tenant_id = 't1'");
  CHECK(drain() == std::vector<std::string>{"t1"});
}
