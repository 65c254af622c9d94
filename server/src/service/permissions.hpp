// The viewer's Jira permissions for use-cases: a bounded 60 s cache of project-level grants per (tenant, account),
// the browse filter over candidates (issue-level checks for secured issues), and pair-action authorisation.
#pragma once

#include "auth/caller.hpp"
#include "auth/permissions.hpp"
#include "jira/jira_client.hpp"
#include "store/dashboard_store.hpp"
#include "store/index_store.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace doppel::service {

// Asks Jira one bulk permission question with the app's credentials. Production: a jira_client's
// check_permissions (made interactive with limit_to_request on request threads).
using permission_check_fn = std::function<result<auth::permission_grants>(const jira::permission_query&)>;

// Wraps a client: [client](const jira::permission_query& q) { return client->check_permissions(q); }.
permission_check_fn checker_of(std::shared_ptr<jira::jira_client> client);

struct project_access {
  bool browse = false;  // BROWSE_PROJECTS
  bool link = false;    // LINK_ISSUES
  bool operator==(const project_access&) const = default;
};

struct permission_cache_options {
  std::chrono::seconds ttl{60};               // capped at 60 s
  std::size_t max_viewers = 10000;            // (tenant, account) pairs kept
  std::size_t max_projects_per_viewer = 2000;
};

// Project-level access per (tenant, account, project), each answer kept at most ttl. Only answers Jira gave are
// kept (grants and denials): a failed check caches nothing and grants nothing. Bounded: when max_viewers is
// reached, expired viewers go first, then the least recently used one; a viewer over max_projects_per_viewer
// starts afresh. Thread-safe; the check runs outside the lock.
class permission_cache {
 public:
  explicit permission_cache(permission_cache_options options = {}, clock_fn clock = system_clock_fn());

  // Access of the viewer to each of project_ids (non-numeric ids are denied): fresh cached answers, the rest asked
  // in one check (BROWSE_PROJECTS and LINK_ISSUES; the client splits above 1,000 ids).
  // Errors: the check's error, as errc::unavailable "permission_check_failed" (nothing cached).
  result<std::map<std::string, project_access>> projects(const auth::viewer& viewer,
                                                         const std::vector<std::string>& project_ids,
                                                         const permission_check_fn& check);

  void forget_viewer(const auth::viewer& viewer);
  void forget_tenant(const std::string& tenant_id);  // on uninstall
  std::size_t viewer_count() const;

 private:
  struct project_entry {
    project_access access;
    std::chrono::system_clock::time_point fetched;
  };
  struct viewer_entry {
    std::unordered_map<std::string, project_entry> projects;
    std::chrono::system_clock::time_point last_used;
  };
  bool fresh(const project_entry& e, std::chrono::system_clock::time_point now) const { return now - e.fetched < ttl_; }
  void make_room(std::chrono::system_clock::time_point now);  // mutex_ held

  std::chrono::seconds ttl_;
  permission_cache_options options_;
  clock_fn clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, viewer_entry> viewers_;  // key: tenant '\n' account
};

// The filter's view of a stored issue (project id and security level from migration 0008).
auth::candidate candidate_of(const store::issue_meta& meta);

// The candidates the viewer may browse, in order: plain issues by the cached project grant, secured issues and
// issues of unknown project or level by one issue-level check (never cached, <= 1,000 ids per call).
// Errors (fail closed: show nothing): errc::unavailable "permission_check_failed", its message says why.
result<std::vector<auth::candidate>> browsable_candidates(permission_cache& cache, const auth::viewer& viewer,
                                                          const std::vector<auth::candidate>& candidates,
                                                          const permission_check_fn& check);

// Whether the viewer may browse this one issue (the panel of an issue: 404 when not, like an unknown issue).
result<bool> may_browse_issue(permission_cache& cache, const auth::viewer& viewer, const auth::candidate& issue,
                              const permission_check_fn& check);

// What of the tenant's index the viewer may see, in the form the dashboard queries take: the browsable projects among
// in.project_ids (from the cache: one check for those not fresh) and the granted issues among in.issue_ids (one
// issue-level check, never cached; the client splits at 1,000 ids). Non-numeric ids are never granted.
// Errors (fail closed: show nothing): errc::unavailable "permission_check_failed".
result<store::visible_issues> visible_issues_for(permission_cache& cache, const auth::viewer& viewer,
                                                 const store::visibility_inputs& in, const permission_check_fn& check);

enum class pair_permission {
  review,  // dismiss, restore, bulk: browse on both issues
  link,    // create the Duplicate link in Jira: browse and LINK_ISSUES on both
};

// Authorises a write on the pair (issue ids) with a fresh issue-level check (one call, not cached: a revoked
// permission takes effect at once). ok() = allowed. Errors: errc::forbidden "issue_forbidden" (an issue the viewer
// may not browse) or "link_forbidden" (no Link Issues permission); errc::unavailable "permission_check_failed".
status authorize_pair(const auth::viewer& viewer, const std::string& issue_id, const std::string& other_id,
                      pair_permission needed, const permission_check_fn& check);

// The viewer of a user request: errc::unauthorized "anonymous_viewer" for a token without `sub` / `principal`.
result<auth::viewer> viewer_of(const auth::caller& who);

// Time a request thread gives Jira: all calls of one client together (a permission check, an admin check, a link).
inline constexpr std::chrono::milliseconds request_jira_budget{5000};

}  // namespace doppel::service
