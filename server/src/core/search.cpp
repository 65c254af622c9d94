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

double index::doc_weight(const field_tf& tf, const field_lengths& len, const std::array<double, field_count>& inv_avg,
                         float tf_norm) const {
  const auto& w = options_.field_weights;
  if (options_.bm25) {
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) {
      if (!tf[f]) continue;
      const double b = options_.field_b[f];
      x += w[f] * tf[f] / (1.0 - b + b * len[f] * inv_avg[f]);
    }
    return x * (options_.k1 + 1) / (x + options_.k1);
  }
  double x = 0;
  for (std::size_t f = 0; f < field_count; ++f) x += w[f] * tf[f];
  return sub(x) / tf_norm;
}

std::vector<search_hit> index::search_issue(std::string_view issue_id, const search_filter& filter) const {
  auto it = id_to_slot_.find(std::string(issue_id));
  if (it == id_to_slot_.end()) return {};
  const doc_entry& d = docs_[it->second];
  query q;
  q.analysis = export_doc(it->second).analysis;
  q.project = names_[d.project];
  for (auto c : d.components) q.components.push_back(names_[c]);
  q.created_ms = d.created_ms;
  return run(q, filter, it->second);
}

std::vector<search_hit> index::search(const query& q, const search_filter& filter) const {
  return run(q, filter, std::nullopt);
}

std::vector<search_hit> index::run(const query& q, const search_filter& filter,
                                   std::optional<std::uint32_t> self) const {
  const double n = static_cast<double>(size());
  if (n == 0 || filter.limit == 0) return {};
  std::array<double, field_count> inv_avg{};
  for (std::size_t f = 0; f < field_count; ++f) inv_avg[f] = total_lengths_[f] ? n / total_lengths_[f] : 0.0;

  // Query terms present in the index, with their pruning strength and scoring factor.
  struct qterm {
    std::uint32_t id;
    const std::string* text;
    double strength, factor;
    field_tf tf;
  };
  std::vector<qterm> qt;
  qt.reserve(q.analysis.terms.size());
  for (const auto& t : q.analysis.terms) {
    auto it = term_ids_.find(t.term);
    if (it == term_ids_.end()) continue;
    const double m = is_bigram(t.term) ? options_.bigram_weight : 1.0;
    if (m <= 0) continue;
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += options_.field_weights[f] * t.tf[f];
    const double qw = sub(x) * m;
    if (qw <= 0) continue;
    const double idf = std::log((1 + n) / (1 + static_cast<double>(terms_[it->second].postings.size()))) + 1;
    qt.push_back({it->second, &t.term, qw * idf, qw * std::pow(idf, options_.idf_power), t.tf});
  }
  const std::size_t max_terms = static_cast<std::size_t>(std::max(1, options_.max_query_terms));
  if (qt.size() > max_terms) {
    std::partial_sort(qt.begin(), qt.begin() + static_cast<std::ptrdiff_t>(max_terms), qt.end(),
                      [](const qterm& a, const qterm& b) {
                        return a.strength != b.strength ? a.strength > b.strength : *a.text < *b.text;
                      });
    qt.resize(max_terms);
  }
  std::sort(qt.begin(), qt.end(), [](const qterm& a, const qterm& b) { return *a.text < *b.text; });

  const float q_norm = tf_norm_of(q.analysis);
  double self_score = 0;
  for (const auto& t : qt) self_score += t.factor * doc_weight(t.tf, q.analysis.lengths, inv_avg, q_norm);
  if (self_score <= 0) return {};

  // Accumulate raw scores (float lanes: one vectorisable pass over the four fields).
  scratch& s = local_scratch(docs_.size());
  s.touched.clear();
  float wf[field_count], cf[field_count], df[field_count];
  for (std::size_t f = 0; f < field_count; ++f) {
    wf[f] = static_cast<float>(options_.field_weights[f]);
    cf[f] = static_cast<float>(1.0 - options_.field_b[f]);
    df[f] = static_cast<float>(options_.field_b[f] * inv_avg[f]);
  }
  const float k1 = static_cast<float>(options_.k1);
  const std::size_t max_df = options_.max_df_fraction >= 1.0
                                 ? SIZE_MAX
                                 : static_cast<std::size_t>(options_.max_df_fraction * n);
  for (const auto& t : qt) {
    const auto& postings = terms_[t.id].postings;
    if (postings.size() > max_df && postings.size() > 1) continue;
    const float factor = static_cast<float>(t.factor);
    if (options_.bm25) {
      for (const posting& p : postings) {
        const field_lengths& len = lengths_[p.slot];
        float x = 0;
        for (std::size_t f = 0; f < field_count; ++f)
          x += wf[f] * static_cast<float>(p.tf[f]) / (cf[f] + df[f] * static_cast<float>(len[f]));
        float& a = s.acc[p.slot];
        if (a == 0.0f) s.touched.push_back(p.slot);
        a += factor * (x * (k1 + 1) / (x + k1));
      }
    } else {
      for (const posting& p : postings) {
        float x = 0;
        for (std::size_t f = 0; f < field_count; ++f) x += wf[f] * static_cast<float>(p.tf[f]);
        float& a = s.acc[p.slot];
        if (a == 0.0f) s.touched.push_back(p.slot);
        a += factor * static_cast<float>(sub(x) / tf_norms_[p.slot]);
      }
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
    for (const auto& dt : d.terms) {
      while (qi != qt.end() && qi->id < dt.term) ++qi;
      if (qi == qt.end()) break;
      if (qi->id != dt.term) continue;
      parts.push_back({terms_[dt.term].text,
                       qi->factor * doc_weight(dt.tf, lengths_[c.slot], inv_avg, tf_norms_[c.slot]) / self_score});
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
