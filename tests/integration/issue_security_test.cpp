// Project id and issue security level columns (migration 0008) against a real PostgreSQL: written by upserts,
// read back by every issue lookup, "not known" kept apart from "no level", rows without them read as not known.
#include "store/index_store.hpp"
#include "store/pair_store.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include "integration/test_db.hpp"

using namespace doppel;

namespace {

core::issue_document secured_issue(const std::string& id, const std::string& key, std::int64_t updated_ms) {
  auto doc = core::parse_issue_json(R"({"id":")" + id + R"(","key":")" + key + R"(","fields":{"summary":"Payroll export fails",
      "project":{"id":"10001","key":"HR"},"security":{"id":"10050","name":"Staff only"},
      "updated":"2026-01-01T00:00:0)" + std::to_string(updated_ms) + R"(.000+0000"}})");
  REQUIRE(doc.ok());
  return *doc;
}

}  // namespace

TEST_CASE("issue security: project id and security level are stored and read back by the issue lookups") {
  pqxx::connection c(test::fresh_database_url());
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t1', 'connect', 'https://t1.atlassian.net', 'installed')");
    tx.commit();
  }
  core::tokenizer tok;
  pqxx::work tx(c);
  auto secured = secured_issue("20001", "HR-1", 1);
  CHECK(store::upsert_issue(tx, "t1", secured, tok).outcome == store::upsert_outcome::applied);

  auto open = core::parse_issue_json(R"({"id":"20002","key":"OPEN-1","fields":{"summary":"Login page slow",
      "project":{"id":"10002","key":"OPEN"},"security":null,"updated":"2026-01-01T00:00:01.000+0000"}})");
  REQUIRE(open.ok());
  store::upsert_issue(tx, "t1", *open, tok);
  auto unknown = core::parse_issue_json(R"({"id":"20003","key":"OPEN-2","fields":{"summary":"Old payload",
      "project":{"key":"OPEN"},"updated":"2026-01-01T00:00:01.000+0000"}})");
  REQUIRE(unknown.ok());
  store::upsert_issue(tx, "t1", *unknown, tok);

  auto hr = store::find_issue_by_key(tx, "t1", "HR-1");
  REQUIRE(hr);
  CHECK(hr->project_id == "10001");
  CHECK(hr->security_known);
  CHECK(hr->security_level_id == "10050");
  auto by_id = store::find_issue_by_id(tx, "t1", "20002");
  REQUIRE(by_id);
  CHECK(by_id->project_id == "10002");
  CHECK(by_id->security_known);
  CHECK(by_id->security_level_id.empty());
  auto many = store::find_issues_by_ids(tx, "t1", {"20003", "20001"});
  REQUIRE(many.size() == 2);
  CHECK(many[0].issue_id == "20003");
  CHECK(many[0].project_id.empty());
  CHECK_FALSE(many[0].security_known);
  CHECK(many[1].security_level_id == "10050");
  // In SQL: NULL for not known, '' for no level.
  CHECK(tx.exec1("SELECT security_level_id IS NULL FROM index_documents WHERE issue_id = '20003'")[0].as<bool>());
  CHECK(tx.exec1("SELECT security_level_id FROM index_documents WHERE issue_id = '20002'")[0].as<std::string>().empty());

  // A newer version without the level clears it; a stale one cannot put it back.
  auto lifted = secured;
  lifted.security_level_id.clear();
  lifted.updated_ms += 1000;
  CHECK(store::upsert_issue(tx, "t1", lifted, tok).outcome == store::upsert_outcome::applied);
  CHECK(store::find_issue_by_key(tx, "t1", "HR-1")->security_level_id.empty());
  CHECK(store::upsert_issue(tx, "t1", secured, tok).outcome == store::upsert_outcome::stale);
  CHECK(store::find_issue_by_key(tx, "t1", "HR-1")->security_level_id.empty());

  // A row written without the columns (as rows indexed before migration 0008 are) reads as not known.
  tx.exec0("INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key) VALUES ('t1', '20009', 'OLD-9', 'OLD')");
  auto old = store::find_issue_by_key(tx, "t1", "OLD-9");
  REQUIRE(old);
  CHECK(old->project_id.empty());
  CHECK_FALSE(old->security_known);
}

TEST_CASE("the comment on a new issue lists only candidates every viewer of the issue may see") {
  pqxx::connection c(test::fresh_database_url());
  pqxx::work tx(c);
  tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t1', 'connect', 'https://t1.atlassian.net', 'installed')");
  // The new issue OPEN-9 and four candidates: same project open, same project secured, same project level not
  // known (indexed before migration 0008), another project.
  auto row = [&](const std::string& id, const std::string& key, const std::string& project, const char* level) {
    tx.exec_params0("INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key, summary, created_ms, updated_ms,"
                    " security_level_id) VALUES ('t1', $1, $2, $3, $4, 1, 1, $5)",
                    id, key, project, "summary of " + key, level ? std::optional<std::string>(level) : std::nullopt);
  };
  row("9", "OPEN-9", "OPEN", "");
  row("1", "OPEN-1", "OPEN", "");
  row("2", "OPEN-2", "OPEN", "10050");
  row("3", "OPEN-3", "OPEN", nullptr);
  row("4", "HR-4", "HR", "");
  for (const auto& [candidate, score] : std::vector<std::pair<std::string, double>>{{"1", 0.1}, {"2", 0.4}, {"3", 0.3}, {"4", 0.2}})
    tx.exec_params0("INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status) VALUES ('t1', '9', $1, $2, 'pending')",
                    candidate, score);
  auto listed = store::pending_candidates(tx, "t1", "9", 5);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].key == "OPEN-1");
  CHECK(store::pending_count(tx, "t1", "9") == 4);  // the badge counts them all (the panel filters for its viewer)
}
