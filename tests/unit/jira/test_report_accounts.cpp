// Personal data reporting call against a fake on loopback: the documented request (POST /app/report-accounts/, at most
// 90 accounts, Connect JWT with its qsh / Forge bearer at the apiBaseUrl's origin), 200 and 204 answers, Cycle-Period,
// 429 retried with Retry-After, errors.
#include "jira/jira_client.hpp"
#include "unit/jira/connect_jwt_check.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <mutex>

using namespace doppel;
using namespace doppel::jira;
using namespace std::chrono_literals;

namespace {

const std::string secret = "tenant-secret-report-0123456789abcdef";

// Atlassian's side: "closed-1" is closed, "moved-1" updated; `status` forces an answer (with Retry-After) `times`.
struct report_site {
  std::mutex m;
  std::vector<std::string> targets, authorizations, problems;
  std::vector<boost::json::value> bodies;
  unsigned status = 0;
  int times = 0;
  std::string retry_after, cycle_period = "P14D";
  std::string base_url;
  test::loopback_server server{[this](const test::server_request& req) { return handle(req); }};
  report_site() { base_url = server.url("/site"); }

  test::server_response handle(const test::server_request& req) {
    std::lock_guard l(m);
    targets.push_back(std::string(req.target()));
    std::string authz(req[test::http::field::authorization]);
    authorizations.push_back(authz);
    if (authz.rfind("JWT ", 0) == 0 && !test::check_connect_jwt(req, secret, base_url).problem.empty())
      problems.push_back("jwt");
    bodies.push_back(boost::json::parse(req.body()));
    if (times > 0) {
      --times;
      auto r = test::text_response(status, "{}", "application/json");
      if (!retry_after.empty()) r.set("Retry-After", retry_after);
      return r;
    }
    boost::json::array actions;
    for (const auto& a : bodies.back().at("accounts").as_array()) {
      const auto& id = a.at("accountId").as_string();
      if (id == "closed-1") actions.push_back({{"accountId", id}, {"status", "closed"}});
      if (id == "moved-1") actions.push_back({{"accountId", id}, {"status", "updated"}});
    }
    actions.push_back({{"accountId", "never-asked"}, {"status", "closed"}});  // only asked accounts are kept
    if (actions.size() == 1) {
      auto r = test::text_response(204, "");
      r.set("Cycle-Period", cycle_period);
      return r;
    }
    auto r = test::text_response(200, boost::json::serialize(boost::json::object{{"accounts", actions}}), "application/json");
    r.set("Cycle-Period", cycle_period);
    return r;
  }

  std::vector<std::chrono::milliseconds> sleeps;
  jira_client_deps deps() {
    jira_client_deps d;
    d.http = std::make_shared<http_client>();
    d.sleep = [this](std::chrono::milliseconds ms) { sleeps.push_back(ms); };
    d.random = [] { return 0.5; };
    return d;
  }
  jira_client connect() { return jira_client(connect_credentials{base_url, "io.doppel.test", secret}, deps()); }
};

}  // namespace

TEST_CASE("report_accounts: the documented request and answers, Connect JWT under the site's base URL") {
  report_site site;
  auto client = site.connect();
  auto r = client.report_accounts({{"closed-1", "2026-11-01T10:00:00.000Z"}, {"moved-1", "2026-11-02T10:00:00.000Z"},
                                   {"open-1", "2026-11-03T10:00:00.000Z"}});
  REQUIRE(r);
  REQUIRE(r->updates.size() == 2);
  CHECK(r->updates[0].account_id == "closed-1");
  CHECK(r->updates[0].status == "closed");
  CHECK(r->updates[1].account_id == "moved-1");
  CHECK(r->updates[1].status == "updated");
  CHECK(r->cycle_period == "P14D");
  CHECK(site.targets == std::vector<std::string>{"/site/app/report-accounts/"});
  CHECK(site.problems.empty());
  CHECK(boost::json::serialize(site.bodies[0]) ==
        R"({"accounts":[{"accountId":"closed-1","updatedAt":"2026-11-01T10:00:00.000Z"},)"
        R"({"accountId":"moved-1","updatedAt":"2026-11-02T10:00:00.000Z"},)"
        R"({"accountId":"open-1","updatedAt":"2026-11-03T10:00:00.000Z"}]})");

  auto none = client.report_accounts({{"open-1", "2026-11-03T10:00:00.000Z"}});  // 204: nothing to do
  REQUIRE(none);
  CHECK(none->updates.empty());
  CHECK(none->cycle_period == "P14D");
}

TEST_CASE("report_accounts: Forge calls Atlassian's platform API at the origin of apiBaseUrl with the bearer token") {
  report_site site;
  jira_client client(forge_credentials{site.server.url("/ex/jira/cloud-123"), "system-token-abc"}, site.deps());
  auto r = client.report_accounts({{"closed-1", "2026-11-01T10:00:00.000Z"}});
  REQUIRE(r);
  CHECK(r->updates.size() == 1);
  CHECK(site.targets == std::vector<std::string>{"/app/report-accounts/"});
  CHECK(site.authorizations == std::vector<std::string>{"Bearer system-token-abc"});
}

TEST_CASE("report_accounts: at most 90 accounts, 429 retried after Retry-After, other failures are errors") {
  report_site site;
  auto client = site.connect();
  std::vector<account_report> many(91, {"open-1", "2026-11-03T10:00:00.000Z"});
  auto too_many = client.report_accounts(many);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().stable_code == "too_many_accounts");
  CHECK(site.targets.empty());
  many.pop_back();
  CHECK(client.report_accounts(many));  // 90 is allowed
  CHECK(client.report_accounts({}));    // nothing to report: no call
  CHECK(site.targets.size() == 1);

  site.status = 429;
  site.times = 2;
  site.retry_after = "7";
  auto retried = client.report_accounts({{"closed-1", "2026-11-01T10:00:00.000Z"}});
  REQUIRE(retried);
  CHECK(retried->updates.size() == 1);
  CHECK(site.sleeps.size() == 2);
  CHECK(site.sleeps[0] >= 7000ms);

  site.status = 429;
  site.times = 1;
  site.retry_after = "3600";  // beyond what a background call sleeps out: handed back to the job queue
  auto limited = client.report_accounts({{"closed-1", "2026-11-01T10:00:00.000Z"}});
  REQUIRE_FALSE(limited);
  CHECK(limited.error().stable_code == "jira_rate_limited");

  site.status = 500;
  site.times = 1;
  site.retry_after.clear();
  auto failed = client.report_accounts({{"closed-1", "2026-11-01T10:00:00.000Z"}});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().stable_code == "jira_error");
}
