// Pair action history, personal data reporting and inbox retention against a real PostgreSQL and a loopback fake
// Jira: actions recorded with the pair change, the history filtered for the viewer, the CSV's last-action columns,
// closed accounts erased by the report job, and processed inbox rows deleted after the window (nothing else).
#include "integration/test_db.hpp"
#include "integration/test_seed.hpp"
#include "service/dashboard.hpp"
#include "service/history.hpp"
#include "service/pairs.hpp"
#include "service/privacy.hpp"
#include "service/retention.hpp"
#include "store/dashboard_store.hpp"
#include "store/history_store.hpp"
#include "store/inbox.hpp"
#include "store/index_cache.hpp"
#include "store/worker_pool.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace doppel;

namespace {

// Jira for these tests on 127.0.0.1: the bulk permission check from a table (account → project ids it may browse
// and link in; issue ids granted by their project) and the personal data reporting API (closed accounts listed).
class fake_site {
 public:
  std::map<std::string, std::set<std::string>> browse;  // account id → project ids
  std::map<std::string, std::string> project_of;       // issue id → project id
  std::set<std::string> closed;                         // accounts Atlassian answers "closed" for
  std::string cycle_period;                             // Cycle-Period header ("" = none)

  std::string base_url() const { return server_.url(""); }
  std::vector<boost::json::object> reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  boost::json::object permission_answer(const boost::json::object& asked) {
    const std::string account(asked.at("accountId").as_string());
    const auto& mine = browse[account];
    boost::json::array granted;
    if (auto* pp = asked.if_contains("projectPermissions"))
      for (const auto& entry : pp->as_array()) {
        boost::json::array projects, issues;
        if (auto* p = entry.as_object().if_contains("projects"))
          for (const auto& id : p->as_array())
            if (mine.count(std::to_string(id.to_number<std::int64_t>()))) projects.push_back(id);
        if (auto* i = entry.as_object().if_contains("issues"))
          for (const auto& id : i->as_array())
            if (mine.count(project_of[std::to_string(id.to_number<std::int64_t>())])) issues.push_back(id);
        for (const auto& perm : entry.at("permissions").as_array())
          granted.push_back({{"permission", perm}, {"projects", projects}, {"issues", issues}});
      }
    return {{"globalPermissions", boost::json::array{}}, {"projectPermissions", granted}};
  }

  test::server_response handle(const test::server_request& req) {
    namespace http = boost::beast::http;
    test::server_response res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    const std::string target(req.target());
    {
      std::lock_guard lock(mutex_);
      if (target == "/rest/api/3/permissions/check") {
        res.body() = boost::json::serialize(permission_answer(boost::json::parse(req.body()).as_object()));
      } else if (target == "/app/report-accounts/") {
        auto body = boost::json::parse(req.body()).as_object();
        reports_.push_back(body);
        boost::json::array actions;
        for (const auto& a : body.at("accounts").as_array())
          if (closed.count(std::string(a.at("accountId").as_string())))
            actions.push_back({{"accountId", a.at("accountId")}, {"status", "closed"}});
        if (!cycle_period.empty()) res.set("Cycle-Period", cycle_period);
        if (actions.empty()) res.result(http::status::no_content);
        else res.body() = boost::json::serialize(boost::json::object{{"accounts", actions}});
      } else {
        res.result(http::status::not_found);
      }
    }
    res.prepare_payload();
    return res;
  }

  std::mutex mutex_;
  std::vector<boost::json::object> reports_;
  test::loopback_server server_{[this](const test::server_request& req) { return handle(req); }};
};

using harness = test::service_harness;

void exec(pqxx::connection& c, const std::string& sql) {
  pqxx::work tx(c);
  tx.exec(sql);
  tx.commit();
}

std::string one(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? std::string("<null>") : r[0][0].as<std::string>();
}

constexpr const char* tenant = "t-hist";
constexpr const char* dev = "5b10ac8d82e05b22cc7d4e02";    // browses project 1 (OPEN) only
constexpr const char* admin = "5b10ac8d82e05b22cc7d4e01";  // browses OPEN and HR (project 2)

// OPEN-1/OPEN-2/OPEN-3 in project 1, HR-1 in project 2; pending pairs OPEN-2>OPEN-1, OPEN-3>OPEN-1, HR-1>OPEN-1.
void seed(pqxx::connection& c, harness& h, fake_site& site) {
  test::add_connect_tenant(c, h.secrets, tenant, site.base_url(), "shared-secret");
  pqxx::work tx(c);
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> issues{
      {"101", "OPEN-1", "OPEN", "1"}, {"102", "OPEN-2", "OPEN", "1"}, {"103", "OPEN-3", "OPEN", "1"}, {"201", "HR-1", "HR", "2"}};
  for (const auto& [id, key, project, project_id] : issues) {
    test::add_issue(tx, tenant, {.id = id, .key = key, .project = project, .summary = "Summary of " + key,
                                 .created_ms = std::stoll(id), .project_id = project_id, .level = ""});
    site.project_of[id] = project_id;
  }
  for (const auto* issue : {"102", "103", "201"})
    tx.exec_params("INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status) VALUES ($1, $2, '101', 0.5, 'pending')",
                   tenant, issue);
  tx.commit();
  site.browse[dev] = {"1"};
  site.browse[admin] = {"1", "2"};
}

auth::caller as(const std::string& account) {
  auth::caller who;
  who.tenant_id = tenant;
  who.account_id = account;
  return who;
}

std::vector<std::string> history_lines(const boost::json::object& page) {
  std::vector<std::string> out;
  for (const auto& it : page.at("items").as_array()) {
    const auto& o = it.as_object();
    out.push_back(std::string(o.at("issue").at("key").as_string()) + ">" + std::string(o.at("candidate").at("key").as_string()) +
                  " " + std::string(o.at("action").as_string()) + (o.at("bulk").as_bool() ? " bulk" : "") + " by " +
                  (o.at("by").is_null() ? std::string("null") : std::string(o.at("by").as_string())));
  }
  return out;
}

// The CSV export as the admin downloads it (the use-case). unwrap() takes either answer shape of pairs_csv: the
// text, or a result of it once the export is filtered for the viewer.
[[maybe_unused]] std::string unwrap(std::string text) { return text; }
[[maybe_unused]] std::string unwrap(const result<std::string>& text) {
  REQUIRE(text);
  return *text;
}
std::string export_csv(harness& h) { return unwrap(service::pairs_csv(h.ctx, as(admin), {})); }

// Runs the report job as a worker would: the queued job is claimed (no longer queued), then processed.
void run_report_job(harness& h) {
  h.db.write([&](store::write_tx& tx) {
    tx.exec_params0("DELETE FROM jobs WHERE tenant_id = $1 AND kind = 'report_accounts' AND state = 'queued'", tenant);
    service::report_accounts(tx, h.ctx, tenant);
  });
}

}  // namespace

TEST_CASE("history: each pair action is recorded with who and when, in the pair change's transaction") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  harness h(url);
  fake_site site;
  seed(c, h, site);

  REQUIRE(service::decide_pair(h.ctx, as(dev), "OPEN-2", "OPEN-1", service::pair_action::dismiss));
  REQUIRE(service::decide_pair(h.ctx, as(dev), "OPEN-2", "OPEN-1", service::pair_action::restore));
  auto bulk = service::decide_pairs(h.ctx, as(admin), service::pair_action::dismiss, {{"HR-1", "OPEN-1"}, {"OPEN-3", "OPEN-1"}});
  REQUIRE(bulk);
  CHECK(bulk->done == 2);
  // A refused action changes nothing and records nothing.
  auto refused = service::decide_pair(h.ctx, as(dev), "HR-1", "OPEN-1", service::pair_action::restore);
  CHECK_FALSE(refused);
  CHECK(one(c, "SELECT count(*) FROM pair_actions") == "4");
  CHECK(one(c, "SELECT string_agg(issue_id || '>' || candidate_id || ':' || action || ':' || bulk || ':' || actor_account_id,"
               " ',' ORDER BY action_id) FROM pair_actions") ==
        std::string("102>101:dismiss:false:") + dev + ",102>101:restore:false:" + dev + ",201>101:dismiss:true:" + admin +
            ",103>101:dismiss:true:" + admin);
  CHECK(one(c, "SELECT count(*) FROM pair_actions WHERE acted_at > now() - interval '1 minute'") == "4");
  // Each account is in the inventory once, due for its first report now.
  CHECK(one(c, "SELECT string_agg(account_id, ',' ORDER BY account_id) FROM reported_accounts WHERE next_report_at <= now()") ==
        std::string(admin) + "," + dev);
  CHECK(one(c, "SELECT count(*) FROM jobs WHERE kind = 'report_accounts' AND state = 'queued' AND run_at <= now()") == "1");

  SUBCASE("the history lists only pairs whose two issues the viewer may browse, newest first") {
    auto mine = service::pair_history(h.ctx, as(dev), {});
    REQUIRE(mine);
    CHECK(history_lines(*mine) == std::vector<std::string>{std::string("OPEN-3>OPEN-1 dismiss bulk by ") + admin,
                                                           std::string("OPEN-2>OPEN-1 restore by ") + dev,
                                                           std::string("OPEN-2>OPEN-1 dismiss by ") + dev});
    auto all = service::pair_history(h.ctx, as(admin), {});  // positive control: the admin sees the HR pair too
    REQUIRE(all);
    CHECK(history_lines(*all).size() == 4);
    CHECK(history_lines(*all)[1] == std::string("HR-1>OPEN-1 dismiss bulk by ") + admin);
    CHECK(all->at("next").is_null());
    // Paging by cursor: two, then the rest.
    auto first = service::pair_history(h.ctx, as(admin), {0, 2});
    REQUIRE(first);
    CHECK(history_lines(*first).size() == 2);
    REQUIRE(first->at("next").is_int64());
    auto rest = service::pair_history(h.ctx, as(admin), {first->at("next").as_int64(), 50});
    REQUIRE(rest);
    CHECK(history_lines(*rest) == std::vector<std::string>{std::string("OPEN-2>OPEN-1 restore by ") + dev,
                                                           std::string("OPEN-2>OPEN-1 dismiss by ") + dev});
    auto stranger = service::pair_history(h.ctx, as("5b10ac8d82e05b22cc7d4e04"), {});
    REQUIRE(stranger);
    CHECK(stranger->at("items").as_array().empty());
    CHECK_FALSE(service::pair_history(h.ctx, as(""), {}));  // anonymous: 401
  }

  SUBCASE("the CSV carries each pair's last action, by whom and when") {
    auto csv = export_csv(h);
    CHECK(csv.find(",last_action,last_action_by,last_action_at\r\n") != std::string::npos);
    CHECK(csv.find(std::string(",restore,") + dev + ",") != std::string::npos);
    CHECK(csv.find(std::string(",dismiss,") + admin + ",") != std::string::npos);
    // The formula guard covers the history cells too.
    exec(c, "INSERT INTO pair_actions (tenant_id, issue_id, candidate_id, action, actor_account_id)"
            " VALUES ('t-hist', '103', '101', 'restore', '=HYPERLINK(\"http://evil\")')");
    csv = export_csv(h);
    CHECK(csv.find(",restore,\"'=HYPERLINK(\"\"http://evil\"\")\",") != std::string::npos);
  }

  SUBCASE("the report job reports each account once a cycle and erases a closed one everywhere") {
    site.closed.insert(dev);
    site.cycle_period = "P14D";
    run_report_job(h);
    auto reports = site.reports();
    REQUIRE(reports.size() == 1);
    const auto& accounts = reports[0].at("accounts").as_array();
    REQUIRE(accounts.size() == 2);
    std::set<std::string> ids;
    for (const auto& a : accounts) {
      ids.insert(std::string(a.at("accountId").as_string()));
      CHECK(a.at("updatedAt").as_string().size() == 24);  // RFC 3339, e.g. 2026-12-03T11:00:00.000Z
    }
    CHECK(ids == std::set<std::string>{admin, dev});
    // The closed account: gone from the history (actions kept, actor erased) and from the inventory.
    CHECK(one(c, std::string("SELECT count(*) FROM pair_actions WHERE actor_account_id = '") + dev + "'") == "0");
    CHECK(one(c, "SELECT count(*) FROM pair_actions WHERE actor_account_id IS NULL") == "2");
    CHECK(one(c, "SELECT string_agg(account_id, ',') FROM reported_accounts") == admin);
    CHECK(one(c, "SELECT round(EXTRACT(EPOCH FROM next_report_at - now()) / 86400) FROM reported_accounts") == "14");
    auto csv = export_csv(h);
    CHECK(csv.find(dev) == std::string::npos);
    CHECK(csv.find(",restore,erased,") != std::string::npos);
    auto page = service::pair_history(h.ctx, as(admin), {});
    REQUIRE(page);
    CHECK(history_lines(*page)[2] == "OPEN-2>OPEN-1 restore by null");
    // The next run reports nothing (not due for 14 days) and queues itself for then.
    run_report_job(h);
    CHECK(site.reports().size() == 1);
    CHECK(one(c, "SELECT round(EXTRACT(EPOCH FROM max(run_at) - now()) / 86400) FROM jobs WHERE kind = 'report_accounts'"
                 " AND state = 'queued'") == "14");
  }

  SUBCASE("the admin's delete data removes the history and the inventory with the pairs") {
    h.db.write([&](store::write_tx& tx) { store::delete_tenant_data(tx, tenant); });
    CHECK(one(c, "SELECT count(*) FROM pair_actions") == "0");
    CHECK(one(c, "SELECT count(*) FROM reported_accounts") == "0");
  }

  SUBCASE("more than 90 due accounts go in batches of at most 90") {
    exec(c, "INSERT INTO pair_actions (tenant_id, issue_id, candidate_id, action, actor_account_id)"
            " SELECT 't-hist', '102', '101', 'dismiss', 'acct-' || g FROM generate_series(1, 150) g");
    exec(c, "INSERT INTO reported_accounts (tenant_id, account_id) SELECT 't-hist', 'acct-' || g FROM generate_series(1, 150) g");
    run_report_job(h);
    auto reports = site.reports();
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].at("accounts").as_array().size() == 90);
    CHECK(reports[1].at("accounts").as_array().size() == 62);
    CHECK(one(c, "SELECT count(*) FROM reported_accounts WHERE reported_at IS NULL") == "0");
  }
}

TEST_CASE("report job: an account that is no longer in the history is not reported") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  harness h(url);
  fake_site site;
  seed(c, h, site);
  REQUIRE(service::decide_pair(h.ctx, as(dev), "OPEN-2", "OPEN-1", service::pair_action::dismiss));
  exec(c, "DELETE FROM pairs; DELETE FROM index_documents WHERE issue_id = '102'");
  h.db.write([&](store::write_tx& tx) { store::delete_actions_of(tx, tenant, {"102"}); });
  run_report_job(h);
  CHECK(site.reports().empty());
  CHECK(one(c, "SELECT count(*) FROM reported_accounts") == "0");
}

TEST_CASE("inbox retention: processed rows older than the window go in bounded batches, unprocessed and recent rows stay") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  harness h(url);
  exec(c, "INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t-inbox', 'connect', 'https://x.example', 'enabled')");
  // 5 old processed, 2 old unprocessed (their job has not completed), 3 recently processed, 1 just received.
  exec(c, "INSERT INTO inbox (tenant_id, delivery_id, source, event, issue_id, received_at, processed_at, payload)"
          " SELECT 't-inbox', 'old-done-' || g, 'connect', 'updated', '1', now() - interval '100 hours',"
          "        now() - interval '99 hours', '{}' FROM generate_series(1, 5) g");
  exec(c, "INSERT INTO inbox (tenant_id, delivery_id, source, event, issue_id, received_at, processed_at, payload)"
          " SELECT 't-inbox', 'old-pending-' || g, 'connect', 'updated', '2', now() - interval '100 hours', NULL, '{}'"
          " FROM generate_series(1, 2) g");
  exec(c, "INSERT INTO inbox (tenant_id, delivery_id, source, event, issue_id, received_at, processed_at, payload)"
          " SELECT 't-inbox', 'recent-done-' || g, 'connect', 'updated', '3', now() - interval '2 hours',"
          "        now() - interval '71 hours' + interval '1 minute' * g, '{}' FROM generate_series(1, 3) g");
  exec(c, "INSERT INTO inbox (tenant_id, delivery_id, source, event, issue_id, payload) VALUES"
          " ('t-inbox', 'new', 'connect', 'created', '4', '{}')");
  const auto window = std::chrono::hours(72);

  // Bounded: one batch of 2 deletes exactly 2 of the old processed rows.
  CHECK(service::prune_inbox(h.ctx, window, {2, 1}) == 2);
  CHECK(one(c, "SELECT count(*) FROM inbox WHERE delivery_id LIKE 'old-done-%'") == "3");
  // The rest in batches of 2 (2 + 1).
  CHECK(service::prune_inbox(h.ctx, window, {2, 100}) == 3);
  CHECK(one(c, "SELECT count(*) FROM inbox WHERE delivery_id LIKE 'old-done-%'") == "0");
  CHECK(one(c, "SELECT string_agg(delivery_id, ',' ORDER BY delivery_id) FROM inbox") ==
        "new,old-pending-1,old-pending-2,recent-done-1,recent-done-2,recent-done-3");
  CHECK(service::prune_inbox(h.ctx, window) == 0);  // nothing else is old enough
  // A shorter window takes the recently processed rows too, never the unprocessed ones.
  CHECK(service::prune_inbox(h.ctx, std::chrono::hours(1)) == 3);
  CHECK(one(c, "SELECT string_agg(delivery_id, ',' ORDER BY delivery_id) FROM inbox") ==
        "new,old-pending-1,old-pending-2");
}

TEST_CASE("worker janitor: a periodic task runs after its first delay, again each interval, and survives a failure") {
  const auto url = test::fresh_database_url();
  store::db_pool pool(url, 2);
  store::worker_options options;
  options.threads = 2;
  options.idle_poll = std::chrono::milliseconds(10);
  store::worker_pool workers(pool, options);
  std::atomic<int> runs{0}, concurrent{0}, most{0};
  workers.add_periodic("test task", std::chrono::milliseconds(0), std::chrono::milliseconds(30), [&] {
    const int now = ++concurrent;
    most = std::max(most.load(), now);
    const int n = ++runs;
    --concurrent;
    if (n == 1) throw std::runtime_error("first run fails");  // logged; the task stays scheduled
  });
  const auto started = std::chrono::steady_clock::now();
  workers.start();
  while (runs.load() < 3 && std::chrono::steady_clock::now() - started < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  workers.stop(std::chrono::milliseconds(1000));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(runs.load() >= 3);
  CHECK(most.load() == 1);  // two worker threads, never two runs at once
  CHECK(elapsed >= std::chrono::milliseconds(60));  // the second and third runs waited their interval
}
