// UI modifications (apps) REST: contexts from the scope, bodies, answer parsing, and the paged calls.
#include "jira/ui_modifications.hpp"

#include "auth/qsh.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace doppel::jira {
namespace {

constexpr std::string_view uim_path = "/rest/api/3/uiModifications";
constexpr int uim_page_size = 100;

error bad_answer(const std::string& what) { return make_error(errc::upstream, "jira_bad_response", what); }

bool numeric_id(std::string_view id) {
  return !id.empty() && id.size() <= 18 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An id of an answer (numeric string or number) as text; empty for null, absent or anything else.
std::string id_of(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string() && numeric_id(v->get_string())) return std::string(v->get_string());
  if (v->is_int64() && v->get_int64() >= 0) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

std::string string_of(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

template <class Make>
std::vector<uim_context> contexts_for(const std::vector<std::string>& ids, Make make) {
  std::vector<uim_context> out;
  std::set<std::string, std::less<>> seen;
  for (const auto& id : ids) {
    if (out.size() == max_uim_contexts) break;
    if (numeric_id(id) && seen.insert(id).second) out.push_back(make(id));
  }
  return out;
}

boost::json::value id_or_null(const std::string& id) { return id.empty() ? boost::json::value(nullptr) : boost::json::value(id); }

// A call whose answer must be 2xx; the body parsed as JSON (null for an empty body).
result<boost::json::value> call_json(jira_client& client, std::string_view method, const std::string& path,
                                     const boost::json::value* body, bool idempotent) {
  auto res = client.call(method, path, body, idempotent);
  if (!res) return res.error();
  if (res->status < 200 || res->status >= 300) return jira_status_error(res->status);
  if (res->body.empty()) return boost::json::value(nullptr);
  boost::system::error_code ec;
  auto doc = boost::json::parse(res->body, ec);
  if (ec) return bad_answer("Jira answered with invalid JSON");
  return doc;
}

}  // namespace

std::vector<uim_context> contexts_for_projects(const std::vector<std::string>& project_ids) {
  return contexts_for(project_ids, [](const std::string& id) { return uim_context{id, ""}; });
}

std::vector<uim_context> contexts_for_issue_types(const std::vector<std::string>& issue_type_ids) {
  return contexts_for(issue_type_ids, [](const std::string& id) { return uim_context{"", id}; });
}

bool same_contexts(const std::vector<uim_context>& a, const std::vector<uim_context>& b) {
  auto key = [](const uim_context& c) { return c.project_id + "/" + c.issue_type_id; };
  std::set<std::string> left, right;
  for (const auto& c : a) left.insert(key(c));
  for (const auto& c : b) right.insert(key(c));
  return left == right;
}

boost::json::value ui_modification_body(const std::vector<uim_context>& contexts) {
  boost::json::array list;
  for (const auto& c : contexts)
    list.push_back({{"projectId", id_or_null(c.project_id)}, {"issueTypeId", id_or_null(c.issue_type_id)}, {"viewType", "GIC"}});
  return {{"name", uim_name}, {"description", uim_description}, {"data", uim_data}, {"contexts", std::move(list)}};
}

result<uim_page> parse_uim_page(const boost::json::value& answer) {
  const auto* o = answer.if_object();
  const auto* values = o ? o->if_contains("values") : nullptr;
  if (!values || !values->is_array()) return bad_answer("uiModifications answer has no values array");
  uim_page page;
  page.values = values->get_array().size();
  if (const auto* last = o->if_contains("isLast"); last && last->is_bool()) page.is_last = last->get_bool();
  else page.is_last = values->get_array().empty();
  for (const auto& v : values->get_array()) {
    const auto* e = v.if_object();
    if (!e || string_of(*e, "name") != uim_name || string_of(*e, "data") != uim_data) continue;
    uim_entity entity{string_of(*e, "id"), {}};
    if (entity.id.empty()) continue;
    if (const auto* contexts = e->if_contains("contexts"); contexts && contexts->is_array())
      for (const auto& c : contexts->get_array())
        if (const auto* co = c.if_object(); co && string_of(*co, "viewType") == "GIC")
          entity.contexts.push_back({id_of(*co, "projectId"), id_of(*co, "issueTypeId")});
    page.ours.push_back(std::move(entity));
  }
  return page;
}

result<std::string> parse_created_uim(const boost::json::value& answer) {
  const auto* o = answer.if_object();
  auto id = o ? string_of(*o, "id") : std::string();
  if (id.empty() || id.size() > 255) return bad_answer("created UI modification has no id");
  return id;
}

result<std::vector<std::string>> parse_project_ids(const boost::json::value& answer) {
  const auto* o = answer.if_object();
  const auto* values = o ? o->if_contains("values") : nullptr;
  if (!values || !values->is_array()) return bad_answer("project search answer has no values array");
  std::vector<std::string> ids;
  for (const auto& v : values->get_array())
    if (const auto* p = v.if_object())
      if (auto id = id_of(*p, "id"); !id.empty()) ids.push_back(std::move(id));
  return ids;
}

result<std::vector<std::string>> parse_issue_type_ids(const boost::json::value& answer) {
  if (!answer.is_array()) return bad_answer("issue type answer is not an array");
  std::vector<std::string> ids;
  for (const auto& v : answer.get_array())
    if (const auto* t = v.if_object())
      if (auto id = id_of(*t, "id"); !id.empty()) ids.push_back(std::move(id));
  return ids;
}

result<std::vector<uim_entity>> list_own_ui_modifications(jira_client& client) {
  std::vector<uim_entity> ours;
  std::size_t start = 0;
  for (int page_no = 0; page_no < max_uim_list_pages; ++page_no) {
    auto doc = call_json(client, "GET",
                         std::string(uim_path) + "?startAt=" + std::to_string(start) +
                             "&maxResults=" + std::to_string(uim_page_size) + "&expand=data%2Ccontexts",
                         nullptr, true);
    if (!doc) return doc.error();
    auto page = parse_uim_page(*doc);
    if (!page) return page.error();
    for (auto& e : page->ours) ours.push_back(std::move(e));
    if (page->is_last || page->values == 0) return ours;
    start += page->values;
  }
  return bad_answer("more UI modifications listed than an app may have");
}

result<std::string> create_ui_modification(jira_client& client, const std::vector<uim_context>& contexts) {
  const auto body = ui_modification_body(contexts);
  auto doc = call_json(client, "POST", std::string(uim_path), &body, false);
  if (!doc) return doc.error();
  return parse_created_uim(*doc);
}

status update_ui_modification(jira_client& client, const std::string& id, const std::vector<uim_context>& contexts) {
  const auto body = ui_modification_body(contexts);
  auto doc = call_json(client, "PUT", std::string(uim_path) + "/" + auth::rfc3986_encode(id), &body, true);
  if (!doc) return doc.error();
  return ok();
}

status delete_ui_modification(jira_client& client, const std::string& id) {
  auto doc = call_json(client, "DELETE", std::string(uim_path) + "/" + auth::rfc3986_encode(id), nullptr, true);
  if (!doc && doc.error().code != errc::not_found) return doc.error();
  return ok();
}

result<std::vector<std::string>> project_ids_for_keys(jira_client& client, const std::vector<std::string>& keys) {
  std::vector<std::string> ids;
  for (std::size_t begin = 0; begin < keys.size(); begin += max_project_keys_per_call) {
    const std::size_t end = std::min(keys.size(), begin + max_project_keys_per_call);
    std::string path = "/rest/api/3/project/search?maxResults=" + std::to_string(max_project_keys_per_call);
    for (std::size_t i = begin; i < end; ++i) path += "&keys=" + auth::rfc3986_encode(keys[i]);
    auto doc = call_json(client, "GET", path, nullptr, true);
    if (!doc) return doc.error();
    auto page = parse_project_ids(*doc);
    if (!page) return page.error();
    ids.insert(ids.end(), page->begin(), page->end());
  }
  return ids;
}

result<std::vector<std::string>> issue_type_ids(jira_client& client) {
  auto doc = call_json(client, "GET", "/rest/api/3/issuetype", nullptr, true);
  if (!doc) return doc.error();
  return parse_issue_type_ids(*doc);
}

}  // namespace doppel::jira
