// What a viewer may see: the viewer (tenant + account), Jira's permission grants, and the pure browse filter.
#pragma once

#include "util/result.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::auth {

// Jira permission keys Doppel asks about (atlassian-platform.md §10).
inline constexpr std::string_view browse_projects = "BROWSE_PROJECTS";
inline constexpr std::string_view link_issues = "LINK_ISSUES";
inline constexpr std::string_view administer = "ADMINISTER";

// The user a request is served for: both ids non-empty (an anonymous token has no viewer).
class viewer {
 public:
  // Errors: errc::unauthorized "anonymous_viewer" when either id is empty.
  static result<viewer> make(std::string tenant_id, std::string account_id);

  const std::string& tenant_id() const noexcept { return tenant_id_; }
  const std::string& account_id() const noexcept { return account_id_; }
  bool operator==(const viewer&) const = default;

 private:
  viewer(std::string tenant_id, std::string account_id)
      : tenant_id_(std::move(tenant_id)), account_id_(std::move(account_id)) {}
  std::string tenant_id_;
  std::string account_id_;
};

// Jira's answer to a bulk permission check: the global keys granted, and per project permission key the project
// ids and issue ids (numeric ids as text) granted among those asked.
struct permission_grants {
  struct ids {
    std::set<std::string, std::less<>> projects;
    std::set<std::string, std::less<>> issues;
  };
  std::set<std::string, std::less<>> global;
  std::map<std::string, ids, std::less<>> project;

  bool has_global(std::string_view key) const;
  bool project_granted(std::string_view permission, std::string_view project_id) const;
  bool issue_granted(std::string_view permission, std::string_view issue_id) const;
  // Adds every grant of other (answers of several calls for one question).
  void merge(const permission_grants& other);
};

// An issue as the filter sees it. project_id "" = unknown (indexed before project ids were stored);
// security_known = the payload said whether the issue has a security level (security_level_id "" = none).
struct candidate {
  std::string issue_id;
  std::string project_id;
  bool security_known = false;
  std::string security_level_id;
};

// True when the project-level grant is not enough to decide: a security level, or an unknown project or level.
// Such candidates are decided by Jira's issue-level answer (which accounts for issue security).
bool needs_issue_check(const candidate& c);

// Issue ids (deduplicated, in order) of the candidates that need the issue-level check.
std::vector<std::string> issue_check_ids(const std::vector<candidate>& candidates);
// Project ids (deduplicated, in order, non-empty) of the candidates decided at project level.
std::vector<std::string> project_check_ids(const std::vector<candidate>& candidates);

// May the viewer browse c: its project granted BROWSE_PROJECTS and no security level; or, when needs_issue_check(c),
// its issue id granted BROWSE_PROJECTS by the issue-level check. Anything not granted is denied.
bool may_browse(const candidate& c, const permission_grants& grants);

// The candidates the viewer may browse, in their order.
std::vector<candidate> filter_browsable(const std::vector<candidate>& candidates, const permission_grants& grants);

}  // namespace doppel::auth
