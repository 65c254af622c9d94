// Rating a search's hits: search wide enough for the model, keep what the viewer may see, rate from both ends, tier.
#include "service/suggestions.hpp"

#include <algorithm>
#include <unordered_set>

namespace doppel::service {
namespace {

// The candidates' own lists (their other ends), as the viewer may see them: one visibility check for all of them.
std::vector<std::vector<core::search_hit>> other_end_lists(store::index_cache& index, const std::string& tenant_id,
                                                           const std::vector<std::string>& candidate_ids,
                                                           core::search_filter filter, const visibility_fn& visible) {
  filter.exclude_issue_ids.clear();  // this issue's exclusions (its dismissed pairs) are not the candidate's
  filter.full_scan = false;           // the candidate's list as its panel rates it (a rescan's wider pool is its own)
  std::vector<std::vector<core::search_hit>> lists;
  for (const auto& id : candidate_ids) lists.push_back(index.search_issue(tenant_id, id, filter));
  if (!visible || lists.empty()) return lists;
  std::vector<core::search_hit> all;
  std::unordered_set<std::string> seen;
  for (const auto& list : lists)
    for (const auto& h : list)
      if (seen.insert(h.issue_id).second) all.push_back(h);
  std::unordered_set<std::string> may_see;
  for (const auto& h : visible(std::move(all))) may_see.insert(h.issue_id);
  for (auto& list : lists)
    std::erase_if(list, [&](const core::search_hit& h) { return !may_see.count(h.issue_id); });
  return lists;
}

}  // namespace

std::vector<suggestion> suggest(store::index_cache& index, const std::string& tenant_id, const suggestion_query& q,
                                core::search_filter filter, double likely_threshold, std::size_t limit,
                                const visibility_fn& visible, std::size_t max_likely) {
  filter.threshold = 0;
  filter.limit = std::max(limit, core::likelihood_search_limit);
  auto hits = q.text ? index.search(tenant_id, *q.text, filter) : index.search_issue(tenant_id, q.issue_id, filter);
  if (visible) hits = visible(std::move(hits));
  auto rated = index.read(tenant_id, [&](const core::search_index& idx) {
    core::query_facts facts = q.facts;
    if (!q.text)
      if (auto f = idx.facts_by_id(q.issue_id)) facts = *f;
    return core::rate_hits(idx, facts, hits, likely_threshold);
  });
  std::vector<suggestion> out;
  out.reserve(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) out.push_back({std::move(hits[i]), rated[i].likelihood, rated[i].level});
  if (out.size() > limit) out.resize(limit);  // the display limit, in score order

  // An indexed issue: each pair close enough on this end is rated from both (core::pair_likelihood). A text query
  // (a draft, an issue not indexed yet) is on no other list: this end alone.
  if (!q.text) {
    std::vector<std::size_t> asked;
    std::vector<std::string> asked_ids;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (core::asks_other_end(out[i].likelihood, likely_threshold)) {
        asked.push_back(i);
        asked_ids.push_back(out[i].hit.issue_id);
      }
    const auto lists = other_end_lists(index, tenant_id, asked_ids, filter, visible);
    const auto other_ends = index.read(tenant_id, [&](const core::search_index& idx) {
      std::vector<double> b(lists.size(), 0.0);
      for (std::size_t k = 0; k < lists.size(); ++k) {
        const auto facts = idx.facts_by_id(asked_ids[k]);
        if (!facts) continue;  // removed since the search
        const auto r = core::rate_hits(idx, *facts, lists[k], likely_threshold);
        for (std::size_t j = 0; j < lists[k].size(); ++j)
          if (lists[k][j].issue_id == q.issue_id) b[k] = r[j].likelihood;
      }
      return b;
    });
    for (std::size_t k = 0; k < asked.size(); ++k)
      out[asked[k]].likelihood = core::pair_likelihood(out[asked[k]].likelihood, other_ends[k]);
  }
  std::vector<double> likelihoods;
  for (const auto& s : out) likelihoods.push_back(s.likelihood);
  const auto tiers = core::list_tiers(likelihoods, likely_threshold, max_likely);
  for (std::size_t i = 0; i < out.size(); ++i) out[i].tier = tiers[i];
  // Shown: likely ones first, each tier by the likelihood it displays (ties keep the score order).
  std::stable_sort(out.begin(), out.end(), [](const suggestion& a, const suggestion& b) {
    if (a.tier != b.tier) return a.tier == core::tier::likely;
    return a.likelihood > b.likelihood;
  });
  return out;
}

std::vector<suggestion> likely_only(std::vector<suggestion> all) {
  std::erase_if(all, [](const suggestion& s) { return s.tier != core::tier::likely; });
  return all;
}

}  // namespace doppel::service
