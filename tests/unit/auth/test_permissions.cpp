// The viewer type and the pure browse filter: project grant AND (no security level OR issue granted by the issue check).
#include "auth/permissions.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace doppel::auth;

namespace {

permission_grants grants_for(std::set<std::string, std::less<>> projects, std::set<std::string, std::less<>> issues) {
  permission_grants g;
  g.project[std::string(browse_projects)] = {std::move(projects), std::move(issues)};
  return g;
}

std::vector<std::string> ids_of(const std::vector<candidate>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.issue_id);
  return out;
}

}  // namespace

TEST_CASE("viewer: both tenant and account id are required") {
  auto v = viewer::make("tenant-1", "acc-1");
  REQUIRE(v.ok());
  CHECK(v->tenant_id() == "tenant-1");
  CHECK(v->account_id() == "acc-1");
  for (auto [t, a] : {std::pair{"", "acc-1"}, std::pair{"tenant-1", ""}, std::pair{"", ""}}) {
    auto bad = viewer::make(t, a);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == errc::unauthorized);
    CHECK(bad.error().stable_code == "anonymous_viewer");
  }
}

TEST_CASE("filter_browsable: project grant for plain issues, issue grant for secured or unknown ones") {
  const std::vector<candidate> cs = {
      {"1", "100", true, ""},       // open project, no level: project decides
      {"2", "200", true, ""},       // restricted project
      {"3", "100", true, "10050"},  // staff-only level in the open project: issue decides
      {"4", "100", true, "10050"},  // same level, granted by the issue check
      {"5", "", true, ""},          // project id unknown (indexed before it was stored): issue decides
      {"6", "100", false, ""},      // security unknown: issue decides
      {"7", "100", false, ""},
  };
  // Project 100 browsable; issue check granted 4 and 7 (a project grant never lets a secured issue through).
  auto g = grants_for({"100"}, {"4", "7"});
  CHECK(ids_of(filter_browsable(cs, g)) == std::vector<std::string>{"1", "4", "7"});
  // Positive control: everything granted shows everything.
  auto all = grants_for({"100", "200"}, {"1", "2", "3", "4", "5", "6", "7"});
  CHECK(ids_of(filter_browsable(cs, all)) == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7"});
  // No grants (e.g. a stranger) shows nothing; an issue grant alone does not open a plain issue's project.
  CHECK(filter_browsable(cs, permission_grants{}).empty());
  CHECK(ids_of(filter_browsable(cs, grants_for({}, {"1", "2"}))).empty());
  // Another permission's grants do not count as browse.
  permission_grants link_only;
  link_only.project[std::string(link_issues)] = {{"100", "200"}, {"3", "4", "5"}};
  CHECK(filter_browsable(cs, link_only).empty());
}

TEST_CASE("filter: which ids go to the project check and which to the issue check") {
  const std::vector<candidate> cs = {{"1", "100", true, ""}, {"2", "100", true, ""}, {"3", "200", true, "9"},
                                     {"4", "", true, ""},    {"5", "300", false, ""}, {"3", "200", true, "9"}};
  CHECK(project_check_ids(cs) == std::vector<std::string>{"100"});
  CHECK(issue_check_ids(cs) == std::vector<std::string>{"3", "4", "5"});
  CHECK_FALSE(needs_issue_check(cs[0]));
  CHECK(needs_issue_check(cs[2]));
  CHECK(needs_issue_check(cs[3]));
  CHECK(needs_issue_check(cs[4]));
}

TEST_CASE("permission_grants: lookups and merge") {
  permission_grants a = grants_for({"100"}, {"1"});
  permission_grants b = grants_for({"101"}, {"2"});
  b.global.insert(std::string(administer));
  a.merge(b);
  CHECK(a.project_granted(browse_projects, "100"));
  CHECK(a.project_granted(browse_projects, "101"));
  CHECK(a.issue_granted(browse_projects, "2"));
  CHECK(a.has_global(administer));
  CHECK_FALSE(a.project_granted(browse_projects, ""));
  CHECK_FALSE(a.issue_granted(link_issues, "1"));
}
