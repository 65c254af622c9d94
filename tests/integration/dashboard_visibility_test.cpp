// The viewer's filter in the dashboard queries against a real PostgreSQL: only pairs whose two issues are visible
// (plain issues of browsable projects, secured or not-known issues by granted id) are listed and counted.
#include "store/dashboard_store.hpp"
#include "store/index_store.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include "integration/test_db.hpp"

#include <optional>

using namespace doppel;

namespace {

// project_id "" and level nullopt = not known (rows from before migration 0008); level "" = no level.
void add_issue(pqxx::work& tx, const std::string& id, const std::string& key, const std::string& project_id,
               std::optional<std::string> level) {
  tx.exec_params(
      "INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key, status, summary, created_ms,"
      " updated_ms, project_id, security_level_id) VALUES ('t1', $1, $2, split_part($2, '-', 1), 'Open', $3, 1, 1, $4, $5)",
      id, key, "Summary of " + key, project_id, level);
}

void add_pair(pqxx::work& tx, const std::string& issue, const std::string& candidate, const std::string& status) {
  tx.exec_params("INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status) VALUES ('t1', $1, $2, 0.9, $3)",
                 issue, candidate, status);
}

std::vector<std::string> keys_of(const std::vector<store::pair_item>& items) {
  std::vector<std::string> out;
  for (const auto& it : items) out.push_back(it.issue.key + ">" + it.candidate.key);
  return out;
}

}  // namespace

TEST_CASE("dashboard visibility: pairs, counts, charts and issues count only what the viewer may see") {
  pqxx::connection c(test::fresh_database_url());
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t1', 'connect', 'https://t1.atlassian.net', 'installed')");
    // OPEN (project 100): two plain issues and a staff-only one; HR (200): one plain issue; OLD-1: not known.
    add_issue(tx, "1", "OPEN-1", "100", "");
    add_issue(tx, "2", "OPEN-2", "100", "");
    add_issue(tx, "3", "OPEN-3", "100", "10050");
    add_issue(tx, "4", "HR-1", "200", "");
    add_issue(tx, "5", "OLD-1", "", std::nullopt);
    add_issue(tx, "6", "OPEN-6", "100", "10050");  // secured, in no pair
    add_pair(tx, "2", "1", "pending");    // OPEN-2 > OPEN-1: plain, same project
    add_pair(tx, "3", "1", "pending");    // staff-only issue
    add_pair(tx, "4", "1", "confirmed");  // restricted project
    add_pair(tx, "5", "2", "dismissed");  // not-known issue
    tx.commit();
  }
  pqxx::read_transaction tx(c);
  store::pair_filter all;

  // The inputs: projects of plain issues; issues needing an issue-level check, those in pairs first, bounded.
  auto in = store::read_visibility_inputs(tx, "t1", 10);
  CHECK(in.project_ids == std::vector<std::string>{"100", "200"});
  CHECK(in.issue_ids == std::vector<std::string>{"3", "5", "6"});
  CHECK(store::read_visibility_inputs(tx, "t1", 2).issue_ids == std::vector<std::string>{"3", "5"});

  // A developer of OPEN only: the one plain pair.
  const store::visible_issues dev{{"100"}, {}};
  CHECK(keys_of(store::list_pairs(tx, "t1", all, dev, 0, 100)) == std::vector<std::string>{"OPEN-2>OPEN-1"});
  CHECK(store::count_pairs(tx, "t1", all, dev) == 1);
  auto counts = store::count_by_status(tx, "t1", dev);
  CHECK(counts.pending == 1);
  CHECK(counts.confirmed == 0);
  CHECK(counts.dismissed == 0);
  auto projects = store::by_project(tx, "t1", 50, dev);
  REQUIRE(projects.size() == 1);
  CHECK(projects[0].project == "OPEN");
  CHECK(projects[0].found == 1);
  std::int64_t found = 0;
  for (const auto& d : store::daily_series(tx, "t1", 90, dev)) found += d.found;
  CHECK(found == 1);
  CHECK(store::count_visible_issues(tx, "t1", dev) == 2);  // OPEN-1, OPEN-2 (never the secured ones)

  // A project grant never shows a secured or not-known issue of it; its granted id does.
  const store::visible_issues staff{{"100", "200"}, {"3", "5", "6"}};
  CHECK(store::count_pairs(tx, "t1", all, staff) == 4);
  CHECK(store::count_by_status(tx, "t1", staff).confirmed == 1);
  CHECK(store::count_visible_issues(tx, "t1", staff) == 6);
  const store::visible_issues ids_only{{}, {"1", "3"}};
  CHECK(keys_of(store::list_pairs(tx, "t1", all, ids_only, 0, 100)) == std::vector<std::string>{"OPEN-3>OPEN-1"});
  const store::visible_issues unknown_only{{"100"}, {"5"}};
  CHECK(keys_of(store::list_pairs(tx, "t1", all, unknown_only, 0, 100)) ==
        std::vector<std::string>{"OPEN-2>OPEN-1", "OLD-1>OPEN-2"});

  // Nothing visible: nothing listed or counted (the default is nothing, never everything).
  const store::visible_issues nothing;
  CHECK(store::list_pairs(tx, "t1", all, nothing, 0, 100).empty());
  CHECK(store::count_pairs(tx, "t1", all, nothing) == 0);
  CHECK(store::count_visible_issues(tx, "t1", nothing) == 0);
  CHECK(store::by_project(tx, "t1", 50, nothing).empty());
  // The admin statistics count stays tenant-wide.
  CHECK(store::count_by_status(tx, "t1").pending == 2);

  // The project id of a key, from a stored plain issue of it.
  CHECK(store::find_project_id(tx, "t1", "HR") == std::optional<std::string>("200"));
  CHECK_FALSE(store::find_project_id(tx, "t1", "OLD").has_value());
  CHECK_FALSE(store::find_project_id(tx, "t1", "NOPE").has_value());
}
