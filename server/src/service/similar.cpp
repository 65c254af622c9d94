// Similar issues: settings (memory) and stored pairs → the tenant's memory index → candidates with metadata and status.
#include "service/similar.hpp"

#include "core/analyzer.hpp"
#include "core/issue_document.hpp"
#include "core/surface_forms.hpp"
#include "service/backfill.hpp"
#include "service/permissions.hpp"
#include "service/settings.hpp"
#include "service/suggestions.hpp"
#include "service/tenants.hpp"
#include "store/index_store.hpp"
#include "store/pair_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace doppel::service {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::tokenizer& thread_tokenizer() {
  thread_local core::tokenizer tok;
  return tok;
}

struct tenant_view {
  tenant_settings settings;
  std::string browse_base;  // display URL (or base URL) for issue links
};

// From this replica's memory (tenant_snapshot_of): no database read on a warm path.
tenant_view tenant_view_of(context& ctx, const caller& who) {
  auto t = tenant_snapshot_of(ctx, who.tenant_id);
  tenant_view v{t->settings, {}};
  if (t->row) v.browse_base = !t->row->display_url.empty() ? t->row->display_url : t->row->base_url;
  if (who.forge && !who.forge_site_url.empty()) v.browse_base = who.forge_site_url;
  return v;
}

// The hits' stored metadata, read once after the search (by the visibility filter) and used again to describe them.
using metas_by_id = std::unordered_map<std::string, store::issue_meta>;

// The review status of the pair (issue_id, candidate_id) in either direction; "pending" when none is stored.
std::string pair_status(const std::vector<store::pair_row>& pairs, const std::string& issue_id,
                        const std::string& candidate_id) {
  std::string status = "pending";
  for (const auto& p : pairs)
    if ((p.issue_id == issue_id && p.candidate_id == candidate_id) || (p.candidate_id == issue_id && p.issue_id == candidate_id))
      status = p.status;
  return status;
}

// Suggestions with their metadata (`metas`, read after the search: an issue deleted since is left out), review
// status and the explaining words as written in the query's text (`query_texts`) or the candidate's summary.
std::vector<similar_candidate> describe(const std::string& issue_id, const std::vector<suggestion>& found,
                                        const metas_by_id& metas, const std::vector<store::pair_row>& pairs,
                                        const std::string& browse_base, const std::vector<std::string_view>& query_texts) {
  std::vector<similar_candidate> out;
  for (const auto& s : found) {
    const auto& h = s.hit;
    auto meta = metas.find(h.issue_id);
    if (meta == metas.end()) continue;  // deleted since the search
    const auto& m = meta->second;
    similar_candidate c{m.key, m.summary, m.project, m.status, m.issue_type,
                        std::min(1.0, h.score), s.likelihood, std::string(core::to_string(s.tier)),
                        browse_base.empty() ? "" : browse_base + "/browse/" + m.key,
                        {}, pair_status(pairs, issue_id, h.issue_id)};
    std::vector<std::string> stems;
    for (const auto& t : h.terms) stems.push_back(t.term);
    auto texts = query_texts;
    texts.push_back(m.summary);
    c.terms = core::surface_forms(stems, texts, thread_tokenizer());
    out.push_back(std::move(c));
  }
  return out;
}

error hidden_issue() { return make_error(errc::not_found, "issue_not_found", "Issue not found in this site's index or Jira"); }

error context_mismatch() {
  return make_error(errc::forbidden, "context_issue_mismatch",
                    "This token was issued for another issue than the one requested");
}

// Whether the viewer may browse the project of an issue key (a necessary condition for browsing the issue): the
// project id from a stored issue of that project, else from Jira's project metadata (as the app: no issue content);
// then the cached project grant. A project Jira does not know → false. Errors: "permission_check_failed"; others
// of the project lookup.
result<bool> may_browse_project_of(context& ctx, const caller& who, const viewer_check& vc, jira::jira_client& client,
                                   const std::string& key) {
  const auto project_key = key.substr(0, key.rfind('-'));
  auto project_id = ctx.db.read([&](store::read_tx& tx) { return store::find_project_id(tx, who.tenant_id, project_key); });
  if (!project_id) {
    auto asked = client.get_project_id(project_key);
    if (!asked) {
      if (asked.error().code == errc::not_found) return false;
      return asked.error();
    }
    project_id = std::move(*asked);
  }
  auto access = ctx.permissions->projects(vc.viewer, {*project_id}, vc.check);
  if (!access) return access.error();
  return access->at(*project_id).browse;
}

// An issue Jira has but our index does not yet (created a moment ago), for a viewer who may browse its project
// (checked before anything of the issue is fetched): fetched as the app, to be queried with its text once the
// issue-level answer allows it too. A project the viewer may not browse → hidden_issue().
result<core::indexed_document> fetch_unindexed(context& ctx, const caller& who, const viewer_check& vc,
                                               const std::string& key) {
  auto client = jira_for_tenant(ctx, who.tenant_id, &who);
  if (!client) return client.error();
  auto may = may_browse_project_of(ctx, who, vc, **client, key);
  if (!may) return may.error();
  if (!*may) return hidden_issue();
  auto issue = (*client)->get_issue(key, indexed_issue_fields());
  if (!issue) return issue.error();
  auto doc = core::parse_issue_json(boost::json::serialize(*issue));
  if (!doc) return doc.error();
  return core::make_indexed_document(*doc, thread_tokenizer());
}

// The hits the viewer may browse (for suggest(), before rating), reading the hits' metadata into `metas` (the one
// read of the candidates' rows). A failed check keeps none and leaves its error in `failed`, which the caller
// returns (fail closed: nothing shown, and why).
visibility_fn visible_to(context& ctx, const viewer_check& vc, metas_by_id& metas, std::optional<error>& failed) {
  return [&ctx, &vc, &metas, &failed](std::vector<core::search_hit> hits) {
    std::vector<std::string> ids;
    for (const auto& h : hits) ids.push_back(h.issue_id);
    auto rows = ctx.db.read([&](store::read_tx& tx) { return store::find_issues_by_ids(tx, vc.viewer.tenant_id(), ids); });
    std::vector<auth::candidate> candidates;
    for (auto& m : rows) {
      candidates.push_back(candidate_of(m));
      metas.emplace(m.issue_id, std::move(m));
    }
    auto visible = browsable_candidates(*ctx.permissions, vc.viewer, candidates, vc.check);
    if (!visible) {
      failed = visible.error();
      return std::vector<core::search_hit>{};
    }
    std::unordered_set<std::string> may_see;
    for (const auto& c : *visible) may_see.insert(c.issue_id);
    std::erase_if(hits, [&](const core::search_hit& h) { return !may_see.count(h.issue_id); });
    return hits;
  };
}

}  // namespace

result<similar_answer> similar_for_issue(context& ctx, const caller& who, const std::string& key, std::size_t limit) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  // A token naming its issue by key serves that issue only (checked before anything is looked up).
  if (!who.context.key.empty() && !auth::context_allows(who.context, key, "")) return context_mismatch();
  const auto view = tenant_view_of(ctx, who);
  metas_by_id metas;
  std::optional<error> check_failed;
  const auto visible = visible_to(ctx, *vc, metas, check_failed);
  // The one read before the search (settings and site URL come from memory): the issue and its pairs.
  const auto known = ctx.db.read([&](store::read_tx& tx) { return store::find_issue_with_pairs(tx, who.tenant_id, key); });
  similar_answer answer;
  answer.indexed = known.meta.has_value();
  const auto threshold = view.settings.threshold;
  std::vector<suggestion> found;
  std::string issue_id, summary;
  if (known.meta) {
    // An issue the viewer may not browse answers exactly like an unknown one.
    auto may = may_browse_issue(*ctx.permissions, vc->viewer, candidate_of(*known.meta), vc->check);
    if (!may) return may.error();
    if (!*may) return hidden_issue();
    if (!auth::context_allows(who.context, key, known.meta->issue_id)) return context_mismatch();
    issue_id = known.meta->issue_id;
    summary = known.meta->summary;
    auto filter = filter_for(view.settings, known.meta->project, limit);
    filter.exclude_issue_ids = store::dismissed_among(known.pairs, issue_id);
    found = suggest(ctx.index, who.tenant_id, {issue_id, std::nullopt, {}}, filter, threshold, limit, visible);
  } else {
    auto doc = fetch_unindexed(ctx, who, *vc, key);
    if (!doc) {
      if (doc.error().stable_code == "permission_check_failed") return doc.error();
      if (doc.error().code == errc::not_found || doc.error().code == errc::unavailable) return hidden_issue();
      return doc.error();
    }
    // Fetched as the app: used only when the viewer may browse it (its id is known only now).
    auth::candidate fetched{doc->issue_id, doc->project_id, doc->security_known, doc->security_level_id};
    auto may = may_browse_issue(*ctx.permissions, vc->viewer, fetched, vc->check);
    if (!may) return may.error();
    if (!*may) return hidden_issue();
    if (!auth::context_allows(who.context, key, doc->issue_id)) return context_mismatch();
    issue_id = doc->issue_id;
    summary = doc->summary;
    auto filter = filter_for(view.settings, doc->project, limit);
    filter.exclude_issue_ids.insert(issue_id);
    suggestion_query q{"", core::query{doc->analysis, doc->project, doc->components, doc->created_ms},
                       {doc->project, doc->issue_type, doc->components, doc->created_ms}};
    found = suggest(ctx.index, who.tenant_id, q, filter, threshold, limit, visible);
  }
  if (check_failed) return *check_failed;
  answer.candidates = describe(issue_id, found, metas, known.pairs, view.browse_base, {summary});
  return answer;
}

result<similar_answer> similar_for_draft(context& ctx, const caller& who, const draft& d, std::size_t limit) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  const auto view = tenant_view_of(ctx, who);
  metas_by_id metas;
  std::optional<error> check_failed;
  const auto visible = visible_to(ctx, *vc, metas, check_failed);
  auto filter = filter_for(view.settings, d.project_key, limit);
  const std::int64_t now = now_ms();  // a draft is being created now: the recency prior and the likelihood read it
  suggestion_query q{"", core::draft_query(core::analyze_draft(d.summary, d.description, thread_tokenizer()), d.project_key, now),
                     {d.project_key, d.issue_type, {}, now}};
  auto found = suggest(ctx.index, who.tenant_id, q, filter, view.settings.threshold, limit, visible);
  if (check_failed) return *check_failed;
  similar_answer answer;
  answer.candidates = describe("", found, metas, {}, view.browse_base, {d.summary, d.description});
  return answer;
}

}  // namespace doppel::service
