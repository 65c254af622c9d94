// Permission cache (expiry at 60 s, bounds, fail closed, per-viewer answers), the browse filter over candidates with
// issue-level checks, the dashboard's visible issues, and pair authorisation. Jira's answers come from a permission
// table in the test (a function standing in for jira_client::check_permissions, whose HTTP side
// tests/unit/auth/test_permission_check.cpp covers).
#include "service/permissions.hpp"

#include "unit/fake_clock.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace doppel::service;
using namespace std::chrono_literals;

namespace {

// A site: per account the browsable and linkable projects; issues with their project and whether they are secured
// (secured ones visible only to `staff`). Counts the checks it answers; `down` makes every check fail.
struct site {
  std::map<std::string, std::set<std::string>> browse{{"dev", {"100"}}, {"staff", {"100", "200"}}};
  std::map<std::string, std::set<std::string>> link{{"staff", {"100", "200"}}};
  std::map<std::string, std::pair<std::string, bool>> issues{
      {"1", {"100", false}}, {"2", {"200", false}}, {"3", {"100", true}}, {"4", {"100", false}}};
  std::set<std::string> staff{"staff"};
  std::vector<jira::permission_query> asked;
  bool down = false;

  result<auth::permission_grants> answer(const jira::permission_query& q) {
    asked.push_back(q);
    if (down) return make_error(errc::rate_limited, "jira_rate_limited", "Jira answered 429");
    auth::permission_grants g;
    for (const auto& perm : q.project_permissions) {
      const auto& table = perm == auth::link_issues ? link : browse;
      auto allowed = table.count(q.account_id) ? table.at(q.account_id) : std::set<std::string>{};
      auto& ids = g.project[perm];
      for (const auto& p : q.project_ids)
        if (allowed.count(p)) ids.projects.insert(p);
      for (const auto& i : q.issue_ids) {
        auto it = issues.find(i);
        if (it == issues.end() || !allowed.count(it->second.first)) continue;
        if (it->second.second && !staff.count(q.account_id)) continue;
        ids.issues.insert(i);
      }
    }
    return g;
  }
  permission_check_fn fn() {
    return [this](const jira::permission_query& q) { return answer(q); };
  }
};

auth::viewer as(const std::string& account, const std::string& tenant = "t1") { return *auth::viewer::make(tenant, account); }

std::vector<std::string> ids_of(const std::vector<auth::candidate>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.issue_id);
  return out;
}

const std::vector<auth::candidate> candidates = {
    {"1", "100", true, ""}, {"2", "200", true, ""}, {"3", "100", true, "10050"}, {"4", "", false, ""}};

}  // namespace

TEST_CASE("permission cache: answers per viewer, reused for 60 s, asked again after expiry") {
  site jira;
  test::fake_clock clock;
  permission_cache cache({}, clock.fn());
  auto dev = cache.projects(as("dev"), {"100", "200"}, jira.fn());
  REQUIRE(dev.ok());
  CHECK(dev->at("100") == project_access{true, false});
  CHECK(dev->at("200") == project_access{false, false});
  REQUIRE(jira.asked.size() == 1);
  CHECK(jira.asked[0].project_permissions == std::vector<std::string>{"BROWSE_PROJECTS", "LINK_ISSUES"});
  CHECK(jira.asked[0].project_ids == std::vector<std::string>{"100", "200"});

  clock.now += 59s;
  CHECK(cache.projects(as("dev"), {"200", "100"}, jira.fn())->at("100").browse);
  CHECK(jira.asked.size() == 1);  // cached (denial too)
  auto more = cache.projects(as("dev"), {"100", "300"}, jira.fn());
  REQUIRE(more.ok());
  REQUIRE(jira.asked.size() == 2);
  CHECK(jira.asked[1].project_ids == std::vector<std::string>{"300"});  // only the project not cached yet

  // Another account or tenant never sees dev's answers.
  auto staff = cache.projects(as("staff"), {"100", "200"}, jira.fn());
  CHECK(staff->at("200") == project_access{true, true});
  CHECK(cache.projects(as("dev", "t2"), {"100"}, jira.fn()).ok());
  CHECK(jira.asked.size() == 4);

  // Revoked in Jira: takes effect once the 60 s are up, never later.
  jira.browse["dev"].clear();
  clock.now += 1s;  // 60 s after the first answer for project 100
  CHECK_FALSE(cache.projects(as("dev"), {"100"}, jira.fn())->at("100").browse);
  CHECK(jira.asked.size() == 5);
}

TEST_CASE("permission cache: a ttl above 60 s is capped, failed checks cache nothing and grant nothing") {
  site jira;
  test::fake_clock clock;
  permission_cache cache({.ttl = 3600s}, clock.fn());
  REQUIRE(cache.projects(as("dev"), {"100"}, jira.fn()).ok());
  clock.now += 60s;
  jira.down = true;
  auto failed = cache.projects(as("dev"), {"100"}, jira.fn());
  REQUIRE_FALSE(failed.ok());  // expired at 60 s despite ttl 3600 s, and the failed check yields no grant
  CHECK(failed.error().code == errc::unavailable);
  CHECK(failed.error().stable_code == "permission_check_failed");
  CHECK(failed.error().message.find("jira_rate_limited") != std::string::npos);
  jira.down = false;
  REQUIRE(cache.projects(as("dev"), {"100"}, jira.fn())->at("100").browse);
  CHECK(jira.asked.size() == 3);  // the failure was not remembered either way
}

TEST_CASE("permission cache: bounded in viewers (expired first, then least recently used) and projects per viewer") {
  site jira;
  test::fake_clock clock;
  permission_cache cache({.ttl = 60s, .max_viewers = 3, .max_projects_per_viewer = 4}, clock.fn());
  for (auto a : {"a", "b", "c"}) {
    REQUIRE(cache.projects(as(a), {"100"}, jira.fn()).ok());
    clock.now += 1s;
  }
  REQUIRE(cache.projects(as("a"), {"100"}, jira.fn()).ok());  // a used again: b is now the least recently used
  REQUIRE(cache.projects(as("d"), {"100"}, jira.fn()).ok());
  CHECK(cache.viewer_count() == 3);
  const auto before = jira.asked.size();
  REQUIRE(cache.projects(as("a"), {"100"}, jira.fn()).ok());
  REQUIRE(cache.projects(as("c"), {"100"}, jira.fn()).ok());
  CHECK(jira.asked.size() == before);  // a and c kept
  REQUIRE(cache.projects(as("b"), {"100"}, jira.fn()).ok());
  CHECK(jira.asked.size() == before + 1);  // b was evicted
  // 10,000 distinct viewers never grow it past the bound.
  for (int i = 0; i < 10000; ++i) (void)cache.projects(as("flood-" + std::to_string(i)), {"100"}, jira.fn());
  CHECK(cache.viewer_count() == 3);
  // Projects per viewer are bounded too; answers stay right after a reset.
  auto many = cache.projects(as("dev"), {"100", "101", "102", "103", "104", "105"}, jira.fn());
  REQUIRE(many.ok());
  CHECK(many->size() == 6);
  CHECK(many->at("100").browse);
  CHECK(cache.projects(as("dev"), {"100"}, jira.fn())->at("100").browse);
  cache.forget_tenant("t1");
  CHECK(cache.viewer_count() == 0);
}

TEST_CASE("browsable_candidates: project grant for plain issues, one issue-level check for the rest, fail closed") {
  site jira;
  test::fake_clock clock;
  permission_cache cache({}, clock.fn());
  // dev: project 100 only, not staff. 1 (100, plain) yes; 2 (200) no; 3 (secured) no; 4 (unknown project, in 100) yes.
  auto dev = browsable_candidates(cache, as("dev"), candidates, jira.fn());
  REQUIRE(dev.ok());
  CHECK(ids_of(*dev) == std::vector<std::string>{"1", "4"});
  REQUIRE(jira.asked.size() == 2);
  CHECK(jira.asked[1].issue_ids == std::vector<std::string>{"3", "4"});
  CHECK(jira.asked[1].project_ids.empty());
  // Positive control: staff sees all four.
  auto staff = browsable_candidates(cache, as("staff"), candidates, jira.fn());
  REQUIRE(staff.ok());
  CHECK(ids_of(*staff) == std::vector<std::string>{"1", "2", "3", "4"});
  // A stranger sees nothing.
  CHECK(browsable_candidates(cache, as("stranger"), candidates, jira.fn())->empty());
  // The project grant is cached, the issue-level one is not: a secured issue's revocation shows at once.
  jira.staff.clear();
  const auto before = jira.asked.size();
  CHECK(ids_of(*browsable_candidates(cache, as("staff"), candidates, jira.fn())) == std::vector<std::string>{"1", "2", "4"});
  CHECK(jira.asked.size() == before + 1);
  // Jira down: an error, not an empty or partial list.
  jira.down = true;
  auto down = browsable_candidates(cache, as("staff"), candidates, jira.fn());
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().stable_code == "permission_check_failed");
  // No candidates, no call.
  jira.down = false;
  const auto calls = jira.asked.size();
  CHECK(browsable_candidates(cache, as("dev"), {}, jira.fn())->empty());
  CHECK(jira.asked.size() == calls);
  // One issue (the panel's own): browsable or not.
  CHECK(*may_browse_issue(cache, as("dev"), candidates[0], jira.fn()));
  CHECK_FALSE(*may_browse_issue(cache, as("dev"), candidates[1], jira.fn()));
}

TEST_CASE("visible_issues_for: browsable projects from the cache, secured issues by one issue-level check, fail closed") {
  site jira;
  test::fake_clock clock;
  permission_cache cache({}, clock.fn());
  // The index: plain issues in projects 100 and 200 (and a non-numeric id that is never granted); issue 3 is secured
  // in 100, issue 4 has no known project or level (in 100 at Jira), issue 9 is unknown to Jira.
  const store::visibility_inputs in{{"100", "200", "x1"}, {"3", "4", "9"}};
  auto dev = visible_issues_for(cache, as("dev"), in, jira.fn());
  REQUIRE(dev.ok());
  CHECK(dev->project_ids == std::vector<std::string>{"100"});
  CHECK(dev->issue_ids == std::vector<std::string>{"4"});
  REQUIRE(jira.asked.size() == 2);
  CHECK(jira.asked[0].project_ids == std::vector<std::string>{"100", "200", "x1"});
  CHECK(jira.asked[1].issue_ids == std::vector<std::string>{"3", "4", "9"});
  CHECK(jira.asked[1].project_permissions == std::vector<std::string>{"BROWSE_PROJECTS"});
  // Positive control: staff sees both projects and the secured issue.
  auto staff = visible_issues_for(cache, as("staff"), in, jira.fn());
  REQUIRE(staff.ok());
  CHECK(staff->project_ids == std::vector<std::string>{"100", "200"});
  CHECK(staff->issue_ids == std::vector<std::string>{"3", "4"});
  // A stranger: nothing.
  auto stranger = visible_issues_for(cache, as("stranger"), in, jira.fn());
  REQUIRE(stranger.ok());
  CHECK(stranger->project_ids.empty());
  CHECK(stranger->issue_ids.empty());
  // Project answers are cached for 60 s (one issue-level call only); issue-level answers are fresh every time.
  const auto before = jira.asked.size();
  jira.staff.clear();
  CHECK(visible_issues_for(cache, as("staff"), in, jira.fn())->issue_ids == std::vector<std::string>{"4"});
  CHECK(jira.asked.size() == before + 1);
  jira.browse["dev"].clear();
  CHECK(visible_issues_for(cache, as("dev"), in, jira.fn())->project_ids == std::vector<std::string>{"100"});
  clock.now += 60s;
  CHECK(visible_issues_for(cache, as("dev"), in, jira.fn())->project_ids.empty());  // revocation shows after 60 s
  // Nothing to decide: no call. Jira down: an error, never a partial answer.
  const auto calls = jira.asked.size();
  CHECK(visible_issues_for(cache, as("dev"), {}, jira.fn())->project_ids.empty());
  CHECK(jira.asked.size() == calls);
  jira.down = true;
  auto down = visible_issues_for(cache, as("staff"), {{}, {"3"}}, jira.fn());
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().stable_code == "permission_check_failed");
  auto down_projects = visible_issues_for(cache, as("other"), {{"100"}, {}}, jira.fn());
  REQUIRE_FALSE(down_projects.ok());
  CHECK(down_projects.error().stable_code == "permission_check_failed");
}

TEST_CASE("authorize_pair: browse on both for review actions, Link Issues too for links, a fresh check each time") {
  site jira;
  jira.link["dev"] = {};
  CHECK(authorize_pair(as("dev"), "1", "4", pair_permission::review, jira.fn()).ok());
  auto no_link = authorize_pair(as("dev"), "1", "4", pair_permission::link, jira.fn());
  REQUIRE_FALSE(no_link.ok());
  CHECK(no_link.error().code == errc::forbidden);
  CHECK(no_link.error().stable_code == "link_forbidden");
  auto hidden = authorize_pair(as("dev"), "1", "2", pair_permission::review, jira.fn());
  REQUIRE_FALSE(hidden.ok());
  CHECK(hidden.error().stable_code == "issue_forbidden");
  CHECK(authorize_pair(as("dev"), "3", "1", pair_permission::review, jira.fn()).error().stable_code == "issue_forbidden");
  CHECK(authorize_pair(as("staff"), "3", "2", pair_permission::link, jira.fn()).ok());
  CHECK(jira.asked.back().issue_ids == std::vector<std::string>{"3", "2"});
  CHECK(jira.asked.back().project_permissions == std::vector<std::string>{"BROWSE_PROJECTS", "LINK_ISSUES"});
  jira.link["staff"].clear();  // revoked: the next link is refused at once
  CHECK(authorize_pair(as("staff"), "3", "2", pair_permission::link, jira.fn()).error().stable_code == "link_forbidden");
  jira.down = true;
  CHECK(authorize_pair(as("staff"), "1", "4", pair_permission::review, jira.fn()).error().stable_code == "permission_check_failed");
}
