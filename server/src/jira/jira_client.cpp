// Jira REST calls: per-request Connect JWT (iss, iat, exp = now + 180 s, qsh) or Forge bearer; retries.
#include "jira/jira_client.hpp"

#include "auth/jwt.hpp"
#include "auth/qsh.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <set>

namespace doppel::jira {
namespace {

constexpr std::int64_t connect_token_lifetime_s = 180;

std::string trim_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

std::string join_fields(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ',';
    out += f;
  }
  return out;
}

// scheme://host[:port] of a URL (the platform API of a Forge apiBaseUrl such as https://api.atlassian.com/ex/jira/..).
std::string origin_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return trim_slash(url);
  const auto path = url.find('/', scheme + 3);
  return std::string(url.substr(0, path));
}

bool is_success(int status) { return status >= 200 && status < 300; }

bool numeric_id(std::string_view id) {
  return !id.empty() && id.size() <= 18 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The decimal ids among ids, deduplicated, in order.
std::vector<std::string> numeric_ids(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (const auto& id : ids)
    if (numeric_id(id) && seen.insert(id).second) out.push_back(id);
  return out;
}

boost::json::array json_ids(const std::vector<std::string>& ids) {
  boost::json::array out;
  for (const auto& id : ids) out.emplace_back(std::stoll(id));
  return out;
}

// An id of an answer (number or numeric string) as text; empty when it is neither.
std::string id_text(const boost::json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_string() && numeric_id(v.get_string())) return std::string(v.get_string());
  return {};
}

// Keeps the ids of `answer` (a JSON array) that are in `asked`.
void keep_asked(const boost::json::value* answer, const std::vector<std::string>& asked,
                std::set<std::string, std::less<>>& out) {
  if (!answer || !answer->is_array()) return;
  std::set<std::string, std::less<>> wanted(asked.begin(), asked.end());
  for (const auto& v : answer->get_array())
    if (auto id = id_text(v); !id.empty() && wanted.count(id)) out.insert(std::move(id));
}

std::vector<std::string> slice(const std::vector<std::string>& ids, std::size_t chunk) {
  const std::size_t begin = std::min(ids.size(), chunk * max_permission_check_ids);
  const std::size_t end = std::min(ids.size(), begin + max_permission_check_ids);
  return {ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.begin() + static_cast<std::ptrdiff_t>(end)};
}

}  // namespace

error jira_status_error(int status) {
  const std::string msg = "Jira answered " + std::to_string(status);
  if (status == 404) return make_error(errc::not_found, "jira_not_found", msg);
  if (status == 401) return make_error(errc::upstream, "jira_unauthorized", msg);
  if (status == 403) return make_error(errc::upstream, "jira_forbidden", msg);
  if (status == 429) return make_error(errc::rate_limited, "jira_rate_limited", msg);
  if (status == 400) return make_error(errc::upstream, "jira_bad_request", msg);
  return make_error(errc::upstream, "jira_error", msg);
}

jira_client::jira_client(credentials creds, jira_client_deps deps) : creds_(std::move(creds)), deps_(std::move(deps)) {
  if (!deps_.http) throw std::invalid_argument("jira_client needs an http_client");
  if (!deps_.clock) deps_.clock = system_clock_fn();
  if (!deps_.sleep) deps_.sleep = real_sleeper();
  if (!deps_.random) deps_.random = real_random();
}

std::string jira_client::connect_token(std::string_view method, std::string_view path_and_query) const {
  const auto* c = std::get_if<connect_credentials>(&creds_);
  if (!c) return {};
  const std::int64_t now = unix_seconds(deps_.clock());
  // The request Jira sees is <base path><path_and_query>; the qsh is relative to the tenant base path.
  const std::string full = auth::base_path_of(c->base_url) + std::string(path_and_query);
  boost::json::object claims{{"iss", c->app_key},
                             {"iat", now},
                             {"exp", now + connect_token_lifetime_s},
                             {"qsh", auth::compute_qsh(method, full, c->base_url)}};
  return auth::sign_hs256(claims, c->shared_secret);
}

result<http_response> jira_client::send_once(std::string_view method, std::string_view path_and_query, const std::string* body,
                                             std::chrono::milliseconds timeout, api_root root) {
  http_request req;
  req.method = std::string(method);
  req.timeout = timeout;
  req.headers.emplace_back("Accept", "application/json");
  if (body) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = *body;
  }
  if (const auto* c = std::get_if<connect_credentials>(&creds_)) {
    req.url = trim_slash(c->base_url) + std::string(path_and_query);
    req.headers.emplace_back("Authorization", "JWT " + connect_token(method, path_and_query));
  } else {
    const auto& f = std::get<forge_credentials>(creds_);
    req.url = (root == api_root::platform ? origin_of(f.api_base_url) : trim_slash(f.api_base_url)) +
              std::string(path_and_query);
    req.headers.emplace_back("Authorization", "Bearer " + f.system_token);
  }
  return deps_.http->send(req);
}

result<http_response> jira_client::call(std::string_view method, std::string_view path_and_query,
                                        const boost::json::value* body, bool idempotent, api_root root) {
  if (path_and_query.empty() || path_and_query.front() != '/')
    return make_error(errc::internal, "jira_bad_path", "Jira paths start with '/'");
  std::optional<std::string> text;
  if (body) text = boost::json::serialize(*body);
  std::optional<http_response> last;  // the previous attempt's retryable answer
  for (int attempt = 0;; ++attempt) {
    std::chrono::milliseconds timeout = deps_.attempt_timeout;
    if (deps_.deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deps_.deadline - deps_.clock());
      if (left.count() <= 0) return make_error(errc::unavailable, "jira_deadline", "No time left for the Jira call");
      timeout = timeout.count() > 0 ? std::min(timeout, left) : left;
    }
    std::optional<call_slot> slot;
    if (deps_.gate) {
      auto taken = deps_.gate->acquire(deps_.mode, deps_.deadline);
      if (!taken) {
        if (last) return std::move(*last);
        return taken.error();
      }
      slot.emplace(std::move(*taken));
    }
    auto res = send_once(method, path_and_query, text ? &*text : nullptr, timeout, root);
    slot.reset();
    if (!res) {
      if (deps_.gate && res.error().stable_code == "http_timeout") deps_.gate->timed_out();
      return res;
    }
    auto retry_after = parse_retry_after(res->header("Retry-After"), deps_.clock());
    if (deps_.gate) {
      if (res->status == 429 || res->status == 503) deps_.gate->throttled(retry_after);
      else deps_.gate->answered();
    }
    const bool retryable = res->status == 429 || (res->status == 503 && idempotent);
    if (!retryable || attempt >= deps_.retry.max_retries) return res;
    if (retry_after && *retry_after > deps_.retry.max_retry_after) return res;
    const auto wait = retry_delay(attempt, deps_.retry, deps_.random(), retry_after);
    if (deps_.deadline && deps_.clock() + wait >= *deps_.deadline) return res;  // would wake up too late
    deps_.sleep(wait);
    last = std::move(*res);
  }
}

result<boost::json::value> jira_client::call_json(std::string_view method, std::string_view path_and_query,
                                                  const boost::json::value* body, bool idempotent) {
  auto res = call(method, path_and_query, body, idempotent);
  if (!res) return res.error();
  if (!is_success(res->status)) return jira_status_error(res->status);
  if (res->body.empty()) return boost::json::value(nullptr);
  boost::system::error_code ec;
  auto doc = boost::json::parse(res->body, ec);
  if (ec) return make_error(errc::upstream, "jira_bad_response", "Jira answered with invalid JSON");
  return doc;
}

result<search_page> jira_client::search_jql(const search_request& request) {
  std::string path = "/rest/api/3/search/jql?jql=" + auth::rfc3986_encode(request.jql) +
                     "&maxResults=" + std::to_string(request.max_results);
  if (!request.fields.empty()) path += "&fields=" + auth::rfc3986_encode(join_fields(request.fields));
  if (!request.next_page_token.empty()) path += "&nextPageToken=" + auth::rfc3986_encode(request.next_page_token);
  auto doc = call_json("GET", path, nullptr, true);
  if (!doc) return doc.error();
  if (!doc->is_object()) return make_error(errc::upstream, "jira_bad_response", "search answer is not an object");
  const auto& o = doc->get_object();
  search_page page;
  if (auto it = o.find("issues"); it != o.end() && it->value().is_array()) page.issues = it->value().get_array();
  if (auto it = o.find("nextPageToken"); it != o.end() && it->value().is_string())
    page.next_page_token = std::string(it->value().get_string());
  if (auto it = o.find("isLast"); it != o.end() && it->value().is_bool()) page.is_last = it->value().get_bool();
  else page.is_last = page.next_page_token.empty();
  if (page.is_last) page.next_page_token.clear();
  if (!page.is_last && page.next_page_token.empty())
    return make_error(errc::upstream, "jira_bad_response", "search page is not last but has no nextPageToken");
  return page;
}

result<int> jira_client::for_each_search_page(search_request request,
                                              const std::function<bool(const search_page&)>& on_page, int max_pages) {
  int pages = 0;
  while (pages < max_pages) {
    auto page = search_jql(request);
    if (!page) return page.error();
    ++pages;
    if (!on_page(*page) || page->is_last) break;
    request.next_page_token = page->next_page_token;
  }
  return pages;
}

result<boost::json::object> jira_client::get_issue(std::string_view issue_key, const std::vector<std::string>& fields) {
  std::string path = "/rest/api/3/issue/" + auth::rfc3986_encode(issue_key);
  if (!fields.empty()) path += "?fields=" + auth::rfc3986_encode(join_fields(fields));
  auto doc = call_json("GET", path, nullptr, true);
  if (!doc) return doc.error();
  if (!doc->is_object()) return make_error(errc::upstream, "jira_bad_response", "issue answer is not an object");
  return std::move(doc->get_object());
}

result<std::string> jira_client::get_project_id(std::string_view project_key) {
  auto doc = call_json("GET", "/rest/api/3/project/" + auth::rfc3986_encode(project_key), nullptr, true);
  if (!doc) return doc.error();
  const auto* id = doc->is_object() ? doc->get_object().if_contains("id") : nullptr;
  if (!id || !id->is_string() || id->get_string().empty())
    return make_error(errc::upstream, "jira_bad_response", "project answer has no id");
  return std::string(id->get_string());
}

status jira_client::link_duplicate(std::string_view inward_key, std::string_view outward_key) {
  boost::json::value body = {{"type", {{"name", "Duplicate"}}},
                             {"inwardIssue", {{"key", inward_key}}},
                             {"outwardIssue", {{"key", outward_key}}}};
  auto doc = call_json("POST", "/rest/api/3/issueLink", &body, false);
  if (!doc) return doc.error();
  return ok();
}

status jira_client::add_comment(std::string_view issue_key, const boost::json::value& adf_document,
                                std::string_view marker_property) {
  boost::json::object body{{"body", adf_document}};
  if (!marker_property.empty())
    body["properties"] = boost::json::array{{{"key", marker_property}, {"value", {{"app", "doppel"}}}}};
  const boost::json::value value(std::move(body));
  auto doc = call_json("POST", "/rest/api/3/issue/" + auth::rfc3986_encode(issue_key) + "/comment", &value, false);
  if (!doc) return doc.error();
  return ok();
}

result<bool> jira_client::has_comment_with_property(std::string_view issue_key, std::string_view property_key,
                                                    int max_pages) {
  constexpr std::int64_t page_size = 100;
  std::int64_t start = 0;
  for (int page = 0; page < max_pages; ++page) {
    auto doc = call_json("GET",
                         "/rest/api/3/issue/" + auth::rfc3986_encode(issue_key) + "/comment?expand=properties&startAt=" +
                             std::to_string(start) + "&maxResults=" + std::to_string(page_size),
                         nullptr, true);
    if (!doc) return doc.error();
    const auto* o = doc->if_object();
    const auto* comments = o ? o->if_contains("comments") : nullptr;
    if (!comments || !comments->is_array())
      return make_error(errc::upstream, "jira_bad_response", "comments answer has no comments array");
    for (const auto& c : comments->get_array()) {
      const auto* props = c.is_object() ? c.get_object().if_contains("properties") : nullptr;
      if (!props || !props->is_array()) continue;
      for (const auto& p : props->get_array())
        if (const auto* key = p.is_object() ? p.get_object().if_contains("key") : nullptr;
            key && key->is_string() && key->get_string() == property_key)
          return true;
    }
    const auto* total = o->if_contains("total");
    start += static_cast<std::int64_t>(comments->get_array().size());
    if (comments->get_array().empty() || !total || !total->is_int64() || start >= total->as_int64()) return false;
  }
  return make_error(errc::upstream, "jira_too_many_comments", "too many comments to check for the marker");
}

status jira_client::set_issue_property(std::string_view issue_key, std::string_view property_key, const boost::json::value& value) {
  auto doc = call_json("PUT",
                       "/rest/api/3/issue/" + auth::rfc3986_encode(issue_key) + "/properties/" + auth::rfc3986_encode(property_key),
                       &value, true);
  if (!doc) return doc.error();
  return ok();
}

result<account_report_answer> jira_client::report_accounts(const std::vector<account_report>& accounts) {
  if (accounts.size() > max_reported_accounts)
    return make_error(errc::bad_request, "too_many_accounts", "At most 90 accounts per report");
  account_report_answer out;
  if (accounts.empty()) return out;
  boost::json::array list;
  std::set<std::string, std::less<>> asked;
  for (const auto& a : accounts) {
    list.push_back({{"accountId", a.account_id}, {"updatedAt", a.updated_at}});
    asked.insert(a.account_id);
  }
  boost::json::value body = {{"accounts", std::move(list)}};
  // Not idempotent for retries on 503 (Atlassian may have recorded the report); 429 is retried (not processed).
  auto res = call("POST", "/app/report-accounts/", &body, false, api_root::platform);
  if (!res) return res.error();
  out.cycle_period = std::string(res->header("Cycle-Period"));
  if (res->status == 204) return out;
  if (res->status != 200) return jira_status_error(res->status);
  boost::system::error_code ec;
  auto doc = boost::json::parse(res->body, ec);
  const boost::json::value* items = nullptr;
  if (!ec && doc.is_object()) items = doc.get_object().if_contains("accounts");
  if (!items || !items->is_array())
    return make_error(errc::upstream, "jira_bad_response", "report-accounts answer has no accounts array");
  for (const auto& v : items->get_array()) {
    if (!v.is_object()) continue;
    const auto* id = v.get_object().if_contains("accountId");
    const auto* st = v.get_object().if_contains("status");
    if (!id || !id->is_string() || !st || !st->is_string() || !asked.count(std::string_view(id->get_string())))
      continue;
    if (st->get_string() != "closed" && st->get_string() != "updated") continue;
    out.updates.push_back({std::string(id->get_string()), std::string(st->get_string())});
  }
  return out;
}

result<bool> jira_client::is_jira_admin(std::string_view account_id) {
  if (account_id.empty()) return false;
  boost::json::value body = {{"accountId", account_id}, {"globalPermissions", boost::json::array{"ADMINISTER"}}};
  auto doc = call_json("POST", "/rest/api/3/permissions/check", &body, true);
  if (!doc) return doc.error();
  if (!doc->is_object()) return make_error(errc::upstream, "jira_bad_response", "permissions answer is not an object");
  auto it = doc->get_object().find("globalPermissions");
  if (it == doc->get_object().end() || !it->value().is_array()) return false;
  for (const auto& p : it->value().get_array())
    if (p.is_string() && p.get_string() == "ADMINISTER") return true;
  return false;
}

result<auth::permission_grants> jira_client::check_permissions(const permission_query& query) {
  if (query.account_id.empty())
    return make_error(errc::unauthorized, "anonymous_viewer", "A permission check needs an account id");
  const auto projects = numeric_ids(query.project_ids);
  const auto issues = numeric_ids(query.issue_ids);
  const bool per_project = !query.project_permissions.empty();
  const std::size_t chunks =
      per_project ? std::max((projects.size() + max_permission_check_ids - 1) / max_permission_check_ids,
                             (issues.size() + max_permission_check_ids - 1) / max_permission_check_ids)
                  : 0;
  auth::permission_grants grants;
  if (chunks == 0 && query.global_permissions.empty()) return grants;  // nothing to ask
  for (std::size_t chunk = 0; chunk < std::max<std::size_t>(chunks, 1); ++chunk) {
    auto part = check_permissions_once(query, per_project ? slice(projects, chunk) : std::vector<std::string>{},
                                       per_project ? slice(issues, chunk) : std::vector<std::string>{}, chunk == 0);
    if (!part) return part.error();
    grants.merge(*part);
  }
  return grants;
}

result<auth::permission_grants> jira_client::check_permissions_once(const permission_query& query,
                                                                    const std::vector<std::string>& project_ids,
                                                                    const std::vector<std::string>& issue_ids,
                                                                    bool with_global) {
  boost::json::object body{{"accountId", query.account_id}};
  const bool ask_global = with_global && !query.global_permissions.empty();
  if (ask_global) body["globalPermissions"] = boost::json::value_from(query.global_permissions);
  const bool ask_projects = !query.project_permissions.empty() && (!project_ids.empty() || !issue_ids.empty());
  if (ask_projects) {
    boost::json::object entry{{"permissions", boost::json::value_from(query.project_permissions)}};
    if (!project_ids.empty()) entry["projects"] = json_ids(project_ids);
    if (!issue_ids.empty()) entry["issues"] = json_ids(issue_ids);
    body["projectPermissions"] = boost::json::array{std::move(entry)};
  }
  auth::permission_grants grants;
  if (!ask_global && !ask_projects) return grants;
  const boost::json::value value(std::move(body));
  auto doc = call_json("POST", "/rest/api/3/permissions/check", &value, true);
  if (!doc) return doc.error();
  const auto* o = doc->if_object();
  if (!o) return make_error(errc::upstream, "jira_bad_response", "permissions answer is not an object");
  if (const auto* g = o->if_contains("globalPermissions"); g && g->is_array())
    for (const auto& p : g->get_array())
      if (p.is_string() && std::find(query.global_permissions.begin(), query.global_permissions.end(),
                                     std::string_view(p.get_string())) != query.global_permissions.end())
        grants.global.emplace(p.get_string());
  const auto* pp = o->if_contains("projectPermissions");
  if (!pp || !pp->is_array()) return grants;
  for (const auto& entry : pp->get_array()) {
    const auto* e = entry.if_object();
    const auto* key = e ? e->if_contains("permission") : nullptr;
    if (!key || !key->is_string()) continue;
    const std::string permission(key->get_string());
    if (std::find(query.project_permissions.begin(), query.project_permissions.end(), permission) ==
        query.project_permissions.end())
      continue;
    auto& ids = grants.project[permission];
    keep_asked(e->if_contains("projects"), project_ids, ids.projects);
    keep_asked(e->if_contains("issues"), issue_ids, ids.issues);
  }
  return grants;
}

void jira_client::limit_to_request(std::chrono::milliseconds budget) {
  deps_.retry = interactive_retry_policy();
  deps_.deadline = deps_.clock() + budget;
  deps_.mode = call_mode::request;
}

void jira_client::limit_to_job(std::chrono::milliseconds budget, std::chrono::milliseconds attempt_budget) {
  deps_.retry = background_retry_policy();
  deps_.deadline = deps_.clock() + budget;
  deps_.attempt_timeout = attempt_budget;
  deps_.mode = call_mode::background;
}

}  // namespace doppel::jira
