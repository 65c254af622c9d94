// Suggestions: the engine's ranking turned into what users see. Every candidate carries its likelihood (the
// calibrated probability that the pair is a filed duplicate, core/likelihood) and its tier: "likely" at or above
// the site's threshold (counted by the badge, the comment and the review queue), "related" below it.
#pragma once

#include "core/index.hpp"
#include "core/likelihood.hpp"
#include "store/index_cache.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace doppel::service {

struct suggestion {
  core::search_hit hit;
  double likelihood = 0;
  core::tier tier = core::tier::related;
};

// What to find duplicates of: an indexed issue (by id), or a text query (a draft, an issue not indexed yet) with
// the fields the likelihood compares.
struct suggestion_query {
  std::string issue_id;               // set: the indexed issue
  std::optional<core::query> text;    // else: this query
  core::query_facts facts;            // the text query's project, issue type, components, creation time
};

// Keeps the hits the viewer may see (applied before rating, so hidden issues never shift what is shown).
using visibility_fn = std::function<std::vector<core::search_hit>(std::vector<core::search_hit>)>;

// The best `limit` candidates (by score), shown likely ones first, each tier by likelihood. The filter's scope (projects, issue
// types, exclusions, full_scan) applies; its threshold and limit are the model's (every candidate is rated among
// the likelihood_search_limit best, as the model was fitted). For an indexed issue the likelihood is the pair's,
// from both ends (core::pair_likelihood: the candidate's own list is searched with the same scope and visibility)
// for the candidates whose other end is asked (core::other_ends_to_ask), the only ones that can be likely; for a
// text query it is this end's. At most `max_likely` are likely: a panel's list shows core::likely_per_list and asks
// at most core::max_other_ends; the review queue's lists take every likely pair (every_likely) and ask every
// candidate above the floor.
inline constexpr std::size_t every_likely = static_cast<std::size_t>(-1);
std::vector<suggestion> suggest(store::index_cache& index, const std::string& tenant_id, const suggestion_query& q,
                                core::search_filter filter, double likely_threshold, std::size_t limit,
                                const visibility_fn& visible = {}, std::size_t max_likely = core::likely_per_list);

// The likely ones only (what the badge, comment and queue count).
std::vector<suggestion> likely_only(std::vector<suggestion> all);

}  // namespace doppel::service
