// A new issue's flags against a real PostgreSQL: the apply queues the flags job when a pair may be likely, and the
// job stores the pairs rated from both ends once the issue is in the replica's memory copy (retried while it is not;
// nothing to do for an issue deleted since).
#include "integration/test_db.hpp"
#include "integration/test_seed.hpp"
#include "service/indexing.hpp"
#include "service/suggestions.hpp"
#include "store/index_store.hpp"
#include "store/inbox.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <string>

using namespace doppel;

namespace {

// The memory copies loaded from the database as `serve` loads them; `not_seen_yet` is left out of them (a replica
// the issue's change has not reached yet).
struct db_loaded_harness : test::service_harness {
  explicit db_loaded_harness(const std::string& database_url, std::string not_seen_yet = {})
      : service_harness(database_url, [database_url, not_seen_yet](const std::string& tenant, std::int64_t& generation) {
          pqxx::connection c(database_url);
          pqxx::work tx(c);
          auto copy = store::load_index(tx, tenant, core::model_options{}, generation);
          if (!not_seen_yet.empty()) copy.remove(not_seen_yet);
          return copy;
        }) {}
};

std::string issue_body(const std::string& id, const std::string& summary, const std::string& description, int day) {
  return R"({"issue":{"id":")" + id + R"(","key":"OPS-)" + id + R"(","fields":{"summary":")" + summary +
         R"(","description":")" + description + R"(","project":{"id":"1","key":"OPS"},"issuetype":{"name":"Bug"},)" +
         R"("security":null,"created":"2026-01-)" + (day < 10 ? "0" : "") + std::to_string(day) +
         R"(T10:00:00.000+0000","updated":"2026-01-)" + (day < 10 ? "0" : "") + std::to_string(day) + R"(T10:00:00.000+0000"}}})";
}

// Delivers the issue's created event and applies it as the apply job does.
void create(pqxx::connection& c, db_loaded_harness& h, const std::string& id, const std::string& summary,
            const std::string& description, int day) {
  {
    pqxx::work tx(c);
    REQUIRE(store::accept_event(tx, test::issue_event("t1", "jira:" + id, id, issue_body(id, summary, description, day))));
    tx.commit();
  }
  h.db.write([&](store::write_tx& tx) { service::apply_issue_events(tx, h.ctx, "t1", id); });
}

long flags_jobs(pqxx::connection& c, const std::string& id) {
  return test::count(c, "SELECT count(*) FROM jobs WHERE tenant_id = 't1' AND kind = 'publish_flags' AND unique_key = 'flags:" + id + "'");
}

}  // namespace

TEST_CASE("a new issue's flags job stores its likely pairs rated from both ends, once the issue is in memory") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  test::add_tenant(c, "t1");
  db_loaded_harness h(url);
  const char* topics[] = {"login page times out", "report export is empty", "scheduler skips queue",
                          "disk usage alert is wrong", "search ignores filters", "upload fails for large files",
                          "email digest arrives twice", "timezone shown in UTC", "audit log misses deletes",
                          "dark mode contrast too low", "api returns stale cache", "backup job never finishes"};
  int day = 1;
  for (int i = 0; i < 12; ++i)
    create(c, h, std::to_string(100 + i), topics[i], std::string("Steps: open it and see that the ") + topics[i], day++ % 28 + 1);
  create(c, h, "200", "NameNode crashes on startup with a corrupt fsimage",
         "The namenode fails to load the fsimage after an unclean shutdown and exits with an IOException", 20);
  create(c, h, "201", "NameNode crashes at startup because the fsimage is corrupt",
         "After an unclean shutdown the namenode cannot load its fsimage and exits with an IOException", 21);
  REQUIRE(flags_jobs(c, "201") == 1);  // the copy's pair may be likely: its flags job is queued...
  CHECK(test::count(c, "SELECT count(*) FROM pairs WHERE tenant_id = 't1'") == 0);  // ...and stores nothing yet

  // Another replica whose memory copy has not seen the copy yet: false (the job is retried), nothing stored.
  db_loaded_harness stale(url, "201");
  h.db.write([&](store::write_tx& tx) { CHECK_FALSE(service::store_new_issue_pairs(tx, stale.ctx, "t1", "201")); });
  CHECK(test::count(c, "SELECT count(*) FROM pairs WHERE tenant_id = 't1'") == 0);

  // This replica has it: the pair is stored with the likelihood the panel rates it with, from both ends.
  h.db.write([&](store::write_tx& tx) { CHECK(service::store_new_issue_pairs(tx, h.ctx, "t1", "201")); });
  CHECK(test::count(c, "SELECT count(*) FROM pairs WHERE tenant_id = 't1' AND status = 'pending'") == 1);
  CHECK(test::count(c, "SELECT count(*) FROM pairs WHERE tenant_id = 't1' AND issue_id = '201' AND candidate_id = '200'") == 1);
  const auto panel = service::suggest(h.index, "t1", {"201", std::nullopt, {}}, {}, core::default_likely_threshold, 10);
  REQUIRE(!panel.empty());
  CHECK(panel.front().hit.issue_id == "200");
  CHECK(panel.front().tier == core::tier::likely);
  pqxx::nontransaction read(c);
  CHECK(read.exec1("SELECT score FROM pairs WHERE tenant_id = 't1' AND issue_id = '201'")[0].as<double>() ==
        doctest::Approx(panel.front().likelihood));

  // An issue deleted since (or never stored): nothing to flag, not retried.
  h.db.write([&](store::write_tx& tx) { CHECK(service::store_new_issue_pairs(tx, h.ctx, "t1", "999")); });
}
