// The viewer type, permission grant lookups and the browse filter (no I/O: grants come from the caller).
#include "auth/permissions.hpp"

namespace doppel::auth {
namespace {

void push_unique(std::vector<std::string>& out, std::set<std::string, std::less<>>& seen, const std::string& id) {
  if (!id.empty() && seen.insert(id).second) out.push_back(id);
}

}  // namespace

result<viewer> viewer::make(std::string tenant_id, std::string account_id) {
  if (tenant_id.empty() || account_id.empty())
    return make_error(errc::unauthorized, "anonymous_viewer", "This request needs a signed-in Atlassian user");
  return viewer(std::move(tenant_id), std::move(account_id));
}

bool permission_grants::has_global(std::string_view key) const { return global.find(key) != global.end(); }

bool permission_grants::project_granted(std::string_view permission, std::string_view project_id) const {
  auto it = project.find(permission);
  return !project_id.empty() && it != project.end() && it->second.projects.find(project_id) != it->second.projects.end();
}

bool permission_grants::issue_granted(std::string_view permission, std::string_view issue_id) const {
  auto it = project.find(permission);
  return !issue_id.empty() && it != project.end() && it->second.issues.find(issue_id) != it->second.issues.end();
}

void permission_grants::merge(const permission_grants& other) {
  global.insert(other.global.begin(), other.global.end());
  for (const auto& [key, ids] : other.project) {
    auto& mine = project[key];
    mine.projects.insert(ids.projects.begin(), ids.projects.end());
    mine.issues.insert(ids.issues.begin(), ids.issues.end());
  }
}

bool needs_issue_check(const candidate& c) {
  return c.project_id.empty() || !c.security_known || !c.security_level_id.empty();
}

std::vector<std::string> issue_check_ids(const std::vector<candidate>& candidates) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (const auto& c : candidates)
    if (needs_issue_check(c)) push_unique(out, seen, c.issue_id);
  return out;
}

std::vector<std::string> project_check_ids(const std::vector<candidate>& candidates) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (const auto& c : candidates)
    if (!needs_issue_check(c)) push_unique(out, seen, c.project_id);
  return out;
}

bool may_browse(const candidate& c, const permission_grants& grants) {
  if (needs_issue_check(c)) return grants.issue_granted(browse_projects, c.issue_id);
  return grants.project_granted(browse_projects, c.project_id);
}

std::vector<candidate> filter_browsable(const std::vector<candidate>& candidates, const permission_grants& grants) {
  std::vector<candidate> out;
  for (const auto& c : candidates)
    if (may_browse(c, grants)) out.push_back(c);
  return out;
}

}  // namespace doppel::auth
