// Likelihood: features in closed form on tiny fixtures, bounded, monotone in the score, stable under renumbering.
#include "core/likelihood.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace doppel::core;

namespace {

constexpr std::int64_t day_ms = 86400000;

indexed_document doc(std::string id, std::string project, std::string type, std::vector<std::string> components,
                     std::vector<term_freq> terms, std::int64_t created_ms) {
  indexed_document d;
  d.issue_id = id;
  d.key = project + "-" + id;
  d.project = std::move(project);
  d.issue_type = std::move(type);
  d.status = "Open";
  d.components = std::move(components);
  d.created_ms = created_ms;
  std::sort(terms.begin(), terms.end(), [](const term_freq& a, const term_freq& b) { return a.term < b.term; });
  d.analysis.terms = std::move(terms);
  d.analysis.lengths = {static_cast<std::uint16_t>(d.analysis.terms.size()), 0, 0, 0};
  return d;
}

search_hit hit(std::string id, double score, std::vector<matched_term> terms = {}, std::int64_t created_ms = 0) {
  search_hit h;
  h.issue_id = id;
  h.key = "K-" + id;
  h.score = score;
  h.terms = std::move(terms);
  h.created_ms = created_ms;
  return h;
}

std::vector<search_hit> hits_with_scores(const std::vector<double>& scores) {
  std::vector<search_hit> hits;
  for (std::size_t i = 0; i < scores.size(); ++i) hits.push_back(hit("h" + std::to_string(i), scores[i]));
  return hits;
}

}  // namespace

TEST_CASE("likelihood features equal their definitions on a tiny fixture") {
  // 400 documents: "rare" in one of them (df 1 <= 0.005 · 400 = 2), "common" in all of them.
  search_index idx;
  idx.put(doc("a", "P", "Bug", {"io", "net"}, {{"rare", {1, 0, 0, 0}}, {"common", {1, 0, 0, 0}}}, 10 * day_ms));
  idx.put(doc("b", "Q", "Task", {}, {{"common", {1, 0, 0, 0}}}, 20 * day_ms));
  for (int i = 0; i < 398; ++i) idx.put(doc("f" + std::to_string(i), "Q", "Bug", {}, {{"common", {1, 0, 0, 0}}}, 0));
  REQUIRE(idx.size() == 400);

  const query_facts q{"P", "Bug", {"net"}, 13 * day_ms};
  const std::vector<search_hit> hits{hit("a", 0.8, {{"rare", 0.5}, {"common", 0.1}}, 10 * day_ms),
                                     hit("b", 0.2, {{"common", 0.1}}, 20 * day_ms), hit("gone", 0.1)};
  const auto f = likelihood_features(idx, q, hits);
  REQUIRE(f.size() == 3);
  const double mean = (0.8 + 0.2 + 0.1) / 3;

  CHECK(f[0][feature_log_score] == doctest::Approx(std::log(0.8)));
  CHECK(f[0][feature_log_ratio_top] == 0.0);
  CHECK(f[0][feature_log_ratio_mean] == doctest::Approx(std::log(0.8 / mean)));
  CHECK(f[0][feature_log_gap_next] == doctest::Approx(std::log(0.8 / 0.2)));
  CHECK(f[0][feature_log_rank] == 0.0);
  CHECK(f[0][feature_top_rank] == 1.0);
  CHECK(f[0][feature_same_project] == 1.0);
  CHECK(f[0][feature_shared_component] == 1.0);
  CHECK(f[0][feature_same_issue_type] == 1.0);
  CHECK(f[0][feature_log_days_apart] == doctest::Approx(std::log1p(3.0)));
  CHECK(f[0][feature_rare_terms] == 1.0);

  CHECK(f[1][feature_log_score] == doctest::Approx(std::log(0.2)));
  CHECK(f[1][feature_log_ratio_top] == doctest::Approx(std::log(0.2 / 0.8)));
  CHECK(f[1][feature_log_ratio_mean] == doctest::Approx(std::log(0.2 / mean)));
  CHECK(f[1][feature_log_gap_next] == doctest::Approx(std::log(2.0)));
  CHECK(f[1][feature_log_rank] == doctest::Approx(std::log(2.0)));
  CHECK(f[1][feature_top_rank] == 0.0);
  CHECK(f[1][feature_same_project] == 0.0);
  CHECK(f[1][feature_shared_component] == 0.0);
  CHECK(f[1][feature_same_issue_type] == 0.0);
  CHECK(f[1][feature_log_days_apart] == doctest::Approx(std::log1p(7.0)));
  CHECK(f[1][feature_rare_terms] == 0.0);

  // The last hit: no next (gap 0); not in the index (no agreement); no creation time (no time apart).
  CHECK(f[2][feature_log_gap_next] == 0.0);
  CHECK(f[2][feature_same_project] == 0.0);
  CHECK(f[2][feature_log_days_apart] == 0.0);
  CHECK(f[2][feature_log_rank] == doctest::Approx(std::log(3.0)));

  // The gap is capped; the mean covers only the first likelihood_context_hits hits.
  std::vector<double> scores{0.9};
  for (int i = 0; i < 14; ++i) scores.push_back(0.001);
  const auto g = likelihood_features(idx, q, hits_with_scores(scores));
  CHECK(g[0][feature_log_gap_next] == max_log_gap);
  const double mean10 = (0.9 + 9 * 0.001) / 10;
  CHECK(g[12][feature_log_ratio_mean] == doctest::Approx(std::log(0.001 / mean10)));
}

TEST_CASE("likelihood is a probability, also for extreme features") {
  likelihood_model m;
  m.intercept = -3;
  m.weights[feature_log_score] = 2;
  feature_vector f{};
  CHECK(likelihood(m, f) == doctest::Approx(1 / (1 + std::exp(3.0))));
  for (double x : {-1e6, -50.0, 0.0, 50.0, 1e6}) {
    f[feature_log_score] = x;
    const double p = likelihood(m, f);
    CHECK(p >= 0.0);
    CHECK(p <= 1.0);
  }
  search_index idx;
  for (const auto& r : rate_hits(idx, {}, hits_with_scores({1.5, 0.4, 1e-12, 0.0}), default_likely_threshold)) {
    CHECK(r.likelihood >= 0.0);
    CHECK(r.likelihood <= 1.0);
  }
}

TEST_CASE("a candidate's likelihood never falls when its score rises (rank and the other hits fixed)") {
  // The fitted model: the score features' weights are constrained to be >= 0.
  const auto& m = default_likelihood_model();
  for (auto j : {feature_log_score, feature_log_ratio_top, feature_log_ratio_mean, feature_log_gap_next})
    CHECK(m.weights[j] >= 0.0);
  search_index idx;
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> unit(0.01, 1.0);
  int rises = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<double> scores(1 + rng() % 20);
    for (auto& s : scores) s = unit(rng);
    std::sort(scores.begin(), scores.end(), std::greater<>());
    const std::size_t i = rng() % scores.size();
    const double upper = i == 0 ? 2.0 : scores[i - 1];
    const double lower = i + 1 < scores.size() ? scores[i + 1] : 0.001;
    double previous = -1;
    for (int step = 0; step <= 10; ++step) {
      scores[i] = lower + (upper - lower) * step / 10.0;
      const double p = rate_hits(idx, {}, hits_with_scores(scores), default_likely_threshold)[i].likelihood;
      CHECK(p >= previous);
      rises += p > previous && step > 0;
      previous = p;
    }
  }
  CHECK(rises > 1000);  // the score matters, it is not a constant
}

TEST_CASE("a near-copy of an issue filed 15 years earlier is likely at the default threshold") {
  // The webhook case: an old issue copied today. First with a wide gap, same project and type, no component and no
  // rare term in common (a small index has none: every shared term is in both issues).
  const std::int64_t now = 20000 * day_ms;
  const std::int64_t fifteen_years = 5479 * day_ms;
  search_index idx;
  idx.put(doc("orig", "P", "Bug", {}, {{"common", {1, 0, 0, 0}}}, now - fifteen_years));
  std::vector<search_hit> hits{hit("orig", 0.95, {{"common", 0.1}}, now - fifteen_years)};
  for (int i = 0; i < 9; ++i) {
    const std::string id = "o" + std::to_string(i);
    idx.put(doc(id, "P", "Bug", {}, {{"common", {1, 0, 0, 0}}}, now - 200 * day_ms));
    hits.push_back(hit(id, 0.2 - 0.01 * i, {{"common", 0.1}}, now - 200 * day_ms));
  }
  const query_facts q{"P", "Bug", {}, now};
  const auto f = likelihood_features(idx, q, hits);
  CHECK(f[0][feature_log_days_apart] == doctest::Approx(std::log1p(max_days_apart)));  // the time apart saturates
  CHECK(f[0][feature_rare_terms] == 0.0);
  const auto rated = rate_hits(idx, q, hits, default_likely_threshold);
  CHECK(rated[0].level == tier::likely);
  for (std::size_t i = 1; i < rated.size(); ++i) CHECK(rated[i].level == tier::related);
  // Its age beyond the cap does not lower it: the same copy of an issue filed max_days_apart days ago rates the same.
  hits[0].created_ms = now - static_cast<std::int64_t>(max_days_apart) * day_ms;
  CHECK(rate_hits(idx, q, hits, default_likely_threshold)[0].likelihood == doctest::Approx(rated[0].likelihood));
}

TEST_CASE("likelihoods do not change when the index renumbers its terms") {
  search_index idx;
  idx.put(doc("1", "P", "Bug", {"io"}, {{"disk", {1, 0, 0, 0}}, {"full", {1, 0, 0, 0}}, {"node", {0, 1, 0, 0}}}, 1));
  idx.put(doc("2", "P", "Bug", {}, {{"disk", {0, 1, 0, 0}}, {"node", {1, 0, 0, 0}}}, 2 * day_ms));
  idx.put(doc("3", "Q", "Task", {"io"}, {{"full", {1, 0, 0, 0}}, {"queue", {1, 0, 0, 0}}}, 3 * day_ms));
  for (int i = 0; i < 30; ++i)
    idx.put(doc("f" + std::to_string(i), "Q", "Bug", {}, {{"node", {1, 0, 0, 0}}}, 4 * day_ms));
  query q;
  q.analysis.terms = {{"disk", {1, 0, 0, 0}}, {"full", {1, 0, 0, 0}}, {"node", {1, 0, 0, 0}}};
  q.analysis.lengths = {3, 0, 0, 0};
  q.project = "P";
  q.components = {"io"};
  q.created_ms = 5 * day_ms;
  const query_facts facts{"P", "Bug", {"io"}, 5 * day_ms};
  search_filter filter;
  filter.limit = likelihood_search_limit;
  const auto before_hits = idx.search(q, filter);
  const auto before = rate_hits(idx, facts, before_hits, 0.5);
  REQUIRE(before.size() >= 3);
  idx.renumber_terms();
  const auto after_hits = idx.search(q, filter);
  const auto after = rate_hits(idx, facts, after_hits, 0.5);
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    CHECK(after_hits[i].issue_id == before_hits[i].issue_id);
    CHECK(after[i].likelihood == before[i].likelihood);
    CHECK(after[i].level == before[i].level);
  }
  // Renumbering keeps the features themselves too (they read term texts and document frequencies only).
  CHECK(likelihood_features(idx, facts, after_hits) == likelihood_features(idx, facts, before_hits));
}

TEST_CASE("tiers split at the threshold, and the dev curve behind the admin wording is ordered") {
  CHECK(tier_of(0.5, 0.5) == tier::likely);
  CHECK(tier_of(0.4999, 0.5) == tier::related);
  CHECK(to_string(tier::likely) == "likely");
  CHECK(to_string(tier::related) == "related");
  CHECK(default_likely_threshold > 0.0);
  CHECK(default_likely_threshold < 1.0);
  const auto curve = likely_threshold_curve();
  REQUIRE(curve.size() >= 2);
  for (std::size_t i = 1; i < curve.size(); ++i) {
    CHECK(curve[i].threshold > curve[i - 1].threshold);
    CHECK(curve[i].duplicates_found <= curve[i - 1].duplicates_found);
    CHECK(curve[i].false_flags_per_clean_issue <= curve[i - 1].false_flags_per_clean_issue);
  }
  for (const auto& p : curve) {
    CHECK(p.duplicates_found >= 0.0);
    CHECK(p.duplicates_found <= 1.0);
    CHECK(p.false_flags_per_clean_issue >= 0.0);
  }
}

TEST_CASE("a pair is rated once from both ends, and a list marks at most likely_per_list likely") {
  CHECK(pair_likelihood(0.04, 0.01) == doctest::Approx(0.02));
  CHECK(pair_likelihood(0.04, 0.01) == pair_likelihood(0.01, 0.04));  // both panels of a pair agree
  CHECK(pair_likelihood(0.3, 0.0) == 0.0);                             // not on the other list: never likely
  CHECK(pair_likelihood(0.2, 0.2) == doctest::Approx(0.2));
  CHECK(asks_other_end(0.004, 0.016));
  CHECK_FALSE(asks_other_end(0.0039, 0.016));
  // Below the floor a pair could only reach the threshold with an other end above four times it:
  CHECK(pair_likelihood(0.0039, 4 * 0.016) < 0.016);

  const std::vector<double> p{0.01, 0.05, 0.02, 0.05, 0.03};
  auto t = list_tiers(p, 0.02, 2);
  CHECK(t == std::vector<tier>{tier::related, tier::likely, tier::related, tier::likely, tier::related});
  t = list_tiers(p, 0.02, 10);  // no cap: every one at or above the threshold
  CHECK(t == std::vector<tier>{tier::related, tier::likely, tier::likely, tier::likely, tier::likely});
  t = list_tiers(p, 0.06, 2);
  CHECK(std::none_of(t.begin(), t.end(), [](tier x) { return x == tier::likely; }));
  CHECK(list_tiers({}, 0.02, 2).empty());
  // Ties: the earlier entry.
  t = list_tiers(std::vector<double>{0.05, 0.05, 0.05}, 0.02, 2);
  CHECK(t == std::vector<tier>{tier::likely, tier::likely, tier::related});
  // Only eligible entries (those whose other end was asked) can be likely.
  t = list_tiers(p, 0.02, 2, {true, false, true, true, false});
  CHECK(t == std::vector<tier>{tier::related, tier::related, tier::likely, tier::likely, tier::related});

  // The other end is asked for the closest max_other_ends at or above the floor, in list order.
  const std::vector<double> ends{0.01, 0.003, 0.05, 0.02, 0.004, 0.03};
  CHECK(other_ends_to_ask(ends, 0.016) == std::vector<std::size_t>{2, 3, 5});
  CHECK(other_ends_to_ask(std::vector<double>{0.003, 0.005}, 0.016) == std::vector<std::size_t>{1});
  CHECK(other_ends_to_ask(std::vector<double>{}, 0.016).empty());
}
