// Likelihood features of a ranked hit list, the logistic model and the tiers (see likelihood.hpp).
#include "core/likelihood.hpp"

#include <algorithm>
#include <cmath>

namespace doppel::core {
namespace {

constexpr bool names_match() {
  for (std::size_t i = 0; i < likelihood_feature_count; ++i)
    if (fitted::feature_names[i] != likelihood_feature_names[i]) return false;
  return true;
}
static_assert(fitted::feature_names.size() == likelihood_feature_count && names_match(),
              "likelihood_coefficients.hpp was fitted on other features: rerun bench/fit_likelihood.py");

constexpr double min_score = 1e-9;  // scores are > 0; guards the logarithms

const std::array<threshold_point, panel_fitted::threshold_curve.size()> curve = [] {
  std::array<threshold_point, panel_fitted::threshold_curve.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = {panel_fitted::threshold_curve[i][0], panel_fitted::threshold_curve[i][1],
              panel_fitted::threshold_curve[i][2]};
  return out;
}();

bool shares_component(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

}  // namespace

const likelihood_model& default_likelihood_model() {
  static const likelihood_model model{fitted::intercept, fitted::weights};
  return model;
}

std::span<const threshold_point> likely_threshold_curve() { return curve; }

std::vector<feature_vector> likelihood_features(const search_index& index, const query_facts& q,
                                                std::span<const search_hit> hits) {
  std::vector<feature_vector> out(hits.size());
  if (hits.empty()) return out;
  auto score = [&](std::size_t i) { return std::max(hits[i].score, min_score); };
  const std::size_t m = std::min(hits.size(), likelihood_context_hits);
  double mean = 0;
  for (std::size_t i = 0; i < m; ++i) mean += score(i);
  mean /= static_cast<double>(m);
  const double documents = static_cast<double>(index.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const search_hit& h = hits[i];
    feature_vector& f = out[i];
    f[feature_log_score] = std::log(score(i));
    f[feature_log_ratio_top] = std::log(score(i) / score(0));
    f[feature_log_ratio_mean] = std::log(score(i) / mean);
    f[feature_log_gap_next] = i + 1 < hits.size() ? std::min(std::log(score(i) / score(i + 1)), max_log_gap) : 0.0;
    f[feature_log_rank] = std::log(static_cast<double>(i + 1));
    f[feature_top_rank] = i == 0 ? 1.0 : 0.0;
    if (auto d = index.facts_by_id(h.issue_id)) {
      f[feature_same_project] = !q.project.empty() && d->project == q.project ? 1.0 : 0.0;
      f[feature_shared_component] = shares_component(q.components, d->components) ? 1.0 : 0.0;
      f[feature_same_issue_type] = !q.issue_type.empty() && d->issue_type == q.issue_type ? 1.0 : 0.0;
    }
    if (q.created_ms != 0 && h.created_ms != 0) {
      const double days = std::abs(static_cast<double>(q.created_ms - h.created_ms)) / 86400000.0;
      f[feature_log_days_apart] = std::log1p(std::min(days, max_days_apart));
    }
    double rare = 0;
    for (const auto& t : h.terms)
      if (static_cast<double>(index.document_frequency(t.term)) <= rare_term_fraction * documents) ++rare;
    f[feature_rare_terms] = rare;
  }
  return out;
}

double likelihood(const likelihood_model& model, const feature_vector& f) {
  double z = model.intercept;
  for (std::size_t j = 0; j < likelihood_feature_count; ++j) z += model.weights[j] * f[j];
  return 1.0 / (1.0 + std::exp(-z));
}

std::string_view to_string(tier t) { return t == tier::likely ? "likely" : "related"; }

std::vector<rated_hit> rate_hits(const search_index& index, const query_facts& q, std::span<const search_hit> hits,
                                 double likely_threshold, const likelihood_model& model) {
  const auto features = likelihood_features(index, q, hits);
  std::vector<rated_hit> out;
  out.reserve(features.size());
  for (const auto& f : features) {
    const double p = likelihood(model, f);
    out.push_back({p, tier_of(p, likely_threshold)});
  }
  return out;
}

double pair_likelihood(double this_end, double other_end) {
  return std::sqrt(std::max(0.0, this_end) * std::max(0.0, other_end));
}

std::vector<std::size_t> other_ends_to_ask(std::span<const double> this_end, double likely_threshold,
                                           std::size_t max_asked) {
  std::vector<std::size_t> asked;
  for (std::size_t i = 0; i < this_end.size(); ++i)
    if (asks_other_end(this_end[i], likely_threshold)) asked.push_back(i);
  std::stable_sort(asked.begin(), asked.end(), [&](std::size_t x, std::size_t y) { return this_end[x] > this_end[y]; });
  if (asked.size() > max_asked) asked.resize(max_asked);
  std::sort(asked.begin(), asked.end());
  return asked;
}

std::vector<tier> list_tiers(std::span<const double> likelihoods, double likely_threshold, std::size_t max_likely,
                             const std::vector<bool>& eligible) {
  std::vector<std::size_t> above;
  for (std::size_t i = 0; i < likelihoods.size(); ++i)
    if (tier_of(likelihoods[i], likely_threshold) == tier::likely && (eligible.empty() || eligible.at(i)))
      above.push_back(i);
  std::stable_sort(above.begin(), above.end(),
                   [&](std::size_t x, std::size_t y) { return likelihoods[x] > likelihoods[y]; });
  std::vector<tier> out(likelihoods.size(), tier::related);
  for (std::size_t k = 0; k < above.size() && k < max_likely; ++k) out[above[k]] = tier::likely;
  return out;
}

}  // namespace doppel::core
