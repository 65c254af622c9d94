// Inbound events: the routing fields of a Jira webhook or Forge product event (the worker parses the full issue).
#include "core/inbound_event.hpp"

#include "util/encoding.hpp"

#include <boost/json.hpp>
#include <openssl/sha.h>

namespace doppel::core {
namespace {

std::string scalar_string(const boost::json::value* v) {
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

bool valid_issue_id(const std::string& id) {
  if (id.empty() || id.size() > 20) return false;
  for (char c : id)
    if (c < '0' || c > '9') return false;
  return true;
}

result<boost::json::object> parse(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return make_error(errc::bad_request, "invalid_json", "Body must be a JSON object");
  return std::move(v.as_object());
}

result<std::optional<inbound_event>> issue_event(const boost::json::object& o, event_type type) {
  const auto* issue = o.if_contains("issue");
  if (!issue || !issue->is_object())
    return make_error(errc::bad_request, "invalid_event", "Issue event without an issue object");
  inbound_event ev;
  ev.type = type;
  ev.issue_id = scalar_string(issue->as_object().if_contains("id"));
  if (!valid_issue_id(ev.issue_id)) return make_error(errc::bad_request, "invalid_event", "issue.id must be numeric");
  return std::optional<inbound_event>(std::move(ev));
}

}  // namespace

std::string_view to_string(event_type t) {
  switch (t) {
    case event_type::created: return "created";
    case event_type::updated: return "updated";
    case event_type::deleted: return "deleted";
    case event_type::project_deleted: return "project_deleted";
  }
  return "updated";
}

result<std::optional<inbound_event>> parse_connect_webhook(std::string_view body) {
  auto o = parse(body);
  if (!o) return o.error();
  auto name = scalar_string(o->if_contains("webhookEvent"));
  if (name == "jira:issue_created") return issue_event(*o, event_type::created);
  if (name == "jira:issue_updated") return issue_event(*o, event_type::updated);
  if (name == "jira:issue_deleted") return issue_event(*o, event_type::deleted);
  if (name == "project_deleted") {
    const auto* project = o->if_contains("project");
    std::string key = project && project->is_object() ? scalar_string(project->as_object().if_contains("key")) : "";
    if (key.empty() || key.size() > 255)
      return make_error(errc::bad_request, "invalid_event", "project_deleted without project.key");
    inbound_event ev;
    ev.type = event_type::project_deleted;
    ev.project_key = key;
    return std::optional<inbound_event>(std::move(ev));
  }
  if (name.empty()) return make_error(errc::bad_request, "invalid_event", "Missing webhookEvent");
  return std::optional<inbound_event>{};
}

result<std::optional<inbound_event>> parse_forge_event(std::string_view body) {
  auto o = parse(body);
  if (!o) return o.error();
  auto name = scalar_string(o->if_contains("eventType"));
  if (name == "avi:jira:created:issue") return issue_event(*o, event_type::created);
  if (name == "avi:jira:updated:issue") return issue_event(*o, event_type::updated);
  if (name == "avi:jira:deleted:issue") return issue_event(*o, event_type::deleted);
  if (name.empty()) return make_error(errc::bad_request, "invalid_event", "Missing eventType");
  return std::optional<inbound_event>{};
}

std::string body_digest(std::string_view body) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), md);
  return "sha256:" + hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

}  // namespace doppel::core
