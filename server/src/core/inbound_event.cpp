// Inbound events: the routing fields of a Jira webhook or Forge product event (the worker parses the full issue).
#include "core/inbound_event.hpp"

#include "core/analyzer.hpp"
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

// Cuts `v` to at most `budget` bytes of text, taking what it keeps from the budget (a scalar costs 8 bytes, so a
// long array of numbers is bounded too). Object keys are kept; their values share the budget.
void bound(boost::json::value& v, std::size_t& budget) {
  if (v.is_string()) {
    auto& s = v.as_string();
    if (s.size() > budget) {
      std::size_t cut = budget;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
      s.resize(cut);
    }
    budget -= s.size();
  } else if (v.is_array()) {
    auto& a = v.as_array();
    std::size_t keep = 0;
    while (keep < a.size() && budget > 0) bound(a[keep++], budget);
    a.erase(a.begin() + std::ptrdiff_t(keep), a.end());
  } else if (v.is_object()) {
    for (auto& m : v.as_object()) bound(m.value(), budget);
  } else {
    budget -= std::min<std::size_t>(budget, 8);
  }
}

// A budget of max_field_bytes for each member at depth 2 (issue.fields.*: summary, description, comment, ...) and
// for each non-object member above it (webhookEvent, changelog, issue.key, ...).
void bound_members(boost::json::object& o, int depth) {
  for (auto& m : o) {
    if (depth < 2 && m.value().is_object()) {
      bound_members(m.value().as_object(), depth + 1);
    } else {
      std::size_t budget = max_field_bytes;
      bound(m.value(), budget);
    }
  }
}

}  // namespace

std::string stored_payload(std::string_view body) {
  if (body.size() <= max_verbatim_event_bytes) return std::string(body);
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::string(body);
  bound_members(v.as_object(), 0);
  return boost::json::serialize(v);
}

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
