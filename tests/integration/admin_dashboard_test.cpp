// Admin and dashboard API against a real PostgreSQL: settings validation and storage, pairs listing
// (filters, search, paging), CSV escaping, summary numbers, admin handlers, tenant isolation.
#include "handlers/dashboard.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "service/settings.hpp"
#include "handlers/admin.hpp"
#include "handlers/panel_api.hpp"
#include "integration/test_db.hpp"
#include "integration/test_seed.hpp"
#include "jira/http_client.hpp"
#include "store/dashboard_store.hpp"
#include "service/dashboard.hpp"
#include "store/index_cache.hpp"

using namespace doppel;

namespace {

void add_tenant(pqxx::connection& c, const std::string& tenant) {
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ($1, 'connect', $2, 'enabled')",
                 tenant, "https://" + tenant + ".atlassian.net");
  tx.commit();
}

void add_issue(pqxx::work& tx, const std::string& tenant, const std::string& id, const std::string& key,
               const std::string& project, const std::string& summary, std::int64_t created_ms,
               const std::string& status = "Open") {
  test::add_issue(tx, tenant, {.id = id, .key = key, .project = project, .summary = summary, .created_ms = created_ms,
                               .status = status});
  tx.exec_params(
      "INSERT INTO index_stats (tenant_id, documents) VALUES ($1, 1)"
      " ON CONFLICT (tenant_id) DO UPDATE SET documents = index_stats.documents + 1",
      tenant);
}

void add_pair(pqxx::work& tx, const std::string& tenant, const std::string& issue, const std::string& candidate,
              double score, const std::string& status, int created_days_ago, int updated_days_ago = -1) {
  if (updated_days_ago < 0) updated_days_ago = created_days_ago;
  tx.exec_params(
      "INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status, created_at, updated_at)"
      " VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 day', now() - $7 * interval '1 day')",
      tenant, issue, candidate, score, status, created_days_ago, updated_days_ago);
}

// A minimal fake Jira on 127.0.0.1: answers permission checks (admin-9 is an admin; every project and issue asked is
// granted: an open site) and records issue links.
class fake_jira {
 public:
  std::string base_url() const { return server_.url(""); }
  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<boost::json::object> links() {
    std::lock_guard lock(mutex_);
    return links_;
  }

 private:
  test::server_response handle(const test::server_request& req) {
    namespace http = boost::beast::http;
    test::server_response res{http::status::ok, 11};
    std::string target(req.target());
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(std::string(req.method_string()) + " " + target);
      if (target == "/rest/api/3/issueLink") {
        links_.push_back(boost::json::parse(req.body()).as_object());
        res.result(http::status::created);
      } else if (target == "/rest/api/3/permissions/check") {
        auto asked = boost::json::parse(req.body()).as_object();
        bool admin = asked.at("accountId").as_string() == "admin-9";
        boost::json::array granted;
        if (auto* pp = asked.if_contains("projectPermissions"))
          for (const auto& entry : pp->as_array())
            for (const auto& perm : entry.at("permissions").as_array()) {
              const auto& e = entry.as_object();
              granted.push_back({{"permission", perm},
                                 {"projects", e.contains("projects") ? e.at("projects") : boost::json::array{}},
                                 {"issues", e.contains("issues") ? e.at("issues") : boost::json::array{}}});
            }
        res.body() = boost::json::serialize(boost::json::object{
            {"globalPermissions", admin ? boost::json::array{"ADMINISTER"} : boost::json::array{}},
            {"projectPermissions", granted}});
        res.set(http::field::content_type, "application/json");
      } else {
        res.result(http::status::not_found);
      }
    }
    res.prepare_payload();
    return res;
  }

  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::vector<boost::json::object> links_;
  test::loopback_server server_{[this](const test::server_request& req) { return handle(req); }};
};

// A small harness to call handlers the way the router does, with the objects `serve` wires.
struct harness : test::service_harness {
  net::metrics stats;
  std::string static_dir, descriptor, base_url = "http://localhost", app_key = "io.doppel.jira";
  std::atomic<bool> ready{true};
  handlers::env e{ctx, static_dir, descriptor, base_url, app_key, ready, stats};

  explicit harness(std::string u) : service_harness(std::move(u)) {}

  net::reply call(handlers::handler_fn fn, net::http::verb method, const std::string& target, const std::string& tenant,
                  const std::string& account = "acc-1", const std::string& body = "") {
    net::request req{method, target, 11};
    req.body() = body;
    auto q = target.find('?');
    std::string path = target.substr(0, q);
    std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    net::route r{method, path, net::route_auth::api, 0, "test", {}};
    net::caller who;
    who.tenant_id = tenant;
    who.account_id = account;
    net::request_context ctx{req, r, path, query, {}, who, "req-1"};
    return fn(e, ctx);
  }
};

// Makes an existing tenant a Connect site served by `jira` (pair actions ask it for the viewer's permissions).
void serve_from(pqxx::connection& c, harness& h, const std::string& tenant, const fake_jira& jira) {
  pqxx::work tx(c);
  tx.exec_params("UPDATE tenants SET base_url = $2, secret_box = $3 WHERE tenant_id = $1", tenant, jira.base_url(),
                 h.secrets.seal("shared-secret-of-" + tenant));
  tx.commit();
}

// Every issue id of the tenant (as an issue-level grant of all of them).
std::vector<std::string> ids_of_tenant(pqxx::transaction_base& tx, const std::string& tenant) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_params("SELECT issue_id FROM index_documents WHERE tenant_id = $1", tenant))
    out.push_back(r[0].as<std::string>());
  return out;
}

boost::json::object json_of(const net::reply& r) { return boost::json::parse(r.body).as_object(); }

std::vector<std::string> keys_of(const boost::json::object& page) {
  std::vector<std::string> out;
  for (const auto& it : page.at("items").as_array())
    out.push_back(std::string(it.at("issue").at("key").as_string()) + ">" +
                  std::string(it.at("candidate").at("key").as_string()));
  return out;
}

// Tenant A: 4 projects' worth of issues and pairs; tenant B: the same issue ids and keys, other pairs.
void seed_two_tenants(pqxx::connection& c) {
  add_tenant(c, "tenant-a");
  add_tenant(c, "tenant-b");
  pqxx::work tx(c);
  // Issues 1..20 in A: ABC-1..10, XYZ-11..20. Summaries with search targets.
  for (int i = 1; i <= 20; ++i) {
    std::string project = i <= 10 ? "ABC" : "XYZ";
    std::string summary = "Crash in module " + std::to_string(i);
    if (i == 3) summary = "Login page shows 100% CPU_usage";
    if (i == 4) summary = "=HYPERLINK(\"http://evil\",\"x\")";
    if (i == 5) summary = "Quote \"this\", and a comma\nnew line";
    add_issue(tx, "tenant-a", std::to_string(i), project + "-" + std::to_string(i), project, summary, 1000 * i);
  }
  // Colliding ids and keys in B, different summaries.
  for (int i = 1; i <= 20; ++i)
    add_issue(tx, "tenant-b", std::to_string(i), (i <= 10 ? "ABC-" : "XYZ-") + std::to_string(i),
              i <= 10 ? "ABC" : "XYZ", "Tenant B secret summary " + std::to_string(i), 1000 * i);
  // A's pairs: newer issue first. Scores distinct for a stable order.
  add_pair(tx, "tenant-a", "2", "1", 0.95, "pending", 1);
  add_pair(tx, "tenant-a", "3", "1", 0.90, "pending", 2);
  add_pair(tx, "tenant-a", "4", "2", 0.85, "pending", 3);
  add_pair(tx, "tenant-a", "5", "3", 0.80, "confirmed", 10, 1);
  add_pair(tx, "tenant-a", "6", "4", 0.75, "dismissed", 5);
  add_pair(tx, "tenant-a", "7", "6", 0.55, "pending", 0);
  add_pair(tx, "tenant-a", "12", "11", 0.65, "pending", 0);
  add_pair(tx, "tenant-a", "13", "11", 0.45, "confirmed", 30, 2);
  add_pair(tx, "tenant-a", "14", "12", 0.40, "pending", 100);  // outside the 90-day series
  for (int i = 15; i <= 20; ++i) add_pair(tx, "tenant-a", std::to_string(i), "14", 0.30 - 0.01 * i, "pending", 4);
  // A pair whose candidate is deleted (tombstone): never listed.
  tx.exec_params("UPDATE index_documents SET deleted_ms = 5 WHERE tenant_id = 'tenant-a' AND issue_id = '10'");
  add_pair(tx, "tenant-a", "9", "10", 0.99, "pending", 1);
  // B's pairs: one pending pair with the same ids as one of A's, one confirmed.
  add_pair(tx, "tenant-b", "2", "1", 0.50, "pending", 1);
  add_pair(tx, "tenant-b", "9", "8", 0.60, "confirmed", 1, 1);
  tx.commit();
}

}  // namespace

TEST_CASE("tenant settings: defaults and stored values round-trip, model weights follow fieldWeights") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  service::tenant_settings defaults;
  {
    pqxx::read_transaction tx(c);
    CHECK(service::load_settings(tx, "t1").threshold == doctest::Approx(defaults.threshold));
  }
  // What GET answers is accepted by PUT as is (the admin page sends it back).
  auto again = service::settings_from_json(service::to_json(defaults));
  REQUIRE(again.ok());
  CHECK(again->model == defaults.model);

  auto body = boost::json::parse(R"({"threshold":0.6,
      "fieldWeights":{"summary":4,"description":2,"environment":0,"components":1,"labels":0},
      "projects":["ABC","XYZ","ABC"],"issueTypes":["Bug","Story"],"crossProject":false,
      "commentOnCreate":true,"rescanSchedule":"daily"})");
  auto s = service::settings_from_json(body);
  REQUIRE(s.ok());
  CHECK(s->projects == std::vector<std::string>{"ABC", "XYZ"});
  CHECK(s->model.field_weights[0] == 4);
  CHECK(s->model.field_weights[1] == 2);
  CHECK(s->model.field_weights[2] == 0);
  CHECK(s->model.field_weights[3] == doctest::Approx(0.5));  // mean of components and labels
  {
    store::write_tx tx(c);
    service::save_settings(tx, "t1", *s);
    tx.commit();
  }
  pqxx::read_transaction tx(c);
  auto loaded = service::load_settings(tx, "t1");
  CHECK(loaded.threshold == doctest::Approx(0.6));
  CHECK(loaded.model == s->model);
  CHECK(loaded.components_weight == 1);
  CHECK(loaded.labels_weight == 0);
  CHECK(loaded.projects == s->projects);
  CHECK(loaded.issue_types == std::vector<std::string>{"Bug", "Story"});
  CHECK_FALSE(loaded.cross_project);
  CHECK(loaded.comment_on_create);
  CHECK(loaded.rescan_schedule == "daily");
  auto out = service::to_json(loaded);
  CHECK(out.at("fieldWeights").at("components").as_double() == 1);
  CHECK(out.at("fieldWeights").at("labels").as_double() == 0);
  CHECK(out.at("projects").as_array().size() == 2);

  // "meta" sets components and labels alike; a model block is accepted and fieldWeights wins over it.
  auto meta = service::settings_from_json(boost::json::parse(
      R"({"model":{"field_weights":{"summary":9}},"fieldWeights":{"summary":2,"meta":3}})"));
  REQUIRE(meta.ok());
  CHECK(meta->model.field_weights[0] == 2);
  CHECK(meta->model.field_weights[3] == 3);
  CHECK(meta->components_weight == 3);
}

TEST_CASE("tenant settings: refusal table") {
  const std::vector<std::string> refused = {
      R"([])",
      R"("x")",
      R"({"threshold":1.5})",
      R"({"threshold":-0.1})",
      R"({"threshold":"0.5"})",
      R"({"threshold":null})",
      R"({"fieldWeights":{"summary":-1}})",
      R"({"fieldWeights":{"summary":10.5}})",
      R"({"fieldWeights":{"summary":"3"}})",
      R"({"fieldWeights":{"priority":1}})",
      R"({"fieldWeights":[1,2]})",
      R"({"fieldWeights":{"summary":0,"description":0,"environment":0,"components":0,"labels":0}})",
      R"({"projects":"ABC"})",
      R"({"projects":["abc"]})",
      R"({"projects":["A B"]})",
      R"({"projects":["1AB"]})",
      R"({"projects":[""]})",
      R"({"projects":[1]})",
      R"({"issueTypes":[""]})",
      R"({"issueTypes":["Bug\n"]})",
      R"({"issueTypes":"Bug"})",
      R"({"crossProject":"yes"})",
      R"({"commentOnCreate":1})",
      R"({"rescanSchedule":"hourly"})",
      R"({"rescanSchedule":true})",
      R"({"model":{"k1":-1}})",
      R"({"model":{"unknown":1}})",
      R"({"model":[]})",
      R"({"unknownSetting":true})",
  };
  for (const auto& text : refused) {
    CAPTURE(text);
    auto r = service::settings_from_json(boost::json::parse(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::unprocessable);
    CHECK(r.error().stable_code == "invalid_settings");
  }
  std::string many = R"({"projects":[)";
  for (int i = 0; i < 501; ++i) many += (i ? ",\"P" : "\"P") + std::to_string(i) + "\"";
  many += "]}";
  CHECK_FALSE(service::settings_from_json(boost::json::parse(many)).ok());
  // Accepted edge values.
  for (const auto* text : {R"({})", R"({"threshold":0})", R"({"threshold":1})", R"({"fieldWeights":{"labels":10}})",
                           R"({"projects":[],"issueTypes":[]})", R"({"rescanSchedule":"off"})"}) {
    CAPTURE(text);
    CHECK(service::settings_from_json(boost::json::parse(text)).ok());
  }
}

TEST_CASE("dashboard: pairs listing filters, search, ordering and paging") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;  // an open site: the viewer may browse every issue
  serve_from(c, h, "tenant-a", jira);
  using verb = net::http::verb;

  auto all = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?status=&pageSize=100", "tenant-a"));
  CHECK(all.at("total").as_int64() == 15);  // 16 stored, one with a deleted candidate
  auto keys = keys_of(all);
  REQUIRE(keys.size() == 15);
  CHECK(keys.front() == "ABC-2>ABC-1");  // highest score first
  CHECK(std::find(keys.begin(), keys.end(), "ABC-9>ABC-10") == keys.end());
  const auto& first = all.at("items").as_array()[0].as_object();
  CHECK(first.at("issue").at("summary").as_string() == "Crash in module 2");
  CHECK(first.at("issue").at("project").as_string() == "ABC");
  CHECK(first.at("issue").at("status").as_string() == "Open");
  CHECK(first.at("score").as_double() == doctest::Approx(0.95));
  CHECK(first.at("status").as_string() == "pending");
  CHECK(first.at("createdAt").as_string().size() == 24);  // 2026-01-01T00:00:00.000Z

  auto pending = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?status=pending&pageSize=100", "tenant-a"));
  CHECK(pending.at("total").as_int64() == 12);
  auto confirmed = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?status=confirmed", "tenant-a"));
  CHECK(keys_of(confirmed) == std::vector<std::string>{"ABC-5>ABC-3", "XYZ-13>XYZ-11"});
  auto xyz = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?project=XYZ&status=&pageSize=100", "tenant-a"));
  CHECK(xyz.at("total").as_int64() == 9);
  auto scored = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?minScore=0.8&status=", "tenant-a"));
  CHECK(keys_of(scored) == std::vector<std::string>{"ABC-2>ABC-1", "ABC-3>ABC-1", "ABC-4>ABC-2", "ABC-5>ABC-3"});

  // Search: key or summary of either issue, case-insensitive; % and _ are literal.
  auto login = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?q=login+PAGE&status=", "tenant-a"));
  CHECK(keys_of(login) == std::vector<std::string>{"ABC-3>ABC-1", "ABC-5>ABC-3"});
  auto percent = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?q=100%25+CPU_&status=", "tenant-a"));
  CHECK(percent.at("total").as_int64() == 2);
  auto literal = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?q=1_0&status=", "tenant-a"));
  CHECK(literal.at("total").as_int64() == 0);
  auto by_key = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?q=xyz-11&status=", "tenant-a"));
  CHECK(keys_of(by_key) == std::vector<std::string>{"XYZ-12>XYZ-11", "XYZ-13>XYZ-11"});

  // Paging: disjoint pages covering everything in order.
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    auto p = json_of(h.call(handlers::list_pairs, verb::get,
                            "/api/pairs?status=&pageSize=4&page=" + std::to_string(page), "tenant-a"));
    CHECK(p.at("page").as_int64() == page);
    CHECK(p.at("pageSize").as_int64() == 4);
    CHECK(p.at("total").as_int64() == 15);
    auto k = keys_of(p);
    CHECK(k.size() == (page < 4 ? 4u : 3u));
    paged.insert(paged.end(), k.begin(), k.end());
  }
  CHECK(paged == keys);
  auto beyond = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?page=99", "tenant-a"));
  CHECK(beyond.at("items").as_array().empty());

  // Bad filters are 400 invalid_filter.
  for (const auto* target : {"/api/pairs?status=open", "/api/pairs?project=abc", "/api/pairs?minScore=2",
                             "/api/pairs?minScore=x", "/api/pairs?page=0", "/api/pairs?pageSize=101",
                             "/api/pairs?page=1.5", "/api/pairs?q=%0A"}) {
    CAPTURE(target);
    auto r = h.call(handlers::list_pairs, verb::get, target, "tenant-a");
    CHECK(r.status == net::http::status::bad_request);
    CHECK(json_of(r).at("error").as_string() == "invalid_filter");
  }
}

TEST_CASE("dashboard: CSV cells are RFC 4180 quoted and formulas neutralised") {
  CHECK(service::csv_cell("plain") == "plain");
  CHECK(service::csv_cell("") == "");
  CHECK(service::csv_cell("a,b") == "\"a,b\"");
  CHECK(service::csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(service::csv_cell("two\nlines") == "\"two\nlines\"");
  CHECK(service::csv_cell("=1+2") == "'=1+2");
  CHECK(service::csv_cell("+1") == "'+1");
  CHECK(service::csv_cell("-2+3") == "'-2+3");
  CHECK(service::csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(service::csv_cell("\tx") == "'\tx");
  CHECK(service::csv_cell("=A1,B1") == "\"'=A1,B1\"");
  CHECK(service::csv_cell("a=b") == "a=b");

  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;
  serve_from(c, h, "tenant-a", jira);
  auto r = h.call(handlers::pairs_csv, net::http::verb::get, "/api/pairs.csv?status=", "tenant-a");
  CHECK(r.status == net::http::status::ok);
  CHECK(r.content_type == "text/csv; charset=utf-8");
  bool attachment = false;
  for (const auto& [k, v] : r.headers)
    if (k == "Content-Disposition") attachment = v.rfind("attachment;", 0) == 0;
  CHECK(attachment);
  const auto& csv = r.body;
  CHECK(csv.rfind("issue_key,issue_summary,issue_project,issue_status,candidate_key,candidate_summary,"
                  "candidate_project,candidate_status,score,status,created_at,last_action,last_action_by,last_action_at\r\n",
                  0) == 0);
  CHECK(csv.find("ABC-4,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",ABC,Open,ABC-2,Crash in module 2,ABC,Open,"
                 "0.8500,pending,") != std::string::npos);
  CHECK(csv.find("\"Quote \"\"this\"\", and a comma\nnew line\"") != std::string::npos);
  CHECK(csv.find("Tenant B") == std::string::npos);
  // 15 rows + header, CRLF line ends (the embedded LF inside a quoted cell is not a row end).
  std::size_t lines = 0;
  for (std::size_t p = csv.find("\r\n"); p != std::string::npos; p = csv.find("\r\n", p + 2)) ++lines;
  CHECK(lines == 16);

  // Paged reading returns the same rows as one page; max_rows bounds the export.
  pqxx::read_transaction tx(c);
  store::pair_filter all;
  const store::visible_issues everything{{}, ids_of_tenant(tx, "tenant-a")};
  CHECK(service::build_pairs_csv(tx, "tenant-a", all, everything, 50000, 2) ==
        service::build_pairs_csv(tx, "tenant-a", all, everything, 50000));
  auto bounded = service::build_pairs_csv(tx, "tenant-a", all, everything, 5, 2);
  std::size_t bounded_lines = 0;
  for (std::size_t p = bounded.find("\r\n"); p != std::string::npos; p = bounded.find("\r\n", p + 2)) ++bounded_lines;
  CHECK(bounded_lines == 6);
}

TEST_CASE("dashboard: summary numbers and status") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;
  serve_from(c, h, "tenant-a", jira);
  auto s = json_of(h.call(handlers::dashboard_summary, net::http::verb::get, "/api/dashboard/summary", "tenant-a"));
  const auto& head = s.at("headline").as_object();
  CHECK(head.at("pending").as_int64() == 12);
  CHECK(head.at("confirmed").as_int64() == 2);
  CHECK(head.at("dismissed").as_int64() == 1);
  CHECK(head.at("issues").as_int64() == 19);  // live issues the viewer may browse (issue 10 is a tombstone)

  const auto& series = s.at("series").as_array();
  REQUIRE(series.size() == 90);
  std::int64_t found = 0, confirmed = 0;
  for (const auto& d : series) {
    found += d.at("found").as_int64();
    confirmed += d.at("confirmed").as_int64();
  }
  CHECK(found == 14);      // 15 listed pairs minus the one created 100 days ago
  CHECK(confirmed == 2);   // confirmed 1 and 2 days ago
  const auto& today = series.back().as_object();
  CHECK(today.at("found").as_int64() == 2);  // ABC-7 and XYZ-12 pairs, created today
  CHECK(series[88].at("confirmed").as_int64() == 1);
  CHECK(series.front().at("date").as_string() < series.back().at("date").as_string());

  const auto& projects = s.at("byProject").as_array();
  REQUIRE(projects.size() == 2);
  CHECK(projects[0].at("project").as_string() == "XYZ");
  CHECK(projects[0].at("found").as_int64() == 9);
  CHECK(projects[0].at("confirmed").as_int64() == 1);
  CHECK(projects[1].at("project").as_string() == "ABC");
  CHECK(projects[1].at("found").as_int64() == 6);
  CHECK(projects[1].at("confirmed").as_int64() == 1);

  // Status: no backfill yet → idle; then a running backfill with progress.
  auto st = json_of(h.call(handlers::api_status, net::http::verb::get, "/api/status", "tenant-a"));
  CHECK(st.at("backfill").at("state").as_string() == "idle");
  CHECK(st.at("backfill").at("rate").is_null());
  CHECK(st.at("index").at("issues").as_int64() == 20);
  CHECK(st.at("index").at("lastEventAt").is_null());
  {
    pqxx::work tx(c);
    tx.exec("INSERT INTO backfill_progress (tenant_id, state, jql, seen, indexed, total_estimate, started_at)"
            " VALUES ('tenant-a', 'running', 'x', 120, 100, 1000, now() - interval '50 seconds')");
    tx.exec("INSERT INTO index_terms (tenant_id, term, df) VALUES ('tenant-a', 'crash', 3), ('tenant-a', 'login', 1)");
    tx.exec("INSERT INTO inbox (tenant_id, delivery_id, source, event, payload, received_at)"
            " VALUES ('tenant-a', 'd1', 'connect', 'created', '{}', '2026-03-04T05:06:07.890Z')");
    tx.commit();
  }
  st = json_of(h.call(handlers::api_status, net::http::verb::get, "/api/status", "tenant-a"));
  const auto& b = st.at("backfill").as_object();
  CHECK(b.at("state").as_string() == "running");
  CHECK(b.at("seen").as_int64() == 120);
  CHECK(b.at("indexed").as_int64() == 100);
  CHECK(b.at("total").as_int64() == 1000);
  // Progress counts issues read from Jira: 120 in 50 s (a little more now) is about 2.4 issues/s, and the 880 left
  // take about 367 s.
  CHECK(b.at("rate").as_double() > 2.0);
  CHECK(b.at("rate").as_double() <= 2.4);
  CHECK(b.at("etaSeconds").as_double() >= 366.0);
  CHECK(b.at("etaSeconds").as_double() < 450.0);
  CHECK(st.at("index").at("terms").as_int64() == 2);
  CHECK(st.at("index").at("lastEventAt").as_string() == "2026-03-04T05:06:07.890Z");
  // Tenant B sees none of it.
  auto stb = json_of(h.call(handlers::api_status, net::http::verb::get, "/api/status", "tenant-b"));
  CHECK(stb.at("backfill").at("state").as_string() == "idle");
  CHECK(stb.at("index").at("terms").as_int64() == 0);
}

TEST_CASE("admin handlers: cached admin check, config, backfill, rescan, stats, delete-data") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  using verb = net::http::verb;

  // No account id, a remembered non-admin: 403 not_admin without calling Jira.
  auto anon = h.call(handlers::get_config, verb::get, "/api/admin/config", "tenant-a", "");
  CHECK(anon.status == net::http::status::forbidden);
  CHECK(json_of(anon).at("error").as_string() == "not_admin");
  h.admins.put("tenant-a", "user-1", false);
  auto user = h.call(handlers::put_config, verb::put, "/api/admin/config", "tenant-a", "user-1", R"({"threshold":0.9})");
  CHECK(user.status == net::http::status::forbidden);
  CHECK(json_of(user).at("error").as_string() == "not_admin");
  // An unknown tenant cannot be asked: not an admin of anything.
  auto unknown = h.call(handlers::admin_stats, verb::get, "/api/admin/stats", "tenant-z", "admin-1");
  CHECK(unknown.status == net::http::status::not_found);

  h.admins.put("tenant-a", "admin-1", true);
  auto got = h.call(handlers::get_config, verb::get, "/api/admin/config", "tenant-a", "admin-1");
  REQUIRE(got.status == net::http::status::ok);
  auto cfg = json_of(got);
  CHECK(cfg.at("threshold").as_double() == doctest::Approx(core::default_likely_threshold));
  CHECK(cfg.at("fieldWeights").as_object().size() == 5);
  // What the threshold means, from the dev curve: rising thresholds find fewer duplicates and flag fewer issues.
  const auto& curve = cfg.at("thresholdCurve").as_array();
  REQUIRE(curve.size() >= 3);
  CHECK(curve.front().at("duplicatesFound").as_double() >= curve.back().at("duplicatesFound").as_double());
  CHECK(curve.front().at("falseFlagsPerCleanIssue").as_double() > curve.back().at("falseFlagsPerCleanIssue").as_double());

  cfg["threshold"] = 0.5;  // sent back with the read-only curve, as the admin page does
  cfg["projects"] = boost::json::array{"ABC"};
  auto put = h.call(handlers::put_config, verb::put, "/api/admin/config", "tenant-a", "admin-1",
                    boost::json::serialize(cfg));
  REQUIRE(put.status == net::http::status::ok);
  CHECK(json_of(put).at("threshold").as_double() == doctest::Approx(0.5));
  auto bad = h.call(handlers::put_config, verb::put, "/api/admin/config", "tenant-a", "admin-1", R"({"threshold":2})");
  CHECK(bad.status == net::http::status::unprocessable_entity);
  CHECK(json_of(bad).at("error").as_string() == "invalid_settings");
  auto not_json = h.call(handlers::put_config, verb::put, "/api/admin/config", "tenant-a", "admin-1", "{");
  CHECK(not_json.status == net::http::status::bad_request);
  {
    pqxx::read_transaction tx(c);
    CHECK(service::load_settings(tx, "tenant-a").threshold == doctest::Approx(0.5));
    CHECK(service::load_settings(tx, "tenant-b").threshold == doctest::Approx(core::default_likely_threshold));
  }

  // Backfill start: progress row with a bounded JQL from the projects, one queued job; stop.
  auto start = h.call(handlers::start_backfill, verb::post, "/api/admin/backfill", "tenant-a", "admin-1");
  CHECK(start.status == net::http::status::accepted);
  {
    pqxx::read_transaction tx(c);
    auto r = tx.exec("SELECT state, jql, seen FROM backfill_progress WHERE tenant_id = 'tenant-a'");
    REQUIRE(r.size() == 1);
    CHECK(r[0][0].as<std::string>() == "running");
    CHECK(r[0][1].as<std::string>().find("ABC") != std::string::npos);
    CHECK(r[0][1].as<std::string>().find("ORDER BY") != std::string::npos);
    CHECK(tx.exec("SELECT count(*) FROM jobs WHERE tenant_id = 'tenant-a' AND kind = 'backfill'")[0][0].as<int>() == 1);
  }
  auto stop = h.call(handlers::stop_backfill, verb::delete_, "/api/admin/backfill", "tenant-a", "admin-1");
  CHECK(json_of(stop).at("state").as_string() == "stopped");

  auto rescan = h.call(handlers::queue_rescan, verb::post, "/api/admin/rescan", "tenant-a", "admin-1");
  CHECK(rescan.status == net::http::status::accepted);
  auto rescan2 = h.call(handlers::queue_rescan, verb::post, "/api/admin/rescan", "tenant-a", "admin-1");
  CHECK(json_of(rescan2).at("alreadyQueued").as_bool());

  auto stats = json_of(h.call(handlers::admin_stats, verb::get, "/api/admin/stats", "tenant-a", "admin-1"));
  CHECK(stats.at("issues").as_int64() == 20);
  CHECK(stats.at("pendingPairs").as_int64() == 12);
  CHECK(stats.at("confirmedPairs").as_int64() == 2);
  CHECK(stats.at("dismissedPairs").as_int64() == 1);
  // backfill + on-demand rescan + the scheduled rescan the config save planned (weekly by default)
  CHECK(stats.at("queuedJobs").as_int64() == 3);
  {
    pqxx::read_transaction tx(c);
    CHECK(tx.exec("SELECT count(*) FROM jobs WHERE tenant_id = 'tenant-a' AND unique_key = 'rescan:scheduled'")[0][0]
              .as<int>() == 1);
  }
  CHECK(stats.at("backfillState").as_string() == "stopped");

  // Delete-data: tenant A's data goes, its row and settings stay; tenant B keeps everything.
  auto del = h.call(handlers::delete_data, verb::post, "/api/admin/delete-data", "tenant-a", "admin-1");
  REQUIRE(del.status == net::http::status::ok);
  CHECK(json_of(del).at("pairs").as_int64() == 16);
  pqxx::read_transaction tx(c);
  for (const auto* table : {"index_documents", "pairs", "backfill_progress", "jobs", "index_stats"}) {
    CAPTURE(table);
    CHECK(tx.exec_params(std::string("SELECT count(*) FROM ") + table + " WHERE tenant_id = $1", "tenant-a")[0][0]
              .as<int>() == 0);
  }
  CHECK(tx.exec("SELECT count(*) FROM tenants WHERE tenant_id = 'tenant-a'")[0][0].as<int>() == 1);
  CHECK(service::load_settings(tx, "tenant-a").threshold == doctest::Approx(0.5));
  CHECK(tx.exec("SELECT count(*) FROM index_documents WHERE tenant_id = 'tenant-b'")[0][0].as<int>() == 20);
  CHECK(tx.exec("SELECT count(*) FROM pairs WHERE tenant_id = 'tenant-b'")[0][0].as<int>() == 2);
}

TEST_CASE("dashboard: tenant B never sees tenant A's pairs (colliding issue ids and keys)") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;
  serve_from(c, h, "tenant-b", jira);
  using verb = net::http::verb;
  {
    pqxx::read_transaction tx(c);
    store::pair_filter all;
    const store::visible_issues everything{{}, ids_of_tenant(tx, "tenant-b")};
    auto b = store::list_pairs(tx, "tenant-b", all, everything, 0, 100);
    REQUIRE(b.size() == 2);
    for (const auto& it : b) CHECK(it.issue.summary.rfind("Tenant B", 0) == 0);
    CHECK(store::count_pairs(tx, "tenant-b", all, everything) == 2);
    auto counts = store::count_by_status(tx, "tenant-b");
    CHECK(counts.pending == 1);
    CHECK(counts.confirmed == 1);
    CHECK(counts.dismissed == 0);
    // A's pair ABC-3 > ABC-1 exists only in A.
    CHECK(store::find_pair_by_keys(tx, "tenant-a", "ABC-3", "ABC-1").has_value());
    CHECK_FALSE(store::find_pair_by_keys(tx, "tenant-b", "ABC-3", "ABC-1").has_value());
    auto shared = store::find_pair_by_keys(tx, "tenant-b", "ABC-2", "ABC-1");
    REQUIRE(shared.has_value());
    CHECK(shared->score == doctest::Approx(0.5));
    CHECK(store::by_project(tx, "tenant-b", 50, everything).size() == 1);
    auto series = store::daily_series(tx, "tenant-b", 90, everything);
    std::int64_t found = 0;
    for (const auto& d : series) found += d.found;
    CHECK(found == 2);
  }
  auto search = json_of(h.call(handlers::list_pairs, verb::get, "/api/pairs?q=login&status=", "tenant-b"));
  CHECK(search.at("total").as_int64() == 0);
  auto csv = h.call(handlers::pairs_csv, verb::get, "/api/pairs.csv?status=", "tenant-b").body;
  CHECK(csv.find("Crash") == std::string::npos);
  CHECK(csv.find("HYPERLINK") == std::string::npos);

  // Bulk dismiss as B: A-only pairs are not found, B's own pair is dismissed; A's copy is untouched.
  auto r = h.call(handlers::bulk_pairs, verb::post, "/api/pairs/bulk", "tenant-b", "acc",
                  R"({"action":"dismiss","pairs":[{"issue":"ABC-3","candidate":"ABC-1"},{"issue":"ABC-2","candidate":"ABC-1"}]})");
  REQUIRE(r.status == net::http::status::ok);
  auto out = json_of(r);
  CHECK(out.at("done").as_int64() == 1);
  REQUIRE(out.at("failed").as_array().size() == 1);
  CHECK(out.at("failed").as_array()[0].at("issue").as_string() == "ABC-3");
  CHECK(out.at("failed").as_array()[0].at("error").as_string() == "pair_not_found");
  pqxx::read_transaction tx(c);
  CHECK(tx.exec("SELECT status FROM pairs WHERE tenant_id = 'tenant-b' AND issue_id = '2'")[0][0].as<std::string>() ==
        "dismissed");
  CHECK(tx.exec("SELECT status FROM pairs WHERE tenant_id = 'tenant-a' AND issue_id = '2'")[0][0].as<std::string>() ==
        "pending");
}

TEST_CASE("dashboard: bulk request validation") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;
  serve_from(c, h, "tenant-a", jira);
  auto call = [&](const std::string& body) {
    return h.call(handlers::bulk_pairs, net::http::verb::post, "/api/pairs/bulk", "tenant-a", "acc", body);
  };
  CHECK(call("{").status == net::http::status::bad_request);
  CHECK(call(R"({"action":"merge","pairs":[]})").status == net::http::status::bad_request);
  CHECK(call(R"({"action":"dismiss"})").status == net::http::status::bad_request);
  CHECK(call(R"({"action":"dismiss","pairs":[{"issue":"ABC-1"}]})").status == net::http::status::bad_request);
  CHECK(call(R"({"action":"dismiss","pairs":[{"issue":"ABC-1","candidate":"ABC-1"}]})").status ==
        net::http::status::bad_request);
  std::string many = R"({"action":"dismiss","pairs":[)";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + R"({"issue":"ABC-)" + std::to_string(i + 2) + R"(","candidate":"ABC-1"})";
  many += "]}";
  auto too_many = call(many);
  CHECK(too_many.status == net::http::status::unprocessable_entity);
  CHECK(json_of(too_many).at("error").as_string() == "too_many_pairs");
  // Duplicates in one call are done once; the reverse direction finds the same pair.
  auto r = json_of(call(R"({"action":"dismiss","pairs":[{"issue":"ABC-2","candidate":"ABC-1"},)"
                        R"({"issue":"ABC-2","candidate":"ABC-1"},{"issue":"ABC-1","candidate":"ABC-3"}]})"));
  CHECK(r.at("done").as_int64() == 2);
  CHECK(r.at("failed").as_array().empty());
  // Link of an already confirmed pair needs no Jira call.
  auto linked = json_of(call(R"({"action":"link","pairs":[{"issue":"ABC-5","candidate":"ABC-3"}]})"));
  CHECK(linked.at("done").as_int64() == 1);
  // The review queue takes the panel's issue key rule: a malformed key is refused outright (it used to pass as
  // "pair_not_found"), and nothing changes.
  auto malformed = call(R"({"action":"dismiss","pairs":[{"issue":"not a key!","candidate":"ABC-1"}]})");
  CHECK(malformed.status == net::http::status::bad_request);
  CHECK(json_of(malformed).at("error").as_string() == "invalid_bulk");
}

TEST_CASE("every pair status change queues the badge refresh of the pair's issue, the bulk action too") {
  harness h(test::fresh_database_url());
  pqxx::connection c(h.url);
  seed_two_tenants(c);
  fake_jira jira;
  serve_from(c, h, "tenant-a", jira);
  auto flag_jobs = [&](const std::string& issue_id) {
    pqxx::read_transaction tx(c);
    return tx.exec_params1("SELECT count(*) FROM jobs WHERE tenant_id = 'tenant-a' AND kind = 'publish_flags'"
                           " AND unique_key = $1 AND payload->>'refresh' = 'true'",
                           "flags:" + issue_id)[0]
        .as<int>();
  };
  REQUIRE(flag_jobs("2") == 0);
  auto r = h.call(handlers::bulk_pairs, net::http::verb::post, "/api/pairs/bulk", "tenant-a", "acc",
                  R"({"action":"dismiss","pairs":[{"issue":"ABC-2","candidate":"ABC-1"}]})");
  REQUIRE(r.status == net::http::status::ok);
  CHECK(json_of(r).at("done").as_int64() == 1);
  CHECK(flag_jobs("2") == 1);  // the bulk action used to change the status and leave the badge stale
  net::request req{net::http::verb::post, "/api/pairs/ABC-3/ABC-1/dismiss", 11};
  net::route route{net::http::verb::post, "/api/pairs/{issueKey}/{candidateKey}/dismiss", net::route_auth::api, 0, "t", {}};
  net::caller who;
  who.tenant_id = "tenant-a";
  who.account_id = "acc";
  net::request_context ctx{req, route, req.target(), "", {{"issueKey", "ABC-3"}, {"candidateKey", "ABC-1"}}, who, "r"};
  REQUIRE(handlers::dismiss_pair(h.e, ctx).status == net::http::status::ok);
  CHECK(flag_jobs("3") == 1);
}

TEST_CASE("admin check asks Jira once per (tenant, account) within the ttl, bulk link creates Duplicate links") {
  fake_jira jira;
  harness h(test::fresh_database_url());
  h.ctx.http = std::make_shared<const jira::http_client>();
  pqxx::connection c(h.url);
  test::add_connect_tenant(c, h.secrets, "site-1", jira.base_url(), "shared-secret-of-site-1");
  test::add_connect_tenant(c, h.secrets, "site-down", "http://127.0.0.1:1", "shared-secret-of-site-down");
  using verb = net::http::verb;

  auto admin = h.call(handlers::get_config, verb::get, "/api/admin/config", "site-1", "admin-9");
  CHECK(admin.status == net::http::status::ok);
  auto again = h.call(handlers::admin_stats, verb::get, "/api/admin/stats", "site-1", "admin-9");
  CHECK(again.status == net::http::status::ok);
  auto user = h.call(handlers::get_config, verb::get, "/api/admin/config", "site-1", "user-9");
  CHECK(user.status == net::http::status::forbidden);
  CHECK(json_of(user).at("error").as_string() == "not_admin");
  auto user_again = h.call(handlers::start_backfill, verb::post, "/api/admin/backfill", "site-1", "user-9");
  CHECK(user_again.status == net::http::status::forbidden);
  auto checks = jira.calls();
  CHECK(std::count(checks.begin(), checks.end(), "POST /rest/api/3/permissions/check") == 2);
  CHECK(h.admins.get("site-1", "admin-9") == std::optional<bool>(true));
  CHECK(h.admins.get("site-1", "user-9") == std::optional<bool>(false));
  // The same account on another site is asked there (and that Jira is down: 503, nothing remembered).
  auto down = h.call(handlers::get_config, verb::get, "/api/admin/config", "site-down", "admin-9");
  CHECK(down.status == net::http::status::service_unavailable);
  CHECK(json_of(down).at("error").as_string() == "jira_unreachable");
  CHECK_FALSE(h.admins.get("site-down", "admin-9").has_value());

  // Bulk link: the older issue is inward ("is duplicated by"), the newer outward; pairs confirmed.
  {
    pqxx::work tx(c);
    add_issue(tx, "site-1", "1", "S-1", "S", "old", 1000);
    add_issue(tx, "site-1", "2", "S-2", "S", "new", 2000);
    add_issue(tx, "site-1", "3", "S-3", "S", "newest", 3000);
    add_pair(tx, "site-1", "2", "1", 0.9, "pending", 0);
    add_pair(tx, "site-1", "3", "2", 0.8, "pending", 0);
    tx.commit();
  }
  auto r = h.call(handlers::bulk_pairs, verb::post, "/api/pairs/bulk", "site-1", "admin-9",
                  R"({"action":"link","pairs":[{"issue":"S-2","candidate":"S-1"},{"issue":"S-2","candidate":"S-3"},)"
                  R"({"issue":"S-9","candidate":"S-1"}]})");
  REQUIRE(r.status == net::http::status::ok);
  auto out = json_of(r);
  CHECK(out.at("done").as_int64() == 2);
  REQUIRE(out.at("failed").as_array().size() == 1);
  CHECK(out.at("failed").as_array()[0].at("issue").as_string() == "S-9");
  auto links = jira.links();
  REQUIRE(links.size() == 2);
  CHECK(links[0].at("type").at("name").as_string() == "Duplicate");
  CHECK(links[0].at("inwardIssue").at("key").as_string() == "S-1");
  CHECK(links[0].at("outwardIssue").at("key").as_string() == "S-2");
  CHECK(links[1].at("inwardIssue").at("key").as_string() == "S-2");
  CHECK(links[1].at("outwardIssue").at("key").as_string() == "S-3");
  {
    pqxx::read_transaction tx(c);
    CHECK(store::count_by_status(tx, "site-1").confirmed == 2);
  }

  // The panel's link follows the same rule: looking at the older S-1 with the newer S-3 as candidate, S-3 is the
  // duplicate (the panel used to make the issue being looked at the duplicate, whatever its age).
  net::request req{verb::post, "/api/pairs/S-1/S-3/link", 11};
  net::route route{verb::post, "/api/pairs/{issueKey}/{candidateKey}/link", net::route_auth::api, 0, "t", {}};
  net::caller who;
  who.tenant_id = "site-1";
  who.account_id = "user-9";
  net::request_context ctx{req, route, req.target(), "", {{"issueKey", "S-1"}, {"candidateKey", "S-3"}}, who, "r"};
  REQUIRE(handlers::link_pair(h.e, ctx).status == net::http::status::ok);
  links = jira.links();
  REQUIRE(links.size() == 3);
  CHECK(links[2].at("inwardIssue").at("key").as_string() == "S-1");
  CHECK(links[2].at("outwardIssue").at("key").as_string() == "S-3");
}
