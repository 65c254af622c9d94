// Rating a search's hits: search wide enough for the model, keep what the viewer may see, rate from both ends, tier.
#include "service/suggestions.hpp"

#include <algorithm>
#include <map>
#include <span>
#include <unordered_set>

namespace doppel::service {
namespace {

using hit_list = std::vector<core::search_hit>;
using lists_by_id = std::map<std::string, hit_list>;  // a candidate's own list (its other end), by candidate id

// The query's facts: the text query's, or the indexed issue's own.
core::query_facts facts_of(const core::search_index& idx, const suggestion_query& q) {
  if (!q.text)
    if (auto f = idx.facts_by_id(q.issue_id)) return *f;
  return q.facts;
}

std::vector<double> likelihoods_of(const core::search_index& idx, const core::query_facts& facts, const hit_list& hits,
                                   double likely_threshold) {
  std::vector<double> out;
  for (const auto& r : core::rate_hits(idx, facts, hits, likely_threshold)) out.push_back(r.likelihood);
  return out;
}

// The entries among the first `limit` hits whose other end is asked (core::other_ends_to_ask): a panel asks the
// closest core::max_other_ends, the queue's lists (every likely pair) all at or above the floor.
std::vector<std::size_t> asked_entries(const std::vector<double>& likelihoods, std::size_t limit, double likely_threshold,
                                       std::size_t max_likely) {
  return core::other_ends_to_ask(std::span<const double>(likelihoods.data(), std::min(limit, likelihoods.size())),
                                 likely_threshold, max_likely == every_likely ? every_likely : core::max_other_ends);
}

// The ids of the asked entries whose own list is not in `lists` yet.
std::vector<std::string> to_ask(const hit_list& hits, const std::vector<double>& likelihoods, std::size_t limit,
                                double likely_threshold, std::size_t max_likely, const lists_by_id& lists) {
  std::vector<std::string> out;
  for (auto i : asked_entries(likelihoods, limit, likely_threshold, max_likely))
    if (!lists.count(hits[i].issue_id)) out.push_back(hits[i].issue_id);
  return out;
}

// Each candidate's own list: the same scope, not this issue's exclusions, the panel's pool.
void search_own_lists(const core::search_index& idx, const std::vector<std::string>& ids, core::search_filter filter,
                      lists_by_id& lists) {
  filter.exclude_issue_ids.clear();
  filter.full_scan = false;
  for (const auto& id : ids) lists.emplace(id, idx.search_issue(id, filter));
}

// Keeps the hits of `own` and of `lists` the viewer may see, with one check for all of them.
void keep_visible(const visibility_fn& visible, hit_list& own, lists_by_id& lists) {
  hit_list all = own;
  std::unordered_set<std::string> seen;
  for (const auto& h : own) seen.insert(h.issue_id);
  for (const auto& [id, list] : lists)
    for (const auto& h : list)
      if (seen.insert(h.issue_id).second) all.push_back(h);
  std::unordered_set<std::string> may_see;
  for (const auto& h : visible(std::move(all))) may_see.insert(h.issue_id);
  auto drop_hidden = [&](hit_list& l) { std::erase_if(l, [&](const auto& h) { return !may_see.count(h.issue_id); }); };
  drop_hidden(own);
  for (auto& [id, list] : lists) drop_hidden(list);
}

// This issue's likelihood on each asked candidate's own list (0 when it is not on it).
std::map<std::string, double> other_end_likelihoods(const core::search_index& idx, const std::string& issue_id,
                                                    const lists_by_id& lists, double likely_threshold) {
  std::map<std::string, double> b;
  for (const auto& [id, list] : lists) {
    b[id] = 0.0;
    const auto facts = idx.facts_by_id(id);
    if (!facts) continue;  // removed since the search
    const auto r = core::rate_hits(idx, *facts, list, likely_threshold);
    for (std::size_t j = 0; j < list.size(); ++j)
      if (list[j].issue_id == issue_id) b[id] = r[j].likelihood;
  }
  return b;
}

}  // namespace

std::vector<suggestion> suggest(store::index_cache& index, const std::string& tenant_id, const suggestion_query& q,
                                core::search_filter filter, double likely_threshold, std::size_t limit,
                                const visibility_fn& visible, std::size_t max_likely) {
  filter.threshold = 0;
  filter.limit = std::max(limit, core::likelihood_search_limit);
  // An indexed issue's pairs are rated from both ends (core::pair_likelihood); a text query (a draft, an issue not
  // indexed yet) is on nobody's list: its own end decides. The memory copy is read twice (before and after the one
  // visibility check), not once per search, so reads meet the index's writers as rarely as before.
  hit_list hits;
  lists_by_id other_lists;
  index.read(tenant_id, [&](const core::search_index& idx) {
    hits = q.text ? idx.search(*q.text, filter) : idx.search_issue(q.issue_id, filter);
    // With a viewer filter, the other ends are searched before its one check, chosen on this list as rated before
    // it (the same ones unless hidden issues were among the best).
    if (visible && !q.text) {
      const auto before = likelihoods_of(idx, facts_of(idx, q), hits, likely_threshold);
      search_own_lists(idx, to_ask(hits, before, limit, likely_threshold, max_likely, other_lists), filter, other_lists);
    }
  });
  if (visible) keep_visible(visible, hits, other_lists);
  std::vector<double> likelihoods;
  std::vector<std::string> late;  // asked only after the check: searched and checked on their own
  std::map<std::string, double> other_ends;
  index.read(tenant_id, [&](const core::search_index& idx) {
    likelihoods = likelihoods_of(idx, facts_of(idx, q), hits, likely_threshold);
    if (hits.size() > limit) {  // the display limit, in score order
      hits.resize(limit);
      likelihoods.resize(limit);
    }
    if (q.text) return;
    late = to_ask(hits, likelihoods, limit, likely_threshold, max_likely, other_lists);
    if (!visible) {  // no check to wait for
      search_own_lists(idx, late, filter, other_lists);
      late.clear();
    }
    if (late.empty()) other_ends = other_end_likelihoods(idx, q.issue_id, other_lists, likely_threshold);
  });
  if (!late.empty()) {
    lists_by_id late_lists;
    index.read(tenant_id, [&](const core::search_index& idx) { search_own_lists(idx, late, filter, late_lists); });
    hit_list none;
    keep_visible(visible, none, late_lists);
    other_lists.merge(late_lists);
    other_ends = index.read(tenant_id, [&](const core::search_index& idx) {
      return other_end_likelihoods(idx, q.issue_id, other_lists, likely_threshold);
    });
  }
  // Only the asked ones can be likely: each takes its pair's likelihood; the others show this end's.
  std::vector<bool> asked(hits.size(), q.text.has_value());
  if (!q.text)
    for (auto i : asked_entries(likelihoods, limit, likely_threshold, max_likely)) {
      asked[i] = true;
      likelihoods[i] = core::pair_likelihood(likelihoods[i], other_ends.at(hits[i].issue_id));
    }
  const auto tiers = core::list_tiers(likelihoods, likely_threshold, max_likely, asked);
  std::vector<suggestion> out;
  out.reserve(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) out.push_back({std::move(hits[i]), likelihoods[i], tiers[i]});
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
