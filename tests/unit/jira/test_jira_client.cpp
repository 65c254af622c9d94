// Jira client against a fake Jira on loopback: Connect JWT signing (verified server-side with the qsh of
// the received request), Forge bearer, paging, helpers' bodies, and 429/503 retries with a fake sleeper.
#include "auth/jwt.hpp"
#include "auth/qsh.hpp"
#include "jira/jira_client.hpp"
#include "unit/jira/connect_jwt_check.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <deque>
#include <mutex>

using namespace doppel;
using namespace doppel::jira;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t now_s = 1'800'000'000;
const std::string secret = "tenant-secret-0123456789abcdef";

struct scripted {
  std::mutex m;
  std::deque<test::server_response> queue;
  void push(unsigned status, std::string body = "{}", std::string retry_after = {}) {
    auto r = test::text_response(status, std::move(body), "application/json");
    if (!retry_after.empty()) r.set("Retry-After", retry_after);
    std::lock_guard l(m);
    queue.push_back(std::move(r));
  }
  test::server_response next() {
    std::lock_guard l(m);
    if (queue.empty()) return test::text_response(500, "script exhausted");
    auto r = queue.front();
    queue.pop_front();
    return r;
  }
};

struct fixture {
  scripted script;
  std::vector<std::string> auth_errors;
  std::mutex m;
  std::string base_url;
  test::loopback_server server{[this](const test::server_request& req) { return handle(req); }};
  std::vector<std::chrono::milliseconds> sleeps;

  fixture() { base_url = server.url("/jira"); }

  // Fake Jira: verifies the Connect JWT exactly as Jira would, from the request it received.
  test::server_response handle(const test::server_request& req) {
    std::string authz(req[test::http::field::authorization]);
    std::string problem;
    if (authz.rfind("JWT ", 0) == 0) {
      auto check = test::check_connect_jwt(req, secret, base_url);
      problem = check.problem;
      if (check.token) {
        const auto& claims = check.token->claims;
        if (auth::claim_string(claims, "iss") != "io.doppel.test") problem = "iss";
        else if (claims.at("exp").to_number<std::int64_t>() != now_s + 180) problem = "exp";
        else if (claims.at("iat").to_number<std::int64_t>() != now_s) problem = "iat";
      }
    } else if (authz != "Bearer system-token-1") {
      problem = "scheme";
    }
    if (!problem.empty()) {
      std::lock_guard l(m);
      auth_errors.push_back(problem);
      return test::text_response(401, "{}");
    }
    return script.next();
  }

  jira_client connect_client(retry_policy policy = {}) {
    return jira_client(connect_credentials{base_url + "/", "io.doppel.test", secret}, deps(policy));
  }
  jira_client forge_client() {
    return jira_client(forge_credentials{server.url("/ex/jira/cloud-1"), "system-token-1"}, deps({}));
  }
  jira_client_deps deps(retry_policy policy) {
    jira_client_deps d;
    d.http = std::make_shared<http_client>();
    d.clock = test_clock();
    d.sleep = [this](std::chrono::milliseconds ms) { sleeps.push_back(ms); };
    d.random = [] { return 0.5; };  // jitter factor exactly 1.0
    d.retry = policy;
    return d;
  }
  static clock_fn test_clock() {
    return [] { return std::chrono::system_clock::time_point(std::chrono::seconds(now_s)); };
  }
};

std::string target_of(const test::server_request& r) { return std::string(r.target()); }

}  // namespace

TEST_CASE("jira_client: search_jql pages with nextPageToken, Connect JWT verified by the fake Jira") {
  fixture f;
  f.script.push(200, R"({"issues":[{"key":"A-1"},{"key":"A-2"}],"nextPageToken":"tok/2 +=","isLast":false})");
  f.script.push(200, R"({"issues":[{"key":"A-3"}],"isLast":true})");
  auto client = f.connect_client();
  search_request req{R"(project = "A B" AND updated >= -30d ORDER BY updated ASC)", {"summary", "description"}, 50, ""};
  auto p1 = client.search_jql(req);
  REQUIRE(p1.ok());
  CHECK(p1->issues.size() == 2);
  CHECK_FALSE(p1->is_last);
  CHECK(p1->next_page_token == "tok/2 +=");
  req.next_page_token = p1->next_page_token;
  auto p2 = client.search_jql(req);
  REQUIRE(p2.ok());
  CHECK(p2->issues.size() == 1);
  CHECK(p2->is_last);
  CHECK(p2->next_page_token.empty());
  CHECK(f.auth_errors.empty());
  auto seen = f.server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(target_of(seen[0]) ==
        "/jira/rest/api/3/search/jql?jql=project%20%3D%20%22A%20B%22%20AND%20updated%20%3E%3D%20-30d%20ORDER%20BY%20updated%20ASC"
        "&maxResults=50&fields=summary%2Cdescription");
  CHECK(target_of(seen[1]).find("&nextPageToken=tok%2F2%20%2B%3D") != std::string::npos);
  CHECK(seen[0][test::http::field::accept] == "application/json");
}

TEST_CASE("jira_client: helpers send the documented bodies") {
  fixture f;
  f.script.push(201, "");
  f.script.push(201, R"({"id":"1"})");
  f.script.push(200, "");
  f.script.push(200, R"({"globalPermissions":["ADMINISTER"],"projectPermissions":[]})");
  f.script.push(200, R"({"globalPermissions":[]})");
  f.script.push(200, R"({"key":"A-1","fields":{"summary":"s"}})");
  f.script.push(404, R"({"errorMessages":["no"]})");
  auto client = f.connect_client();
  CHECK(client.link_duplicate("A-1", "A-2").ok());
  boost::json::value adf = {{"type", "doc"}, {"version", 1}, {"content", boost::json::array{}}};
  CHECK(client.add_comment("A-1", adf).ok());
  CHECK(client.set_issue_property("A-1", "io.doppel:status", {{"count", 2}}).ok());
  auto admin = client.is_jira_admin("acc-1");
  REQUIRE(admin.ok());
  CHECK(*admin);
  auto not_admin = client.is_jira_admin("acc-2");
  REQUIRE(not_admin.ok());
  CHECK_FALSE(*not_admin);
  auto issue = client.get_issue("A-1", {"summary"});
  REQUIRE(issue.ok());
  CHECK(issue->at("key").as_string() == "A-1");
  auto missing = client.get_issue("A-9");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == errc::not_found);
  CHECK(f.auth_errors.empty());

  auto seen = f.server.requests();
  REQUIRE(seen.size() == 7);
  CHECK(seen[0].method_string() == "POST");
  CHECK(target_of(seen[0]) == "/jira/rest/api/3/issueLink");
  CHECK(boost::json::parse(seen[0].body()) ==
        boost::json::parse(R"({"type":{"name":"Duplicate"},"inwardIssue":{"key":"A-1"},"outwardIssue":{"key":"A-2"}})"));
  CHECK(target_of(seen[1]) == "/jira/rest/api/3/issue/A-1/comment");
  CHECK(boost::json::parse(seen[1].body()).at("body") == adf);
  CHECK(seen[2].method_string() == "PUT");
  CHECK(target_of(seen[2]) == "/jira/rest/api/3/issue/A-1/properties/io.doppel%3Astatus");
  CHECK(boost::json::parse(seen[2].body()) == boost::json::parse(R"({"count":2})"));
  CHECK(target_of(seen[3]) == "/jira/rest/api/3/permissions/check");
  CHECK(boost::json::parse(seen[3].body()) == boost::json::parse(R"({"accountId":"acc-1","globalPermissions":["ADMINISTER"]})"));
  CHECK(target_of(seen[5]) == "/jira/rest/api/3/issue/A-1?fields=summary");
}

TEST_CASE("jira_client: get_project_id reads the project's id from GET /rest/api/3/project/{key}") {
  fixture f;
  f.script.push(200, R"({"id":"10042","key":"HR","name":"Human resources","self":"x"})");
  f.script.push(404, R"({"errorMessages":["No project could be found with key 'NOPE'."]})");
  f.script.push(200, R"({"key":"ODD"})");
  auto client = f.connect_client();
  auto id = client.get_project_id("HR");
  REQUIRE(id.ok());
  CHECK(*id == "10042");
  auto missing = client.get_project_id("NOPE");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == errc::not_found);
  auto odd = client.get_project_id("ODD");
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error().stable_code == "jira_bad_response");
  CHECK(f.auth_errors.empty());
  auto seen = f.server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].method_string() == "GET");
  CHECK(target_of(seen[0]) == "/jira/rest/api/3/project/HR");
}

TEST_CASE("jira_client: the comment marker is created with the comment and found again through comment pages") {
  fixture f;
  f.script.push(201, R"({"id":"7"})");
  f.script.push(200, R"({"startAt":0,"maxResults":100,"total":101,"comments":[{"id":"1","properties":[]}]})");
  f.script.push(200, R"({"startAt":1,"maxResults":100,"total":101,"comments":[{"id":"7","properties":[{"key":"io.doppel.mark","value":{}}]}]})");
  f.script.push(200, R"({"startAt":0,"maxResults":100,"total":1,"comments":[{"id":"1","properties":[{"key":"other"}]}]})");
  f.script.push(200, R"({"startAt":0,"maxResults":100,"total":1})");
  auto client = f.connect_client();
  boost::json::value adf = {{"type", "doc"}, {"version", 1}, {"content", boost::json::array{}}};
  CHECK(client.add_comment("A-1", adf, "io.doppel.mark").ok());
  auto found = client.has_comment_with_property("A-1", "io.doppel.mark");
  REQUIRE(found.ok());
  CHECK(*found);
  auto absent = client.has_comment_with_property("A-1", "io.doppel.mark");
  REQUIRE(absent.ok());
  CHECK_FALSE(*absent);
  auto malformed = client.has_comment_with_property("A-1", "io.doppel.mark");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().code == errc::upstream);
  CHECK(f.auth_errors.empty());
  auto seen = f.server.requests();
  REQUIRE(seen.size() == 5);
  CHECK(boost::json::parse(seen[0].body()) ==
        boost::json::parse(R"({"body":{"type":"doc","version":1,"content":[]},"properties":[{"key":"io.doppel.mark","value":{"app":"doppel"}}]})"));
  CHECK(target_of(seen[1]) == "/jira/rest/api/3/issue/A-1/comment?expand=properties&startAt=0&maxResults=100");
  CHECK(target_of(seen[2]) == "/jira/rest/api/3/issue/A-1/comment?expand=properties&startAt=1&maxResults=100");
  CHECK(seen[1].method_string() == "GET");
}

TEST_CASE("jira_client: Forge mode uses the system token against apiBaseUrl") {
  fixture f;
  f.script.push(200, R"({"key":"A-1"})");
  auto client = f.forge_client();
  CHECK(client.connect_token("GET", "/x").empty());
  auto issue = client.get_issue("A-1");
  REQUIRE(issue.ok());
  CHECK(f.auth_errors.empty());
  auto seen = f.server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(target_of(seen[0]) == "/ex/jira/cloud-1/rest/api/3/issue/A-1");
  CHECK(seen[0][test::http::field::authorization] == "Bearer system-token-1");
}

TEST_CASE("jira_client: 429/503 retries honour Retry-After with jittered backoff and no real sleeping") {
  fixture f;
  SUBCASE("429 then 503 then success on an idempotent call") {
    f.script.push(429, "{}", "7");
    f.script.push(503, "{}");
    f.script.push(200, R"({"issues":[],"isLast":true})");
    auto page = f.connect_client().search_jql({"project = A", {}, 10, ""});
    REQUIRE(page.ok());
    REQUIRE(f.sleeps.size() == 2);
    CHECK(f.sleeps[0] == 7000ms);   // Retry-After 7 s beats the 5 s first backoff
    CHECK(f.sleeps[1] == 10000ms);  // second backoff step: 5 s * 2
    CHECK(f.server.request_count() == 3);
  }
  SUBCASE("gives up after 4 retries") {
    for (int i = 0; i < 6; ++i) f.script.push(429, "{}");
    auto r = f.connect_client().get_issue("A-1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(f.server.request_count() == 5);
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{5000ms, 10000ms, 20000ms, 30000ms});
  }
  SUBCASE("503 on a non-idempotent POST is not retried; 429 is") {
    f.script.push(503, "{}");
    auto r = f.connect_client().add_comment("A-1", boost::json::value{{"type", "doc"}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "jira_error");
    CHECK(f.sleeps.empty());
    f.script.push(429, "{}", "1");
    f.script.push(201, "{}");
    CHECK(f.connect_client().link_duplicate("A-1", "A-2").ok());
    CHECK(f.sleeps.size() == 1);
  }
  SUBCASE("a Retry-After beyond the limit is returned to the caller at once") {
    f.script.push(429, "{}", "3600");
    auto r = f.connect_client().get_issue("A-1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(f.sleeps.empty());
  }
  CHECK(f.auth_errors.empty());
}

TEST_CASE("retry: Retry-After parsing and backoff schedule") {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after(" 0 ", now) == 0ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now) == 30000ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now) == 0ms);
  CHECK_FALSE(parse_retry_after("", now).has_value());
  CHECK_FALSE(parse_retry_after("-5", now).has_value());
  CHECK_FALSE(parse_retry_after("soon", now).has_value());
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT trailing", now).has_value());
  retry_policy p;
  CHECK(backoff_delay(0, p, 0.0) == 3500ms);
  CHECK(backoff_delay(0, p, 1.0) == 6500ms);
  CHECK(backoff_delay(1, p, 0.5) == 10000ms);
  CHECK(backoff_delay(3, p, 0.0) == 21000ms);   // 30 s cap * 0.7
  CHECK(backoff_delay(3, p, 1.0) == 30000ms);   // never above the cap
  CHECK(backoff_delay(20, p, 0.5) == 30000ms);
  CHECK(retry_delay(0, p, 0.5, 12000ms) == 12000ms);
  CHECK(retry_delay(0, p, 0.5, 1000ms) == 5000ms);
}

TEST_CASE("jira_client: the Connect token is bound to the request and the tenant base path") {
  fixture f;
  auto client = f.connect_client();
  auto jwt = auth::decode_jwt(client.connect_token("get", "/rest/api/3/issue/A-1?fields=summary&expand=names"));
  REQUIRE(jwt.ok());
  CHECK(auth::verify_hs256(*jwt, secret));
  CHECK(auth::claim_string(jwt->claims, "qsh") ==
        auth::query_string_hash("GET&/rest/api/3/issue/A-1&expand=names&fields=summary"));
}

TEST_CASE("jira_client: for_each_search_page follows nextPageToken to the last page and stops on request") {
  fixture f;
  f.script.push(200, R"({"issues":[{"key":"A-1"}],"nextPageToken":"t2","isLast":false})");
  f.script.push(200, R"({"issues":[{"key":"A-2"}],"nextPageToken":"t3","isLast":false})");
  f.script.push(200, R"({"issues":[{"key":"A-3"}],"isLast":true})");
  auto client = f.connect_client();
  std::vector<std::string> keys;
  auto pages = client.for_each_search_page({"project = A ORDER BY created", {"summary"}, 1, ""}, [&](const search_page& p) {
    for (const auto& i : p.issues) keys.emplace_back(i.at("key").as_string());
    return true;
  });
  REQUIRE(pages.ok());
  CHECK(*pages == 3);
  CHECK(keys == std::vector<std::string>{"A-1", "A-2", "A-3"});
  auto seen = f.server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(target_of(seen[1]).find("nextPageToken=t2") != std::string::npos);
  CHECK(target_of(seen[2]).find("nextPageToken=t3") != std::string::npos);

  f.script.push(200, R"({"issues":[{"key":"B-1"}],"nextPageToken":"u2","isLast":false})");
  auto stopped = client.for_each_search_page({"project = B", {}, 1, ""}, [](const search_page&) { return false; });
  REQUIRE(stopped.ok());
  CHECK(*stopped == 1);
  f.script.push(500, "{}");
  auto failed = client.for_each_search_page({"project = C", {}, 1, ""}, [](const search_page&) { return true; });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().stable_code == "jira_error");
  CHECK(f.auth_errors.empty());
}
