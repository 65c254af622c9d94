// Permission cache (project grants per viewer, 60 s, bounded, fail closed), browse filter and pair authorisation.
#include "service/permissions.hpp"

#include <algorithm>

namespace doppel::service {
namespace {

constexpr std::chrono::seconds max_ttl{60};

std::string viewer_key(const auth::viewer& v) { return v.tenant_id() + '\n' + v.account_id(); }

error check_failed(const error& why) {
  return make_error(errc::unavailable, "permission_check_failed",
                    "Jira's permission check failed (" + why.stable_code + "), so nothing is shown or changed");
}

}  // namespace

permission_check_fn checker_of(std::shared_ptr<jira::jira_client> client) {
  return [client = std::move(client)](const jira::permission_query& q) { return client->check_permissions(q); };
}

permission_cache::permission_cache(permission_cache_options options, clock_fn clock)
    : ttl_(std::min(options.ttl, max_ttl)), options_(options), clock_(clock ? std::move(clock) : system_clock_fn()) {
  if (options_.max_viewers == 0) options_.max_viewers = 1;
  if (options_.max_projects_per_viewer == 0) options_.max_projects_per_viewer = 1;
}

std::size_t permission_cache::viewer_count() const {
  std::lock_guard lock(mutex_);
  return viewers_.size();
}

void permission_cache::forget_viewer(const auth::viewer& viewer) {
  std::lock_guard lock(mutex_);
  viewers_.erase(viewer_key(viewer));
}

void permission_cache::forget_tenant(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  const std::string prefix = tenant_id + '\n';
  std::erase_if(viewers_, [&](const auto& kv) { return kv.first.compare(0, prefix.size(), prefix) == 0; });
}

void permission_cache::make_room(std::chrono::system_clock::time_point now) {
  if (viewers_.size() < options_.max_viewers) return;
  std::erase_if(viewers_, [&](const auto& kv) {
    const auto& ps = kv.second.projects;
    return std::none_of(ps.begin(), ps.end(), [&](const auto& p) { return fresh(p.second, now); });
  });
  if (viewers_.size() < options_.max_viewers) return;
  auto oldest = std::min_element(viewers_.begin(), viewers_.end(),
                                 [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
  viewers_.erase(oldest);
}

result<std::map<std::string, project_access>> permission_cache::projects(const auth::viewer& viewer,
                                                                         const std::vector<std::string>& project_ids,
                                                                         const permission_check_fn& check) {
  const auto key = viewer_key(viewer);
  const auto now = clock_();
  std::map<std::string, project_access> out;
  std::vector<std::string> missing;
  {
    std::lock_guard lock(mutex_);
    auto it = viewers_.find(key);
    for (const auto& id : project_ids) {
      if (id.empty() || out.count(id)) continue;
      if (it != viewers_.end())
        if (auto p = it->second.projects.find(id); p != it->second.projects.end() && fresh(p->second, now)) {
          out[id] = p->second.access;
          continue;
        }
      out[id] = project_access{};  // denied unless Jira grants it below
      missing.push_back(id);
    }
    if (it != viewers_.end()) it->second.last_used = now;
  }
  if (missing.empty()) return out;

  jira::permission_query q{viewer.account_id(),
                           {},
                           {std::string(auth::browse_projects), std::string(auth::link_issues)},
                           missing,
                           {}};
  auto grants = check(q);
  if (!grants) return check_failed(grants.error());
  for (const auto& id : missing)
    out[id] = {grants->project_granted(auth::browse_projects, id), grants->project_granted(auth::link_issues, id)};

  std::lock_guard lock(mutex_);
  auto it = viewers_.find(key);
  if (it == viewers_.end()) {
    make_room(now);
    it = viewers_.emplace(key, viewer_entry{}).first;
  }
  auto& entry = it->second;
  entry.last_used = now;
  if (entry.projects.size() + missing.size() > options_.max_projects_per_viewer) {
    std::erase_if(entry.projects, [&](const auto& p) { return !fresh(p.second, now); });
    if (entry.projects.size() + missing.size() > options_.max_projects_per_viewer) entry.projects.clear();
  }
  for (const auto& id : missing)
    if (entry.projects.size() < options_.max_projects_per_viewer) entry.projects[id] = {out[id], now};
  return out;
}

auth::candidate candidate_of(const store::issue_meta& meta) {
  return {meta.issue_id, meta.project_id, meta.security_known, meta.security_level_id};
}

result<std::vector<auth::candidate>> browsable_candidates(permission_cache& cache, const auth::viewer& viewer,
                                                          const std::vector<auth::candidate>& candidates,
                                                          const permission_check_fn& check) {
  auth::permission_grants grants;
  const auto project_ids = auth::project_check_ids(candidates);
  if (!project_ids.empty()) {
    auto access = cache.projects(viewer, project_ids, check);
    if (!access) return access.error();
    auto& browse = grants.project[std::string(auth::browse_projects)];
    for (const auto& [id, a] : *access)
      if (a.browse) browse.projects.insert(id);
  }
  const auto issue_ids = auth::issue_check_ids(candidates);
  if (!issue_ids.empty()) {
    auto issue_grants = check({viewer.account_id(), {}, {std::string(auth::browse_projects)}, {}, issue_ids});
    if (!issue_grants) return check_failed(issue_grants.error());
    grants.merge(*issue_grants);
  }
  return auth::filter_browsable(candidates, grants);
}

result<bool> may_browse_issue(permission_cache& cache, const auth::viewer& viewer, const auth::candidate& issue,
                              const permission_check_fn& check) {
  auto visible = browsable_candidates(cache, viewer, {issue}, check);
  if (!visible) return visible.error();
  return !visible->empty();
}

result<store::visible_issues> visible_issues_for(permission_cache& cache, const auth::viewer& viewer,
                                                 const store::visibility_inputs& in, const permission_check_fn& check) {
  store::visible_issues out;
  if (!in.project_ids.empty()) {
    auto access = cache.projects(viewer, in.project_ids, check);
    if (!access) return access.error();
    for (const auto& [id, a] : *access)
      if (a.browse) out.project_ids.push_back(id);
  }
  if (!in.issue_ids.empty()) {
    auto grants = check({viewer.account_id(), {}, {std::string(auth::browse_projects)}, {}, in.issue_ids});
    if (!grants) return check_failed(grants.error());
    for (const auto& id : in.issue_ids)
      if (grants->issue_granted(auth::browse_projects, id)) out.issue_ids.push_back(id);
  }
  return out;
}

status authorize_pair(const auth::viewer& viewer, const std::string& issue_id, const std::string& other_id,
                      pair_permission needed, const permission_check_fn& check) {
  jira::permission_query q{viewer.account_id(), {}, {std::string(auth::browse_projects)}, {}, {issue_id, other_id}};
  if (needed == pair_permission::link) q.project_permissions.emplace_back(auth::link_issues);
  auto grants = check(q);
  if (!grants) return check_failed(grants.error());
  for (const auto& id : {issue_id, other_id})
    if (!grants->issue_granted(auth::browse_projects, id))
      return make_error(errc::forbidden, "issue_forbidden", "You do not have permission to see both issues");
  if (needed == pair_permission::link)
    for (const auto& id : {issue_id, other_id})
      if (!grants->issue_granted(auth::link_issues, id))
        return make_error(errc::forbidden, "link_forbidden", "You do not have the Link Issues permission for both issues");
  return ok();
}

result<auth::viewer> viewer_of(const auth::caller& who) { return auth::viewer::make(who.tenant_id, who.account_id); }

}  // namespace doppel::service
