// Suggestions: searched wide enough for the model, filtered for the viewer before rating, cut to the display
// limit in score order, likely ones first; every candidate rated with the same model the engine tests pin down.
#include "service/suggestions.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
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

TEST_CASE("suggest: cut to the limit in score order, likely first, every candidate rated as the engine rates it") {
  auto cache = cache_of_fixture();
  const double threshold = 0.5 * core::default_likely_threshold;
  auto found = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, threshold, 10);
  REQUIRE(found.size() == 10);
  // The same ten the engine ranks best among the model's 20, with the engine's own likelihoods.
  core::search_filter wide;
  wide.limit = core::likelihood_search_limit;
  auto idx = fixture();
  auto hits = idx.search_issue("1", wide);
  REQUIRE(hits.size() >= 10);
  auto rated = core::rate_hits(idx, *idx.facts_by_id("1"), hits, threshold);
  std::vector<std::string> best10;
  for (std::size_t i = 0; i < 10; ++i) best10.push_back(hits[i].issue_id);
  bool related_seen = false;
  for (const auto& s : found) {
    auto at = std::find(best10.begin(), best10.end(), s.hit.issue_id);
    REQUIRE(at != best10.end());
    auto i = std::size_t(at - best10.begin());
    CHECK(s.likelihood == doctest::Approx(rated[i].likelihood));
    CHECK((s.tier == core::tier::likely) == (s.likelihood >= threshold));
    if (s.tier == core::tier::related) related_seen = true;
    else CHECK_FALSE(related_seen);  // no likely one after a related one
  }
  CHECK(std::any_of(found.begin(), found.end(), [](const auto& s) { return s.tier == core::tier::likely; }));
}

TEST_CASE("suggest: hidden candidates are dropped before rating and never shown") {
  auto cache = cache_of_fixture();
  auto everything = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, core::default_likely_threshold, 10);
  REQUIRE(everything.size() == 10);
  const auto hidden = everything.front().hit.issue_id;
  std::size_t seen_by_filter = 0;
  auto visible = [&](std::vector<core::search_hit> hits) {
    seen_by_filter = hits.size();
    std::erase_if(hits, [&](const auto& h) { return h.issue_id == hidden; });
    return hits;
  };
  auto filtered = service::suggest(cache, "t", {"1", std::nullopt, {}}, {}, core::default_likely_threshold, 10, visible);
  CHECK(seen_by_filter == core::likelihood_search_limit);  // the filter sees the model's whole list
  CHECK(filtered.size() == 10);                             // and the panel is still full
  CHECK(std::none_of(filtered.begin(), filtered.end(), [&](const auto& s) { return s.hit.issue_id == hidden; }));
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
