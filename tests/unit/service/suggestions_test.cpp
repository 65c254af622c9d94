// Suggestions: searched wide enough for the model, filtered for the viewer before rating, cut to the display
// limit in score order, each pair rated from both ends, at most likely_per_list likely, shown likely first.
#include "service/suggestions.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

using namespace doppel;

namespace {

constexpr std::int64_t day_ms = 86400000;

core::indexed_document doc(const std::string& id, const std::string& project, std::vector<core::term_freq> terms,
                           std::int64_t created_ms) {
  core::indexed_document d;
  d.issue_id = id;
  d.key = project + "-" + id;
  d.project = project;
  d.issue_type = "Bug";
  d.status = "Open";
  d.created_ms = created_ms;
  std::sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.term < b.term; });
  d.analysis.terms = std::move(terms);
  d.analysis.lengths = {static_cast<std::uint16_t>(d.analysis.terms.size()), 0, 0, 0};
  return d;
}

// 30 issues sharing "disk" with the query issue 1 in varying strength, some in another project.
core::search_index fixture() {
  core::search_index idx;
  idx.put(doc("1", "P", {{"disk", {3, 0, 0, 0}}, {"full", {2, 0, 0, 0}}, {"node", {1, 0, 0, 0}}}, 100 * day_ms));
  for (int i = 2; i <= 31; ++i) {
    std::vector<core::term_freq> terms{{"disk", {1, 0, 0, 0}}};
    if (i % 2 == 0) terms.push_back({"full", {std::uint8_t(1 + i % 3), 0, 0, 0}});
    if (i % 3 == 0) terms.push_back({"node", {1, 0, 0, 0}});
    terms.push_back({"other" + std::to_string(i), {1, 0, 0, 0}});
    idx.put(doc(std::to_string(i), i % 4 == 0 ? "Q" : "P", std::move(terms), (100 - i) * day_ms));
  }
  return idx;
}

store::index_cache cache_of_fixture() {
  return store::index_cache([](const std::string&, std::int64_t& generation) {
    generation = 0;
    return fixture();
  });
}

}  // namespace

// What the engine gives candidate `candidate_id` of issue `issue_id` from both ends (the rule of core/likelihood.hpp
// written out with the engine's own calls): its rating on the issue's list, and the issue's on the candidate's.
struct both_ends {
  double this_end = 0, other_end = 0;
};
both_ends engine_ends(const core::search_index& idx, const std::string& issue_id, const std::string& candidate_id,
                      double threshold) {
  core::search_filter wide;
  wide.limit = core::likelihood_search_limit;
  both_ends e;
  for (const auto& [from, to, out] : {std::tuple{issue_id, candidate_id, &e.this_end},
                                      std::tuple{candidate_id, issue_id, &e.other_end}}) {
    const auto hits = idx.search_issue(from, wide);
    const auto rated = core::rate_hits(idx, *idx.facts_by_id(from), hits, threshold);
    for (std::size_t i = 0; i < hits.size(); ++i)
      if (hits[i].issue_id == to) *out = rated[i].likelihood;
  }
  return e;
}

TEST_CASE("suggest: cut to the limit in score order, likely first, each pair rated from both ends as the engine rates it") {
  auto cache = cache_of_fixture();
  const double threshold = 0.5 * core::default_likely_threshold;
  auto found = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, threshold, 10);
  REQUIRE(found.size() == 10);
  // The same ten the engine ranks best among the model's 20.
  core::search_filter wide;
  wide.limit = core::likelihood_search_limit;
  auto idx = fixture();
  auto hits = idx.search_issue("1", wide);
  REQUIRE(hits.size() >= 10);
  std::vector<std::string> best10;
  std::vector<double> this_ends;
  for (std::size_t i = 0; i < 10; ++i) {
    best10.push_back(hits[i].issue_id);
    this_ends.push_back(engine_ends(idx, "1", hits[i].issue_id, threshold).this_end);
  }
  // The other end is asked for the closest on this end (at most max_other_ends), and only those can be likely.
  std::vector<std::string> asked_ids;
  for (auto i : core::other_ends_to_ask(this_ends, threshold)) asked_ids.push_back(best10[i]);
  REQUIRE(asked_ids.size() == core::max_other_ends);  // the fixture has more candidates above the floor
  CHECK(std::count_if(this_ends.begin(), this_ends.end(), [&](double a) { return core::asks_other_end(a, threshold); }) >
        std::ptrdiff_t(core::max_other_ends));
  std::size_t asked = 0, likely = 0, above = 0;
  bool related_seen = false;
  for (const auto& s : found) {
    REQUIRE(std::find(best10.begin(), best10.end(), s.hit.issue_id) != best10.end());
    const auto e = engine_ends(idx, "1", s.hit.issue_id, threshold);
    const bool is_asked = std::find(asked_ids.begin(), asked_ids.end(), s.hit.issue_id) != asked_ids.end();
    if (is_asked) {
      ++asked;
      CHECK(s.likelihood == doctest::Approx(std::sqrt(e.this_end * e.other_end)));
      if (s.likelihood >= threshold) ++above;
    } else {
      CHECK(s.likelihood == doctest::Approx(e.this_end));
      CHECK(s.tier == core::tier::related);
    }
    if (s.tier == core::tier::likely) {
      ++likely;
      CHECK(is_asked);
      CHECK(s.likelihood >= threshold);
      CHECK_FALSE(related_seen);  // no likely one after a related one
    } else {
      related_seen = true;
    }
  }
  CHECK(asked == core::max_other_ends);
  CHECK(above > core::likely_per_list);                        // the fixture has more asked pairs above the threshold
  CHECK(likely == core::likely_per_list);                      // than a list marks likely
  for (std::size_t i = 1; i < found.size(); ++i)  // each tier by the likelihood it shows (so the likely are the best)
    if (found[i].tier == found[i - 1].tier) CHECK(found[i].likelihood <= found[i - 1].likelihood);
  CHECK(found[core::likely_per_list].likelihood <= found[core::likely_per_list - 1].likelihood);

  // The review queue's call asks every candidate at or above the floor and takes every pair above the threshold.
  std::size_t pairs_above = 0;
  for (const auto& id : best10) {
    const auto e = engine_ends(idx, "1", id, threshold);
    if (core::asks_other_end(e.this_end, threshold) && std::sqrt(e.this_end * e.other_end) >= threshold) ++pairs_above;
  }
  CHECK(pairs_above > above);  // more than the panel's three asked
  auto every = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, threshold, 10, {}, service::every_likely);
  CHECK(std::size_t(std::count_if(every.begin(), every.end(), [](const auto& s) { return s.tier == core::tier::likely; })) ==
        pairs_above);
}

TEST_CASE("suggest: a text query (a draft) is rated from its own end, at most likely_per_list likely") {
  auto cache = cache_of_fixture();
  const double threshold = 0.25 * core::default_likely_threshold;
  core::query q;
  q.analysis.terms = {{"disk", {3, 0, 0, 0}}, {"full", {2, 0, 0, 0}}, {"node", {1, 0, 0, 0}}};
  q.analysis.lengths = {3, 0, 0, 0};
  q.project = "P";
  const core::query_facts facts{"P", "Bug", {}, 100 * day_ms};
  auto found = service::suggest(cache, "t", {"", q, facts}, {}, threshold, 10);
  REQUIRE(found.size() == 10);
  core::search_filter wide;
  wide.limit = core::likelihood_search_limit;
  auto idx = fixture();
  const auto hits = idx.search(q, wide);
  const auto rated = core::rate_hits(idx, facts, hits, threshold);
  std::size_t likely = 0, above = 0;
  for (const auto& s : found) {
    const auto at = std::find_if(hits.begin(), hits.end(), [&](const auto& h) { return h.issue_id == s.hit.issue_id; });
    REQUIRE(at != hits.end());
    CHECK(s.likelihood == doctest::Approx(rated[std::size_t(at - hits.begin())].likelihood));
    above += s.likelihood >= threshold;
    likely += s.tier == core::tier::likely;
  }
  CHECK(above > core::likely_per_list);
  CHECK(likely == core::likely_per_list);
}

TEST_CASE("suggest: hidden candidates are dropped before rating, on this list and on the candidates' own lists") {
  auto cache = cache_of_fixture();
  auto everything = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, core::default_likely_threshold, 10);
  REQUIRE(everything.size() == 10);
  const auto hidden = everything.front().hit.issue_id;
  std::vector<std::size_t> seen_by_filter;
  bool hidden_passed = false;
  auto visible = [&](std::vector<core::search_hit> hits) {
    seen_by_filter.push_back(hits.size());
    std::erase_if(hits, [&](const auto& h) { return h.issue_id == hidden; });
    for (const auto& h : hits) hidden_passed = hidden_passed || h.issue_id == hidden;
    return hits;
  };
  auto filtered = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, core::default_likely_threshold, 10, visible);
  // One check for this list and the other ends; hiding one of the best brings an 11th candidate into the ten,
  // whose own list gets a second check when it is asked.
  REQUIRE(!seen_by_filter.empty());
  CHECK(seen_by_filter.size() <= 2);
  CHECK(seen_by_filter[0] > core::likelihood_search_limit);     // the model's whole list and the candidates' lists
  CHECK_FALSE(hidden_passed);
  CHECK(filtered.size() == 10);                                 // and the panel is still full
  CHECK(std::none_of(filtered.begin(), filtered.end(), [&](const auto& s) { return s.hit.issue_id == hidden; }));
  // A viewer who may see everything: exactly one check, and the same answer as without a filter.
  std::size_t checks = 0;
  auto everyone = [&](std::vector<core::search_hit> hits) {
    ++checks;
    return hits;
  };
  auto all_seen = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, core::default_likely_threshold, 10, everyone);
  CHECK(checks == 1);
  REQUIRE(all_seen.size() == everything.size());
  for (std::size_t i = 0; i < all_seen.size(); ++i) {
    CHECK(all_seen[i].hit.issue_id == everything[i].hit.issue_id);
    CHECK(all_seen[i].likelihood == doctest::Approx(everything[i].likelihood));
  }
  // The other ends are rated without the hidden issue: the pair likelihoods differ from the unfiltered ones.
  bool some_differ = false;
  for (const auto& f : filtered)
    for (const auto& e : everything)
      if (f.hit.issue_id == e.hit.issue_id && std::abs(f.likelihood - e.likelihood) > 1e-12) some_differ = true;
  CHECK(some_differ);
}

TEST_CASE("likely_only keeps the likely tier, in order") {
  std::vector<service::suggestion> all(4);
  all[0].hit.issue_id = "a";
  all[0].tier = core::tier::likely;
  all[1].hit.issue_id = "b";
  all[2].hit.issue_id = "c";
  all[2].tier = core::tier::likely;
  all[3].hit.issue_id = "d";
  auto likely = service::likely_only(all);
  REQUIRE(likely.size() == 2);
  CHECK(likely[0].hit.issue_id == "a");
  CHECK(likely[1].hit.issue_id == "c");
}
