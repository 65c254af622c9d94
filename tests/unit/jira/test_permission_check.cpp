// Bulk permission check against a fake Jira on loopback (a permission table behind POST /rest/api/3/permissions/check,
// Connect JWT verified from the received request), id splitting at 1,000, fail-closed errors, and request deadlines.
#include "jira/jira_client.hpp"
#include "unit/jira/connect_jwt_check.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <mutex>

using namespace doppel;
using namespace doppel::jira;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t now_s = 1'800'000'000;
const std::string secret = "tenant-secret-permissions-0123456789";

// Fake Jira: account "dev" may browse projects 100 and 101 and link in 100; issues 7 and 9 are in project 100, 7 is
// secured and visible to nobody but "admin"; "admin" holds ADMINISTER and everything.
struct permission_site {
  std::mutex m;
  std::vector<boost::json::value> bodies;
  std::vector<std::string> auth_errors;
  int status = 200;                 // non-200: every check answers this
  std::string retry_after;          // with status 429
  std::atomic<bool> stall{false};
  std::string base_url;
  test::loopback_server server{[this](const test::server_request& req) { return handle(req); }};

  permission_site() { base_url = server.url("/site"); }

  static bool granted(std::string_view account, std::string_view permission, std::int64_t project) {
    if (account == "admin") return true;
    if (account != "dev") return false;
    if (permission == "BROWSE_PROJECTS") return project == 100 || project == 101;
    if (permission == "LINK_ISSUES") return project == 100;
    return false;
  }
  static std::int64_t project_of_issue(std::int64_t issue) { return issue == 7 || issue == 9 ? 100 : issue >= 5000 ? 101 : -1; }

  test::server_response handle(const test::server_request& req) {
    std::string problem = test::check_connect_jwt(req, secret, base_url).problem;
    if (req.target() != "/site/rest/api/3/permissions/check" || req.method_string() != "POST") problem = "route";
    std::lock_guard l(m);
    if (!problem.empty()) {
      auth_errors.push_back(problem);
      return test::text_response(401, "{}");
    }
    auto body = boost::json::parse(req.body());
    bodies.push_back(body);
    if (status != 200) {
      auto r = test::text_response(unsigned(status), "{}", "application/json");
      if (!retry_after.empty()) r.set("Retry-After", retry_after);
      return r;
    }
    return test::text_response(200, boost::json::serialize(answer(body.as_object())), "application/json");
  }

  // The documented answer shape: globalPermissions granted, and per asked permission the granted ids.
  static boost::json::object answer(const boost::json::object& q) {
    const std::string account(q.at("accountId").as_string());
    boost::json::array global;
    if (auto* g = q.if_contains("globalPermissions"))
      for (const auto& p : g->as_array())
        if (account == "admin" && p.as_string() == "ADMINISTER") global.push_back(p);
    boost::json::array project_permissions;
    if (auto* pp = q.if_contains("projectPermissions"))
      for (const auto& entry : pp->as_array())
        for (const auto& perm : entry.at("permissions").as_array()) {
          boost::json::array projects, issues;
          if (auto* ps = entry.as_object().if_contains("projects"))
            for (const auto& p : ps->as_array())
              if (granted(account, perm.as_string(), p.as_int64())) projects.push_back(p);
          if (auto* is = entry.as_object().if_contains("issues"))
            for (const auto& i : is->as_array()) {
              const bool secured_hidden = i.as_int64() == 7 && account != "admin";
              if (!secured_hidden && granted(account, perm.as_string(), project_of_issue(i.as_int64()))) issues.push_back(i);
            }
          project_permissions.push_back({{"permission", perm}, {"projects", projects}, {"issues", issues}});
        }
    return {{"globalPermissions", global}, {"projectPermissions", project_permissions}};
  }

  std::vector<boost::json::value> seen() {
    std::lock_guard l(m);
    return bodies;
  }

  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::system_clock::time_point now{std::chrono::seconds(now_s)};
  jira_client client() {
    jira_client_deps d;
    d.http = std::make_shared<http_client>();
    d.clock = [this] { return now; };
    d.sleep = [this](std::chrono::milliseconds ms) {
      sleeps.push_back(ms);
      now += ms;
    };
    d.random = [] { return 0.5; };
    return jira_client(connect_credentials{base_url, "io.doppel.test", secret}, d);
  }
};

std::vector<std::string> range_ids(std::int64_t from, std::int64_t count) {
  std::vector<std::string> out;
  for (std::int64_t i = 0; i < count; ++i) out.push_back(std::to_string(from + i));
  return out;
}

}  // namespace

TEST_CASE("check_permissions: documented request body, grants per permission, only asked ids kept") {
  permission_site site;
  auto client = site.client();
  permission_query q{"dev", {"ADMINISTER"}, {"BROWSE_PROJECTS", "LINK_ISSUES"}, {"100", "102", "101"}, {"9", "7"}};
  auto g = client.check_permissions(q);
  REQUIRE(g.ok());
  CHECK_FALSE(g->has_global("ADMINISTER"));
  CHECK(g->project_granted("BROWSE_PROJECTS", "100"));
  CHECK(g->project_granted("BROWSE_PROJECTS", "101"));
  CHECK_FALSE(g->project_granted("BROWSE_PROJECTS", "102"));
  CHECK(g->project_granted("LINK_ISSUES", "100"));
  CHECK_FALSE(g->project_granted("LINK_ISSUES", "101"));
  CHECK(g->issue_granted("BROWSE_PROJECTS", "9"));
  CHECK_FALSE(g->issue_granted("BROWSE_PROJECTS", "7"));  // secured
  auto seen = site.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == boost::json::parse(R"({"accountId":"dev","globalPermissions":["ADMINISTER"],
        "projectPermissions":[{"permissions":["BROWSE_PROJECTS","LINK_ISSUES"],"projects":[100,102,101],"issues":[9,7]}]})"));

  auto admin = client.check_permissions({"admin", {"ADMINISTER"}, {}, {}, {}});
  REQUIRE(admin.ok());
  CHECK(admin->has_global("ADMINISTER"));
  CHECK(admin->project.empty());
  CHECK(site.auth_errors.empty());
}

TEST_CASE("check_permissions: more than 1,000 ids are split into calls of at most 1,000 projects and 1,000 issues") {
  permission_site site;
  auto client = site.client();
  // 2,500 issues (5000.. in project 101, all browsable by dev) and 1,001 projects (only 100 and 101 granted).
  auto projects = range_ids(100, 1001);
  auto issues = range_ids(5000, 2500);
  auto g = client.check_permissions({"dev", {"ADMINISTER"}, {"BROWSE_PROJECTS"}, projects, issues});
  REQUIRE(g.ok());
  auto seen = site.seen();
  REQUIRE(seen.size() == 3);
  std::size_t sent_issues = 0, sent_projects = 0;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto& entry = seen[i].at("projectPermissions").as_array().at(0).as_object();
    const auto* ps = entry.if_contains("projects");
    const auto* is = entry.if_contains("issues");
    CHECK((!ps || ps->as_array().size() <= 1000));
    CHECK((!is || is->as_array().size() <= 1000));
    sent_projects += ps ? ps->as_array().size() : 0;
    sent_issues += is ? is->as_array().size() : 0;
    CHECK(seen[i].as_object().contains("globalPermissions") == (i == 0));  // global keys asked once
  }
  CHECK(sent_projects == 1001);
  CHECK(sent_issues == 2500);
  CHECK(g->project.at("BROWSE_PROJECTS").issues.size() == 2500);
  CHECK(g->project.at("BROWSE_PROJECTS").projects == std::set<std::string, std::less<>>{"100", "101"});
}

TEST_CASE("check_permissions: fails closed — no account id, Jira errors and bad answers are errors, junk ids never sent") {
  permission_site site;
  auto client = site.client();
  auto anonymous = client.check_permissions({"", {"ADMINISTER"}, {"BROWSE_PROJECTS"}, {"100"}, {}});
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.error().stable_code == "anonymous_viewer");
  CHECK(site.seen().empty());

  auto junk = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"10 0", "abc", "100"}, {"-1", "9"}});
  REQUIRE(junk.ok());
  CHECK(site.seen().back() == boost::json::parse(
                                  R"({"accountId":"dev","projectPermissions":[{"permissions":["BROWSE_PROJECTS"],"projects":[100],"issues":[9]}]})"));

  auto nothing = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"x"}, {}});
  REQUIRE(nothing.ok());
  CHECK(nothing->project.empty());
  CHECK(site.seen().size() == 1);  // nothing valid to ask: no call

  site.status = 403;
  auto forbidden = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().stable_code == "jira_forbidden");
  site.status = 500;
  auto broken = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, range_ids(100, 1500), {}});
  REQUIRE_FALSE(broken.ok());  // the first of two calls fails: no partial grants
  CHECK(broken.error().code == errc::upstream);
}

TEST_CASE("jira_client deadline: an interactive client fails fast on a long Retry-After and never sleeps past its budget") {
  permission_site site;
  site.status = 429;
  site.retry_after = "30";
  SUBCASE("a client with the default policy sleeps out a 30 s Retry-After (up to its 60 s limit)") {
    auto client = site.client();
    auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(site.sleeps.size() == 4);
    CHECK(site.sleeps[0] == 30000ms);
  }
  SUBCASE("interactive client answers at once") {
    auto client = site.client();
    client.limit_to_request(3s);
    auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(site.sleeps.empty());
    CHECK(site.seen().size() == 1);
  }
  SUBCASE("interactive client never sleeps out a Retry-After, even a short one") {
    site.retry_after = "1";
    auto client = site.client();
    client.limit_to_request(5s);
    auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(site.sleeps.empty());
    CHECK(site.seen().size() == 1);
  }
  SUBCASE("interactive client retries a 429 without Retry-After only while the waits fit in the budget") {
    site.retry_after = "";
    auto client = site.client();
    client.limit_to_request(600ms);
    auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(site.sleeps == std::vector<std::chrono::milliseconds>{250ms});  // the next, 500 ms, would cross 600 ms
    CHECK(site.seen().size() == 2);
  }
  SUBCASE("no attempt starts after the deadline") {
    auto client = site.client();
    client.limit_to_request(1s);
    site.now += 2s;
    auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "jira_deadline");
    CHECK(site.seen().empty());
  }
}

TEST_CASE("jira_client deadline: a stalled Jira is cut off at the request budget, not the 20 s client timeout") {
  permission_site site;
  site.server.set_stall(true);
  jira_client_deps d;
  d.http = std::make_shared<http_client>();
  jira_client client(connect_credentials{site.base_url, "io.doppel.test", secret}, d);
  client.limit_to_request(300ms);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.check_permissions({"dev", {}, {"BROWSE_PROJECTS"}, {"100"}, {}});
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().stable_code == "http_timeout");
  CHECK(took < 3s);
  site.server.stop();
}
