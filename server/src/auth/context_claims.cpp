// Parsing of the Connect context claim's issue and the match rule for requests about an issue.
#include "auth/context_claims.hpp"

#include <boost/json.hpp>

namespace doppel::auth {
namespace {

const boost::json::value* member(const boost::json::value* v, std::string_view name) {
  if (!v || !v->is_object()) return nullptr;
  return v->get_object().if_contains(name);
}

}  // namespace

context_issue context_issue_of(const boost::json::object& claims) {
  context_issue out;
  const auto* context = claims.if_contains("context");
  const auto* issue = member(member(context, "jira"), "issue");
  if (!issue) return out;
  out.named = true;
  if (!issue->is_object()) return out;
  if (const auto* key = issue->get_object().if_contains("key"); key && key->is_string()) out.key = key->get_string();
  if (const auto* id = issue->get_object().if_contains("id")) {
    if (id->is_string()) out.id = id->get_string();
    else if (id->is_int64() && id->get_int64() > 0) out.id = std::to_string(id->get_int64());
    else if (id->is_uint64()) out.id = std::to_string(id->get_uint64());
  }
  return out;
}

bool context_allows(const context_issue& context, std::string_view issue_key, std::string_view issue_id) {
  if (!context.named) return true;
  if (!context.key.empty()) return context.key == issue_key;
  return !context.id.empty() && context.id == issue_id;
}

}  // namespace doppel::auth
