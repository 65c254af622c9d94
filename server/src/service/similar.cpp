// Similar issues: settings and stored pairs → the tenant's memory index → candidates with metadata and status.
#include "service/similar.hpp"

#include "core/analyzer.hpp"
#include "core/issue_document.hpp"
#include "service/backfill.hpp"
#include "service/settings.hpp"
#include "service/tenants.hpp"
#include "store/index_store.hpp"
#include "store/pair_store.hpp"
#include "store/tenant_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <unordered_set>

namespace doppel::service {
namespace {

core::tokenizer& thread_tokenizer() {
  thread_local core::tokenizer tok;
  return tok;
}

struct tenant_view {
  tenant_settings settings;
  std::string browse_base;  // display URL (or base URL) for issue links
};

tenant_view read_tenant_view(store::tx_base& tx, const caller& who) {
  tenant_view v;
  v.settings = load_settings(tx, who.tenant_id);
  auto t = store::find_tenant(tx, who.tenant_id);
  if (t) v.browse_base = !t->display_url.empty() ? t->display_url : t->base_url;
  if (who.forge && !who.forge_site_url.empty()) v.browse_base = who.forge_site_url;
  return v;
}

// The review status of the pair (issue_id, candidate_id) in either direction; "pending" when none is stored.
std::string pair_status(const std::vector<store::pair_row>& pairs, const std::string& issue_id,
                        const std::string& candidate_id) {
  std::string status = "pending";
  for (const auto& p : pairs)
    if ((p.issue_id == issue_id && p.candidate_id == candidate_id) || (p.candidate_id == issue_id && p.issue_id == candidate_id))
      status = p.status;
  return status;
}

// The viewer, checked on this request: who may see what (service/permissions.hpp).
struct viewer_check {
  auth::viewer viewer;
  permission_check_fn check;
};

result<viewer_check> viewer_check_for(context& ctx, const caller& who) {
  auto viewer = viewer_of(who);
  if (!viewer) return viewer.error();
  auto check = permission_checker(ctx, who);
  if (!check) return check.error();
  return viewer_check{*viewer, std::move(*check)};
}

// Hits asked from the index: more than shown, since the viewer may not see some of them.
std::size_t pool_for(std::size_t limit) { return std::min<std::size_t>(limit * 2 + 10, 200); }

error hidden_issue() { return make_error(errc::not_found, "issue_not_found", "Issue not found in this site's index or Jira"); }

// Hits with their metadata (read after the search; an issue deleted since is left out) and review status, only
// those the viewer may browse, at most limit. Errors: the permission check's (fail closed: nothing shown).
result<std::vector<similar_candidate>> describe(context& ctx, const viewer_check& vc, const std::string& issue_id,
                                                const std::vector<core::search_hit>& hits,
                                                const std::vector<store::pair_row>& pairs,
                                                const std::string& browse_base, std::size_t limit) {
  const auto& tenant_id = vc.viewer.tenant_id();
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.issue_id);
  auto metas = ctx.db.read([&](store::read_tx& tx) { return store::find_issues_by_ids(tx, tenant_id, ids); });
  std::vector<auth::candidate> candidates;
  for (const auto& m : metas) candidates.push_back(candidate_of(m));
  auto visible = browsable_candidates(*ctx.permissions, vc.viewer, candidates, vc.check);
  if (!visible) return visible.error();
  std::unordered_set<std::string> may_see;
  for (const auto& c : *visible) may_see.insert(c.issue_id);
  std::vector<similar_candidate> out;
  for (const auto& h : hits) {
    if (out.size() >= limit) break;
    auto meta = std::find_if(metas.begin(), metas.end(), [&](const auto& m) { return m.issue_id == h.issue_id; });
    if (meta == metas.end()) continue;  // deleted since the search
    if (!may_see.count(h.issue_id)) continue;  // the viewer may not browse it
    similar_candidate c{meta->key, meta->summary, meta->project, meta->status, meta->issue_type,
                        std::min(1.0, h.score), browse_base.empty() ? "" : browse_base + "/browse/" + meta->key,
                        {}, pair_status(pairs, issue_id, h.issue_id)};
    for (const auto& t : h.terms) c.terms.push_back(t.term);
    out.push_back(std::move(c));
  }
  return out;
}

// An issue Jira has but our index does not yet (created a moment ago): fetch it and query with its text.
result<core::indexed_document> fetch_unindexed(context& ctx, const caller& who, const std::string& key) {
  auto client = jira_for_tenant(ctx, who.tenant_id, &who);
  if (!client) return client.error();
  auto issue = (*client)->get_issue(key, indexed_issue_fields());
  if (!issue) return issue.error();
  auto doc = core::parse_issue_json(boost::json::serialize(*issue));
  if (!doc) return doc.error();
  return core::make_indexed_document(*doc, thread_tokenizer());
}

}  // namespace

result<similar_answer> similar_for_issue(context& ctx, const caller& who, const std::string& key, std::size_t limit) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  // Everything read before the search, in one read transaction: settings, site URL, the issue, its pairs.
  struct before_search {
    tenant_view view;
    std::optional<store::issue_meta> meta;
    std::vector<store::pair_row> pairs;
  };
  auto known = ctx.db.read([&](store::read_tx& tx) {
    before_search b{read_tenant_view(tx, who), store::find_issue_by_key(tx, who.tenant_id, key), {}};
    if (b.meta) b.pairs = store::pairs_for(tx, who.tenant_id, b.meta->issue_id);
    return b;
  });
  similar_answer answer;
  answer.indexed = known.meta.has_value();
  std::vector<core::search_hit> hits;
  std::string issue_id;
  if (known.meta) {
    // An issue the viewer may not browse answers exactly like an unknown one.
    auto may = may_browse_issue(*ctx.permissions, vc->viewer, candidate_of(*known.meta), vc->check);
    if (!may) return may.error();
    if (!*may) return hidden_issue();
    issue_id = known.meta->issue_id;
    auto filter = filter_for(known.view.settings, known.meta->project, pool_for(limit));
    filter.exclude_issue_ids = store::dismissed_among(known.pairs, issue_id);
    hits = ctx.index.search_issue(who.tenant_id, issue_id, filter);
  } else {
    auto doc = fetch_unindexed(ctx, who, key);
    if (!doc) {
      if (doc.error().code == errc::not_found || doc.error().code == errc::unavailable) return hidden_issue();
      return doc.error();
    }
    // Fetched as the app: used only when the viewer may browse it (its id is known only now).
    auth::candidate fetched{doc->issue_id, doc->project_id, doc->security_known, doc->security_level_id};
    auto may = may_browse_issue(*ctx.permissions, vc->viewer, fetched, vc->check);
    if (!may) return may.error();
    if (!*may) return hidden_issue();
    issue_id = doc->issue_id;
    auto filter = filter_for(known.view.settings, doc->project, pool_for(limit));
    filter.exclude_issue_ids.insert(issue_id);
    hits = ctx.index.search(who.tenant_id, core::query{doc->analysis, doc->project, doc->components, doc->created_ms},
                            filter);
  }
  auto described = describe(ctx, *vc, issue_id, hits, known.pairs, known.view.browse_base, limit);
  if (!described) return described.error();
  answer.candidates = std::move(*described);
  return answer;
}

result<similar_answer> similar_for_draft(context& ctx, const caller& who, const draft& d, std::size_t limit) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  auto view = ctx.db.read([&](store::read_tx& tx) { return read_tenant_view(tx, who); });
  auto filter = filter_for(view.settings, d.project_key, pool_for(limit));
  core::query q{core::analyze_draft(d.summary, d.description, thread_tokenizer()), d.project_key, {}, 0};
  auto hits = ctx.index.search(who.tenant_id, q, filter);
  auto described = describe(ctx, *vc, "", hits, {}, view.browse_base, limit);
  if (!described) return described.error();
  similar_answer answer;
  answer.candidates = std::move(*described);
  return answer;
}

}  // namespace doppel::service
