// index search: the scoring formula, query reduction, filters, priors, top-k, explanations.
//
// For a query q and a document d, with N live documents, df(t) document frequency, field
// weights w_f, field term frequencies tf_f and field lengths len_f (avg_f = total / N):
//
//   idf(t)   = ln((1 + N) / (1 + df(t))) + 1                      (smoothed idf)
//   sub(x)   = 1 + ln x  if x >= 1,  x otherwise                   (sublinear tf)
//   qw(t)    = sub(Σ_f w_f · tf_f(t, q)) · m(t)                    m = bigram_weight for bigrams, else 1
//   bm25:    x(t, d) = Σ_f w_f · tf_f(t, d) / (1 − b_f + b_f · len_f(d) / avg_f)
//            dw(t, d) = x · (k1 + 1) / (x + k1)
//   cosine:  dw(t, d) = sub(Σ_f w_f · tf_f(t, d)) / ‖d‖,  ‖d‖ = sqrt(Σ_t (sub(Σ_f w_f·tf_f) · m(t))²)
//   raw(q,d) = Σ_{t ∈ T(q)} qw(t) · idf(t)^p · dw(t, d)            p = idf_power
//   score    = raw(q, d) / raw(q, q) · prior(q, d)
//   prior    = (1 + same_project_boost·[proj(q) = proj(d)]) · (1 + same_component_boost·[shared component])
//              · (1 + recency_boost · exp(−|created(q) − created(d)| / recency_scale_days))
//
// avg_f is quantised to a 2% ln-scale grid (see index.cpp refresh_averages) so that the factors
// w_f / (1 − b_f + b_f · len_f / avg_f) can be kept per document instead of per query.
// T(q) are the max_query_terms query terms with the largest qw(t) · idf(t) that occur in the
// index (ties by term text). raw(q, q) scores the query as if it were a document (its own
// lengths), so an identical document scores 1 before priors. Accumulation runs over T(q) in
// term-text order, so the result does not depend on the order documents were inserted.
#include "core/index.hpp"

#include <algorithm>
#include <cmath>

namespace doppel::core {
namespace {

double sub(double x) { return x >= 1 ? 1 + std::log(x) : x; }

// Per-thread scratch accumulators (the index itself is read-only while searching).
struct scratch {
  std::vector<float> acc;
  std::vector<std::uint32_t> touched;
};

scratch& local_scratch(std::size_t slots) {
  thread_local scratch s;
  if (s.acc.size() < slots) s.acc.resize(slots, 0.0f);
  return s;
}

}  // namespace

double search_index::weight(const field_tf& tf, const slot_weights& sw) const {
  double x = 0;
  for (std::size_t f = 0; f < field_count; ++f) x += static_cast<double>(sw.w[f]) * tf[f];
  if (options_.bm25) return x * (options_.k1 + 1) / (x + options_.k1);
  return sub(x) * sw.inv_norm;
}

std::vector<search_hit> search_index::search_issue(std::string_view issue_id, const search_filter& filter) const {
  const std::uint32_t slot = slot_of_id(issue_id);
  if (slot == detail::slot_map::npos) return {};
  const doc_entry& d = docs_[slot];
  query q;
  q.analysis = export_doc(slot).analysis;
  q.project = names_[d.project];
  for (auto c : d.components) q.components.push_back(names_[c]);
  q.created_ms = d.created_ms;
  return run(q, filter, slot);
}

std::vector<search_hit> search_index::search(const query& q, const search_filter& filter) const {
  return run(q, filter, std::nullopt);
}

std::vector<search_hit> search_index::run(const query& q, const search_filter& filter,
                                   std::optional<std::uint32_t> self) const {
  const double n = static_cast<double>(size());
  if (n == 0 || filter.limit == 0) return {};

  // Query terms present in the index, with their pruning strength and scoring factor.
  struct qterm {
    std::uint32_t id;
    std::string_view text;
    double strength, factor;
    field_tf tf;
  };
  const std::size_t max_df = options_.max_df_fraction >= 1.0 ? SIZE_MAX
                                                              : static_cast<std::size_t>(options_.max_df_fraction * n);
  std::vector<qterm> qt;
  qt.reserve(q.analysis.terms.size());
  for (const auto& t : q.analysis.terms) {
    const std::uint32_t id = vocabulary_.find(t.term);
    if (id == detail::term_table::npos) continue;
    const std::size_t df = postings_by_term_[id].size();
    if (df > max_df && df > 1) continue;
    const double m = is_bigram(t.term) ? options_.bigram_weight : 1.0;
    if (m <= 0) continue;
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += options_.field_weights[f] * t.tf[f];
    const double qw = sub(x) * m;
    if (qw <= 0) continue;
    const double idf = std::log((1 + n) / (1 + static_cast<double>(df))) + 1;
    qt.push_back({id, t.term, qw * idf, qw * std::pow(idf, options_.idf_power), t.tf});
  }
  const std::size_t max_terms = static_cast<std::size_t>(std::max(1, options_.max_query_terms));
  if (qt.size() > max_terms) {
    std::partial_sort(qt.begin(), qt.begin() + static_cast<std::ptrdiff_t>(max_terms), qt.end(),
                      [](const qterm& a, const qterm& b) {
                        return a.strength != b.strength ? a.strength > b.strength : a.text < b.text;
                      });
    qt.resize(max_terms);
  }
  std::sort(qt.begin(), qt.end(), [](const qterm& a, const qterm& b) { return a.text < b.text; });

  const slot_weights q_weights = weights_for(q.analysis.lengths, tf_norm_of(q.analysis));
  double self_score = 0;
  for (const auto& t : qt) self_score += t.factor * weight(t.tf, q_weights);
  if (self_score <= 0) return {};

  // Accumulate raw scores: per posting a 4-lane dot product with the slot's weights.
  scratch& s = local_scratch(docs_.size());
  s.touched.clear();
  const float k1 = static_cast<float>(options_.k1);
  const bool bm25 = options_.bm25;
  for (const auto& t : qt) {
    const float factor = static_cast<float>(t.factor);
    for (const detail::posting& p : postings_by_term_[t.id]) {
      const slot_weights& sw = weights_[p.slot];
      const float x = sw.w[0] * p.tf[0] + sw.w[1] * p.tf[1] + sw.w[2] * p.tf[2] + sw.w[3] * p.tf[3];
      const float dw = bm25 ? x * (k1 + 1) / (x + k1) : static_cast<float>(sub(x)) * sw.inv_norm;
      float& a = s.acc[p.slot];
      if (a == 0.0f) s.touched.push_back(p.slot);
      a += factor * dw;
    }
  }

  // Filters as masks over interned names.
  auto mask = [&](const std::vector<std::string>& allowed) {
    std::vector<char> m;
    if (allowed.empty()) return m;
    m.assign(names_.size(), 0);
    for (const auto& a : allowed)
      if (auto it = name_ids_.find(a); it != name_ids_.end()) m[it->second] = 1;
    return m;
  };
  const auto projects = mask(filter.projects), types = mask(filter.issue_types), statuses = mask(filter.statuses);
  const bool any_filter = !filter.projects.empty() || !filter.issue_types.empty() || !filter.statuses.empty();
  std::uint32_t q_project = UINT32_MAX;
  if (auto it = name_ids_.find(q.project); !q.project.empty() && it != name_ids_.end()) q_project = it->second;
  std::vector<std::uint32_t> q_components;
  for (const auto& c : q.components)
    if (auto it = name_ids_.find(c); it != name_ids_.end()) q_components.push_back(it->second);
  const double recency_scale_ms = options_.recency_scale_days * 86400000.0;

  struct cand {
    std::uint32_t slot;
    double score;
  };
  std::vector<cand> cands;
  cands.reserve(s.touched.size());
  for (std::uint32_t slot : s.touched) {
    const double raw = s.acc[slot];
    s.acc[slot] = 0.0f;
    if (self && slot == *self) continue;
    const doc_entry& d = docs_[slot];
    if (any_filter && ((!projects.empty() && !projects[d.project]) || (!types.empty() && !types[d.issue_type]) ||
                       (!statuses.empty() && !statuses[d.status])))
      continue;
    if (!filter.exclude_issue_ids.empty() && filter.exclude_issue_ids.count(d.issue_id)) continue;
    double score = raw / self_score;
    if (options_.same_project_boost > 0 && d.project == q_project) score *= 1 + options_.same_project_boost;
    if (options_.same_component_boost > 0) {
      for (auto c : d.components)
        if (std::find(q_components.begin(), q_components.end(), c) != q_components.end()) {
          score *= 1 + options_.same_component_boost;
          break;
        }
    }
    if (options_.recency_boost > 0 && q.created_ms && d.created_ms) {
      const double dt = std::abs(static_cast<double>(q.created_ms - d.created_ms));
      score *= 1 + options_.recency_boost * std::exp(-dt / recency_scale_ms);
    }
    if (score < filter.threshold || score <= 0) continue;
    cands.push_back({slot, score});
  }
  auto better = [this](const cand& a, const cand& b) {
    return a.score != b.score ? a.score > b.score : docs_[a.slot].issue_id < docs_[b.slot].issue_id;
  };
  const std::size_t k = std::min(filter.limit, cands.size());
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(k), cands.end(), better);
  cands.resize(k);

  // Explanations: each hit's per-term contributions (merge of sorted term id lists).
  std::sort(qt.begin(), qt.end(), [](const qterm& a, const qterm& b) { return a.id < b.id; });
  std::vector<search_hit> hits;
  hits.reserve(k);
  for (const auto& c : cands) {
    const doc_entry& d = docs_[c.slot];
    search_hit h{d.issue_id, d.key, c.score, {}};
    std::vector<matched_term> parts;
    auto qi = qt.begin();
    for (const auto term : d.terms) {
      while (qi != qt.end() && qi->id < term) ++qi;
      if (qi == qt.end()) break;
      if (qi->id != term) continue;
      parts.push_back({std::string(qi->text), qi->factor * weight(tf_of(term, c.slot), weights_[c.slot]) / self_score});
    }
    const std::size_t e = std::min(parts.size(), static_cast<std::size_t>(std::max(0, options_.explain_terms)));
    std::partial_sort(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(e), parts.end(),
                      [](const matched_term& a, const matched_term& b) {
                        return a.weight != b.weight ? a.weight > b.weight : a.term < b.term;
                      });
    parts.resize(e);
    h.terms = std::move(parts);
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace doppel::core
