// UI modifications (apps): GIC contexts from the admin's scope, the request body, reading Jira's answers, and the
// calls against a scripted Jira on loopback (paths, paging, 50 project keys a call, 404s).
#include "jira/ui_modifications.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

using namespace doppel;
using namespace doppel::jira;

namespace {

boost::json::value parse(const char* text) { return boost::json::parse(text); }

// The page Jira would list for an entity with `name` and `data` and the given contexts (JSON text).
std::string entity(const std::string& id, std::string_view name, std::string_view data, const std::string& contexts) {
  boost::json::object e{{"id", id}, {"name", name}, {"data", data}, {"self", "https://x/" + id}};
  e["contexts"] = boost::json::parse(contexts);
  return boost::json::serialize(e);
}

}  // namespace

TEST_CASE("ui modifications: one context per project in scope, the issue type a wildcard") {
  auto contexts = contexts_for_projects({"10000", "10001", "10000", "PROJ", "", "12x"});
  REQUIRE(contexts.size() == 2);  // duplicates dropped, only numeric ids
  CHECK(contexts[0] == uim_context{"10000", ""});
  CHECK(contexts[1] == uim_context{"10001", ""});
  CHECK(contexts_for_projects({}).empty());
}

TEST_CASE("ui modifications: all projects is one context per issue type, the project a wildcard") {
  auto contexts = contexts_for_issue_types({"10001", "10002"});
  REQUIRE(contexts.size() == 2);
  CHECK(contexts[0] == uim_context{"", "10001"});
  CHECK(contexts[1] == uim_context{"", "10002"});
}

TEST_CASE("ui modifications: at most 1,000 contexts per entity") {
  std::vector<std::string> ids;
  for (int i = 0; i < 1500; ++i) ids.push_back(std::to_string(20000 + i));
  auto contexts = contexts_for_projects(ids);
  REQUIRE(contexts.size() == max_uim_contexts);
  CHECK(contexts.back().project_id == std::to_string(20000 + 999));
}

TEST_CASE("ui modifications: the body names Doppel's entity and writes null wildcards with viewType GIC") {
  auto body = ui_modification_body({{"10000", ""}, {"", "10001"}});
  const auto& o = body.as_object();
  CHECK(o.at("name").as_string() == uim_name);
  CHECK(o.at("description").as_string() == uim_description);
  CHECK(o.at("data").as_string() == uim_data);
  CHECK(o.at("description").as_string().size() <= 255);
  const auto& contexts = o.at("contexts").as_array();
  REQUIRE(contexts.size() == 2);
  CHECK(contexts[0] == parse(R"({"projectId":"10000","issueTypeId":null,"viewType":"GIC"})"));
  CHECK(contexts[1] == parse(R"({"projectId":null,"issueTypeId":"10001","viewType":"GIC"})"));
  // Each context carries exactly one wildcard, never two (Jira refuses two).
  for (const auto& c : contexts) {
    int nulls = 0;
    for (const auto& [key, value] : c.as_object()) nulls += value.is_null() ? 1 : 0;
    CHECK(nulls == 1);
  }
  CHECK(ui_modification_body({}).as_object().at("contexts").as_array().empty());
}

TEST_CASE("ui modifications: a listing page yields only Doppel's entities (name and data), with their GIC contexts") {
  const std::string ours = entity("a1", uim_name, uim_data,
                                  R"([{"id":"1","projectId":"10000","issueTypeId":null,"viewType":"GIC","isAvailable":true},
                                      {"id":"2","projectId":null,"issueTypeId":10002,"viewType":"GIC"},
                                      {"id":"3","projectId":"10000","issueTypeId":null,"viewType":"IssueView"}])");
  const std::string same_name_other_data = entity("b2", uim_name, R"({"app":"someone-else"})", "[]");
  const std::string other = entity("c3", "Reveal Story Points", uim_data, "[]");
  auto page = parse_uim_page(boost::json::parse(
      R"({"isLast":false,"startAt":0,"maxResults":3,"total":5,"values":[)" + ours + "," + same_name_other_data + "," + other + "]}"));
  REQUIRE(page);
  CHECK(page->values == 3);
  CHECK_FALSE(page->is_last);
  REQUIRE(page->ours.size() == 1);
  CHECK(page->ours[0].id == "a1");
  REQUIRE(page->ours[0].contexts.size() == 2);  // the IssueView context is not one of ours
  CHECK(page->ours[0].contexts[0] == uim_context{"10000", ""});
  CHECK(page->ours[0].contexts[1] == uim_context{"", "10002"});
  CHECK_FALSE(parse_uim_page(parse(R"({"values":{}})")));
  CHECK_FALSE(parse_uim_page(parse("[]")));
}

TEST_CASE("ui modifications: contexts compare as sets") {
  CHECK(same_contexts({{"1", ""}, {"2", ""}}, {{"2", ""}, {"1", ""}, {"1", ""}}));
  CHECK_FALSE(same_contexts({{"1", ""}}, {{"1", ""}, {"2", ""}}));
  CHECK_FALSE(same_contexts({{"1", ""}}, {{"", "1"}}));
  CHECK(same_contexts({}, {}));
}

TEST_CASE("ui modifications: created id, project ids and issue type ids from Jira's answers") {
  auto created = parse_created_uim(parse(R"({"id":"d7dbda8a-6239-4b63-8e13-a5ef975c8e61","self":"https://x"})"));
  REQUIRE(created);
  CHECK(*created == "d7dbda8a-6239-4b63-8e13-a5ef975c8e61");
  CHECK_FALSE(parse_created_uim(parse(R"({"self":"https://x"})")));
  CHECK_FALSE(parse_created_uim(parse(R"({"id":""})")));

  auto projects = parse_project_ids(parse(R"({"values":[{"id":"10000","key":"OPS"},{"id":10001,"key":"SEC"},{"key":"NOID"}]})"));
  REQUIRE(projects);
  CHECK(*projects == std::vector<std::string>{"10000", "10001"});
  CHECK_FALSE(parse_project_ids(parse(R"({"projects":[]})")));

  auto types = parse_issue_type_ids(parse(R"([{"id":"10001","name":"Bug"},{"id":"10002","name":"Task"},{"name":"x"}])"));
  REQUIRE(types);
  CHECK(*types == std::vector<std::string>{"10001", "10002"});
  CHECK_FALSE(parse_issue_type_ids(parse(R"({"values":[]})")));
}

namespace {

// A Jira on loopback that answers from a script, in order, and records what it was sent.
struct scripted_jira {
  std::mutex m;
  std::deque<std::pair<unsigned, std::string>> answers;
  test::loopback_server server{[this](const test::server_request&) {
    std::lock_guard l(m);
    if (answers.empty()) return test::text_response(500, "script exhausted");
    auto [status, body] = answers.front();
    answers.pop_front();
    return test::text_response(status, body, "application/json");
  }};
  void push(unsigned status, std::string body = "") { answers.emplace_back(status, std::move(body)); }
  jira_client client() {
    jira_client_deps d;
    d.http = std::make_shared<http_client>();
    d.sleep = [](std::chrono::milliseconds) {};
    return jira_client(forge_credentials{server.url("/ex/jira/c1"), "system-token"}, std::move(d));
  }
  std::vector<std::string> targets() {
    std::vector<std::string> out;
    for (const auto& r : server.requests()) out.push_back(std::string(r.method_string()) + " " + std::string(r.target()));
    return out;
  }
};

}  // namespace

TEST_CASE("ui modifications: the listing pages through every entity and keeps Doppel's") {
  scripted_jira jira;
  const auto ours = entity("a1", uim_name, uim_data, R"([{"projectId":"1","issueTypeId":null,"viewType":"GIC"}])");
  const auto other = entity("z9", "Other app's", "{}", "[]");
  jira.push(200, R"({"isLast":false,"startAt":0,"maxResults":100,"values":[)" + other + "," + other + "]}");
  jira.push(200, R"({"isLast":true,"startAt":2,"maxResults":100,"values":[)" + ours + "]}");
  auto client = jira.client();
  auto mine = list_own_ui_modifications(client);
  REQUIRE(mine);
  REQUIRE(mine->size() == 1);
  CHECK((*mine)[0].id == "a1");
  CHECK(jira.targets() == std::vector<std::string>{
                              "GET /ex/jira/c1/rest/api/3/uiModifications?startAt=0&maxResults=100&expand=data%2Ccontexts",
                              "GET /ex/jira/c1/rest/api/3/uiModifications?startAt=2&maxResults=100&expand=data%2Ccontexts"});
  CHECK(jira.server.requests()[0][test::http::field::authorization] == "Bearer system-token");
}

TEST_CASE("ui modifications: create, update and delete calls, and how their 404s count") {
  scripted_jira jira;
  jira.push(201, R"({"id":"new-1","self":"https://x/new-1"})");
  jira.push(204);
  jira.push(404, R"({"errorMessages":["gone"]})");
  jira.push(204);
  jira.push(404, R"({"errorMessages":["gone"]})");
  jira.push(403, R"({"errorMessages":["no"]})");
  auto client = jira.client();
  auto created = create_ui_modification(client, {{"10000", ""}});
  REQUIRE(created);
  CHECK(*created == "new-1");
  CHECK(update_ui_modification(client, "new-1", {{"10001", ""}}));
  auto gone = update_ui_modification(client, "new-1", {});
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == errc::not_found);
  CHECK(delete_ui_modification(client, "new-1"));
  CHECK(delete_ui_modification(client, "new-1"));  // already gone: done
  auto refused = delete_ui_modification(client, "new-1");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().stable_code == "jira_forbidden");
  const auto seen = jira.server.requests();
  REQUIRE(seen.size() == 6);
  CHECK(jira.targets()[0] == "POST /ex/jira/c1/rest/api/3/uiModifications");
  CHECK(boost::json::parse(seen[0].body()) == ui_modification_body({{"10000", ""}}));
  CHECK(jira.targets()[1] == "PUT /ex/jira/c1/rest/api/3/uiModifications/new-1");
  CHECK(boost::json::parse(seen[1].body()) == ui_modification_body({{"10001", ""}}));
  CHECK(jira.targets()[3] == "DELETE /ex/jira/c1/rest/api/3/uiModifications/new-1");
}

TEST_CASE("ui modifications: project keys are resolved 50 a call, issue types in one call") {
  scripted_jira jira;
  std::vector<std::string> keys;
  for (int i = 0; i < 60; ++i) keys.push_back("P" + std::to_string(i));
  jira.push(200, R"({"values":[{"id":"10000","key":"P0"},{"id":"10049","key":"P49"}],"isLast":true})");
  jira.push(200, R"({"values":[{"id":"10059","key":"P59"}],"isLast":true})");
  jira.push(200, R"([{"id":"10001","name":"Bug"}])");
  auto client = jira.client();
  auto ids = project_ids_for_keys(client, keys);
  REQUIRE(ids);
  CHECK(*ids == std::vector<std::string>{"10000", "10049", "10059"});
  auto types = issue_type_ids(client);
  REQUIRE(types);
  CHECK(*types == std::vector<std::string>{"10001"});
  const auto t = jira.targets();
  REQUIRE(t.size() == 3);
  CHECK(t[0].rfind("GET /ex/jira/c1/rest/api/3/project/search?maxResults=50&keys=P0&keys=P1&", 0) == 0);
  CHECK(t[0].find("&keys=P49") != std::string::npos);
  CHECK(t[0].find("&keys=P50") == std::string::npos);
  CHECK(t[1] == "GET /ex/jira/c1/rest/api/3/project/search?maxResults=50&keys=P50&keys=P51&keys=P52&keys=P53&keys=P54"
                "&keys=P55&keys=P56&keys=P57&keys=P58&keys=P59");
  CHECK(t[2] == "GET /ex/jira/c1/rest/api/3/issuetype");
  CHECK(project_ids_for_keys(client, {}).value().empty());  // no call for no keys
}
