// Outgoing Jira REST client: Connect JWT (qsh-signed per request) or Forge bearer, retries, typed helpers.
#pragma once

#include "auth/permissions.hpp"
#include "jira/call_gate.hpp"
#include "jira/http_client.hpp"
#include "jira/retry.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace doppel::jira {

// Connect: calls go to the tenant baseUrl, signed with the tenant's shared secret (iss = our app key).
struct connect_credentials {
  std::string base_url;
  std::string app_key;
  std::string shared_secret;
};

// Forge Remote: calls go to app.apiBaseUrl with the x-forge-oauth-system token.
struct forge_credentials {
  std::string api_base_url;
  std::string system_token;
};

using credentials = std::variant<connect_credentials, forge_credentials>;

struct jira_client_deps {
  std::shared_ptr<const http_client> http;
  clock_fn clock = system_clock_fn();
  sleep_fn sleep = real_sleeper();
  random_fn random = real_random();
  retry_policy retry = {};
  // When set, no call runs past it: no attempt starts after it, each attempt's timeouts are cut to the time left,
  // and a retry wait that would cross it returns the 429/503 instead. See jira_client::limit_to_request.
  std::optional<std::chrono::system_clock::time_point> deadline;
  // > 0: no attempt runs longer (on top of the deadline and the http client's own timeouts).
  std::chrono::milliseconds attempt_timeout{0};
  // The site's gate (call_gate.hpp): every attempt takes one of its slots for `mode` first, a 429/503 closes it for
  // the Retry-After, a timeout marks the site slow. Null = no per-site limits (tests of the client alone).
  std::shared_ptr<tenant_gate> gate;
  call_mode mode = call_mode::background;
};

// A bulk permission check (POST /rest/api/3/permissions/check) for one account. Ids are Jira's numeric ids as text;
// ids that are not decimal numbers are never sent (and so never granted). Any number of ids: the client splits them
// into calls of at most max_permission_check_ids projects and issues each.
struct permission_query {
  std::string account_id;                        // required: an empty one would ask about the app's own user
  std::vector<std::string> global_permissions;   // e.g. {"ADMINISTER"}
  std::vector<std::string> project_permissions;  // e.g. {"BROWSE_PROJECTS", "LINK_ISSUES"}
  std::vector<std::string> project_ids;
  std::vector<std::string> issue_ids;
};
inline constexpr std::size_t max_permission_check_ids = 1000;

// Atlassian's personal data reporting API (POST /app/report-accounts/, docs/privacy.md): one reported account with
// the time (RFC 3339) of the oldest personal data held for it, and Atlassian's answer for one account.
struct account_report {
  std::string account_id;
  std::string updated_at;
};
struct account_update {
  std::string account_id;
  std::string status;  // "closed" (erase) | "updated" (refresh)
};
struct account_report_answer {
  std::vector<account_update> updates;  // empty for 204 (nothing to do)
  std::string cycle_period;             // the Cycle-Period header as sent ("" = absent)
};
inline constexpr std::size_t max_reported_accounts = 90;  // per request, as documented

// Which API root a call goes to: the product (Connect baseUrl, Forge apiBaseUrl) or Atlassian's platform API
// (Connect: the tenant baseUrl as well; Forge: the origin of apiBaseUrl, https://api.atlassian.com).
enum class api_root { product, platform };

struct search_request {
  std::string jql;                  // must be bounded (e.g. "project = X AND updated >= -30d ORDER BY ...")
  std::vector<std::string> fields;  // empty = Jira's default
  int max_results = 100;
  std::string next_page_token;      // empty for the first page
};

struct search_page {
  boost::json::array issues;
  std::string next_page_token;  // empty on the last page
  bool is_last = true;
};

// One client per tenant and credential set; cheap to create. Thread-compatible (create one per job).
// Retries: 429 for any call (Jira did not process it), 503 only for idempotent calls; at most
// retry_policy::max_retries, waiting retry_delay() (jittered backoff, never less than Retry-After);
// a Retry-After above max_retry_after stops retrying and returns the 429/503 as an error.
class jira_client {
 public:
  jira_client(credentials creds, jira_client_deps deps);

  // Raw call. path_and_query is relative to the base ("/rest/api/3/...") and already percent-encoded.
  // Returns the final response whatever its status; errors only for transport failures.
  result<http_response> call(std::string_view method, std::string_view path_and_query,
                             const boost::json::value* body, bool idempotent, api_root root = api_root::product);

  // GET /rest/api/3/search/jql (nextPageToken paging).
  result<search_page> search_jql(const search_request& request);
  // Pages through a whole search: on_page is called per page until the last page, on_page returning false,
  // or max_pages pages. Returns the number of pages fetched; stops at the first error.
  result<int> for_each_search_page(search_request request, const std::function<bool(const search_page&)>& on_page,
                                   int max_pages = 10000);
  // GET /rest/api/3/issue/{key}[?fields=a,b]
  result<boost::json::object> get_issue(std::string_view issue_key, const std::vector<std::string>& fields = {});
  // GET /rest/api/3/project/{key}: the project's id (project metadata, no issue content). Errors: call_json's (404
  // jira_not_found for a project that does not exist or the app may not see); "jira_bad_response" without an id.
  result<std::string> get_project_id(std::string_view project_key);
  // POST /rest/api/3/issueLink {"type":{"name":"Duplicate"},"inwardIssue":{"key"},"outwardIssue":{"key"}}
  status link_duplicate(std::string_view inward_key, std::string_view outward_key);
  // POST /rest/api/3/issue/{key}/comment {"body": <ADF document>}, with the comment property
  // marker_property = {"app":"doppel"} when marker_property is not empty (created with the comment, atomically).
  status add_comment(std::string_view issue_key, const boost::json::value& adf_document,
                     std::string_view marker_property = {});
  // Whether a comment of the issue carries the property: GET /rest/api/3/issue/{key}/comment?expand=properties
  // (startAt paging, at most max_pages pages of 100).
  result<bool> has_comment_with_property(std::string_view issue_key, std::string_view property_key, int max_pages = 20);
  // PUT /rest/api/3/issue/{key}/properties/{propertyKey} with the JSON value as body
  status set_issue_property(std::string_view issue_key, std::string_view property_key, const boost::json::value& value);
  // POST /rest/api/3/permissions/check {"accountId","globalPermissions":["ADMINISTER"]}
  result<bool> is_jira_admin(std::string_view account_id);
  // POST /rest/api/3/permissions/check, as the app (Connect JWT or the Forge token of this client), split into
  // calls of <= 1,000 project ids and <= 1,000 issue ids; global permissions go with the first call. Only ids that
  // were asked are kept from the answers. Errors: errc::unauthorized "anonymous_viewer" (empty account id); any
  // failed call fails the whole check (jira_status_error, transport errors, "jira_bad_response"): never a partial
  // answer, so callers fail closed.
  result<auth::permission_grants> check_permissions(const permission_query& query);

  // POST /app/report-accounts/ {"accounts":[{"accountId","updatedAt"}]} on the platform root, at most
  // max_reported_accounts per call (more: errc::bad_request "too_many_accounts"). 200 → the accounts to erase or
  // refresh (only asked ones kept), 204 → none. 429 is retried like every call (Retry-After honoured up to
  // retry_policy::max_retry_after), then returned as errc::rate_limited "jira_rate_limited".
  result<account_report_answer> report_accounts(const std::vector<account_report>& accounts);

  // Makes this client's later calls interactive (a user is waiting on a request thread): all of them end within
  // `budget` from now, and retries follow interactive_retry_policy() (a long Retry-After fails at once with
  // errc::rate_limited "jira_rate_limited" instead of sleeping). Typical budget: a few seconds.
  void limit_to_request(std::chrono::milliseconds budget);
  // Makes this client's later calls those of a background job: all of them end within `budget` from now, each attempt
  // within `attempt_budget`, and nothing is ever slept out (background_retry_policy(): a 429/503 comes back at once
  // and the job is rescheduled instead of holding its worker).
  void limit_to_job(std::chrono::milliseconds budget, std::chrono::milliseconds attempt_budget);

  // The Connect JWT that would sign this request now (exposed for tests and diagnostics).
  std::string connect_token(std::string_view method, std::string_view path_and_query) const;

 private:
  result<http_response> send_once(std::string_view method, std::string_view path_and_query, const std::string* body,
                                  std::chrono::milliseconds timeout, api_root root);
  result<boost::json::value> call_json(std::string_view method, std::string_view path_and_query,
                                       const boost::json::value* body, bool idempotent);
  result<auth::permission_grants> check_permissions_once(const permission_query& query,
                                                         const std::vector<std::string>& project_ids,
                                                         const std::vector<std::string>& issue_ids, bool with_global);

  credentials creds_;
  jira_client_deps deps_;
};

// Maps a non-2xx Jira answer to an error: 404 not_found "jira_not_found", 401 upstream "jira_unauthorized" (bad or
// expired credential), 403 upstream "jira_forbidden",
// 429 rate_limited "jira_rate_limited", 400 upstream "jira_bad_request", others upstream "jira_error".
error jira_status_error(int status);

}  // namespace doppel::jira
