// UI modifications (apps) REST for the create-dialog hints: the entity Doppel owns (name + data mark it as ours),
// its Global issue create (GIC) contexts from the admin's scope, request bodies, answers, and the calls themselves.
#pragma once

#include "jira/jira_client.hpp"
#include "util/result.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace doppel::jira {

// What marks an entity as Doppel's (a retry finds its own entity by both, never creates a second one).
inline constexpr std::string_view uim_name = "Doppel duplicate hints";
inline constexpr std::string_view uim_description = "Shows likely duplicates under Summary while an issue is created";
inline constexpr std::string_view uim_data = R"({"app":"doppel","module":"duplicate-hints","v":1})";
inline constexpr std::size_t max_uim_contexts = 1000;     // per entity (Jira's limit)
inline constexpr int max_uim_list_pages = 30;             // 3,000 entities per app, 100 a page
inline constexpr std::size_t max_project_keys_per_call = 50;  // GET /rest/api/3/project/search?keys=…

// A GIC context: project and issue type ids as text, empty = null (Jira's wildcard). viewType is always "GIC".
struct uim_context {
  std::string project_id;
  std::string issue_type_id;
  friend bool operator==(const uim_context&, const uim_context&) = default;
};

// One context per project (any issue type): the admin's project scope. Numeric ids only, duplicates dropped, at
// most max_uim_contexts.
std::vector<uim_context> contexts_for_projects(const std::vector<std::string>& project_ids);
// All projects: one context per issue type (any project). A context may hold one wildcard only, so "every project
// and every issue type" cannot be one context. Same filtering and cap.
std::vector<uim_context> contexts_for_issue_types(const std::vector<std::string>& issue_type_ids);
// Whether two context lists name the same contexts (order and duplicates ignored).
bool same_contexts(const std::vector<uim_context>& a, const std::vector<uim_context>& b);

// The body of POST /rest/api/3/uiModifications and of PUT …/{id} (name, description, data, contexts: PUT replaces
// all contexts and puts back name and data should someone have changed them).
boost::json::value ui_modification_body(const std::vector<uim_context>& contexts);

// Doppel's entities on a page of GET /rest/api/3/uiModifications?expand=data,contexts.
struct uim_entity {
  std::string id;
  std::vector<uim_context> contexts;  // GIC contexts only
};
struct uim_page {
  std::vector<uim_entity> ours;  // name and data are Doppel's
  std::size_t values = 0;        // entities on the page, ours or not
  bool is_last = true;
};
result<uim_page> parse_uim_page(const boost::json::value& answer);
// The id of a created entity (201 {"id","self"}).
result<std::string> parse_created_uim(const boost::json::value& answer);
// Project ids of a GET /rest/api/3/project/search page ({"values":[{"id","key"}…]}), in answer order.
result<std::vector<std::string>> parse_project_ids(const boost::json::value& answer);
// Issue type ids of GET /rest/api/3/issuetype ([{"id","name"}…]).
result<std::vector<std::string>> parse_issue_type_ids(const boost::json::value& answer);

// The calls (Forge app system token; Jira answers 403 to anything else). Errors as jira_status_error, transport
// errors, or upstream "jira_bad_response".
result<std::vector<uim_entity>> list_own_ui_modifications(jira_client& client);
result<std::string> create_ui_modification(jira_client& client, const std::vector<uim_context>& contexts);
// errc::not_found "jira_not_found" when the entity is gone.
status update_ui_modification(jira_client& client, const std::string& id, const std::vector<uim_context>& contexts);
// A 404 (already gone) counts as done.
status delete_ui_modification(jira_client& client, const std::string& id);
// The ids of the projects with these keys the app can see (unknown keys are left out), 50 keys a call.
result<std::vector<std::string>> project_ids_for_keys(jira_client& client, const std::vector<std::string>& keys);
result<std::vector<std::string>> issue_type_ids(jira_client& client);

}  // namespace doppel::jira
