// Badge and comment: the pending count as an issue property, the candidates comment in ADF.
#include "service/flags.hpp"

#include "service/settings.hpp"
#include "service/tenants.hpp"
#include "store/job_queue.hpp"
#include "store/pair_store.hpp"
#include "store/tenant_store.hpp"

#include <boost/json.hpp>

#include <optional>

namespace doppel::service {
namespace {

// The ADF comment listing a new issue's pending candidates, best first: each key links to the issue in the site.
// nullopt when none is left to list.
std::optional<boost::json::value> candidates_comment(store::write_tx& tx, const std::string& tenant_id,
                                                     const std::string& issue_id) {
  auto tenant = store::find_tenant(tx, tenant_id);
  std::string site = tenant ? tenant->base_url : std::string();
  while (!site.empty() && site.back() == '/') site.pop_back();
  auto text = [](std::string t) { return boost::json::object{{"type", "text"}, {"text", std::move(t)}}; };
  auto paragraph = [](boost::json::array content) {
    return boost::json::object{{"type", "paragraph"}, {"content", std::move(content)}};
  };
  boost::json::array items;
  for (const auto& c : store::pending_candidates(tx, tenant_id, issue_id, int(comment_limit))) {
    auto link = text(c.key);
    if (!site.empty())
      link["marks"] = boost::json::array{
          boost::json::object{{"type", "link"}, {"attrs", boost::json::object{{"href", site + "/browse/" + c.key}}}}};
    boost::json::array line{link};
    if (!c.summary.empty()) line.push_back(text(" " + c.summary));
    items.push_back(boost::json::object{{"type", "listItem"}, {"content", boost::json::array{paragraph(line)}}});
  }
  if (items.empty()) return std::nullopt;
  std::string label = items.size() == 1 ? "1 possible duplicate" : std::to_string(items.size()) + " possible duplicates";
  boost::json::array content{paragraph({text("Doppel found " + label + " of this issue:")}),
                             boost::json::object{{"type", "bulletList"}, {"content", std::move(items)}}};
  return boost::json::value(boost::json::object{{"type", "doc"}, {"version", 1}, {"content", std::move(content)}});
}

}  // namespace

void queue_flags(store::write_tx& tx, const std::string& tenant_id, const std::string& issue_id,
                 const std::string& issue_key, flags_refresh what) {
  boost::json::object p{{"issueId", issue_id}, {"issueKey", issue_key}};
  if (what == flags_refresh::badge_only) p["refresh"] = true;
  store::enqueue(tx, tenant_id, store::job_kind::publish_flags, "flags:" + issue_id, boost::json::serialize(p));
}

void publish_flags(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id,
                   const std::string& issue_key, flags_refresh what, int attempt) {
  int pending = store::pending_count(tx, tenant_id, issue_id);
  if (what == flags_refresh::new_issue && pending == 0) return;  // nothing likely: no badge, no comment to write
  auto client = jira_for_tenant(ctx, tenant_id, nullptr);
  if (!client) {
    // A Forge site with no usable system token right now: the panel shows the count itself.
    if (client.error().code == errc::unavailable) return;
    throw std::runtime_error("flags: " + client.error().message);
  }
  boost::json::object value{{"type", "badge"}, {"value", {{"label", pending > 0 ? std::to_string(pending) : ""}}}};
  auto st = (*client)->set_issue_property(issue_key, panel_status_property(ctx.app_key), value);
  if (!st) throw_jira_failure(ctx, tenant_id, st.error(), "flags");
  if (what != flags_refresh::new_issue || pending == 0 || !load_settings(tx, tenant_id).comment_on_create) return;
  auto doc = candidates_comment(tx, tenant_id, issue_id);
  if (!doc) return;
  // The comment carries a marker property, created with it. A retry may follow an attempt whose comment Jira created
  // although we never learnt it (its answer or our commit was lost): look for the marker before posting again, so an
  // issue gets one comment at most.
  const auto marker = comment_marker_property(ctx.app_key);
  if (attempt > 1) {
    auto found = (*client)->has_comment_with_property(issue_key, marker);
    if (!found) throw_jira_failure(ctx, tenant_id, found.error(), "comment");
    if (*found) return;
  }
  auto c = (*client)->add_comment(issue_key, *doc, marker);
  if (!c) throw_jira_failure(ctx, tenant_id, c.error(), "comment");
}

std::string panel_status_property(const std::string& app_key) {
  return "com.atlassian.jira.issue:" + app_key + ":possible-duplicates:status";
}

std::string comment_marker_property(const std::string& app_key) { return app_key + ".candidates-comment"; }

}  // namespace doppel::service
