// Rating a search's hits: search wide enough for the model, keep what the viewer may see, rate, order by tier.
#include "service/suggestions.hpp"

#include <algorithm>

namespace doppel::service {

std::vector<suggestion> suggest(store::index_cache& index, const std::string& tenant_id, const suggestion_query& q,
                                core::search_filter filter, double likely_threshold, std::size_t limit,
                                const visibility_fn& visible) {
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
  std::stable_partition(out.begin(), out.end(), [](const suggestion& s) { return s.tier == core::tier::likely; });
  return out;
}

std::vector<suggestion> likely_only(std::vector<suggestion> all) {
  std::erase_if(all, [](const suggestion& s) { return s.tier != core::tier::likely; });
  return all;
}

}  // namespace doppel::service
