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
// lengths; for a query not in the index, its terms the index lacks count too, with df = 1 of N + 1),
// so an identical document scores 1 before priors. Accumulation runs over T(q) in order
// of decreasing bound (ties by term text), so the result does not depend on the order documents
// were inserted (see run() for the posting budget).
#include "core/index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <span>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace doppel::core {
namespace {

double sub(double x) { return x >= 1 ? 1 + std::log(x) : x; }

std::uint32_t bits_of(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

// Σ_f w_f · tf_f in float, summed as (w0·t0 + w2·t2) + (w1·t1 + w3·t3): the order SSE2 adds the
// four products in, written out for other targets so that every build gives the same bits.
float dot4(const std::array<float, field_count>& w, const field_tf& tf) {
  static_assert(field_count == 4);
#if defined(__SSE2__)
  std::int32_t packed;
  std::memcpy(&packed, tf.data(), sizeof packed);
  const __m128i zero = _mm_setzero_si128();
  const __m128i ints = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(packed), zero), zero);
  const __m128 products = _mm_mul_ps(_mm_cvtepi32_ps(ints), _mm_loadu_ps(w.data()));
  const __m128 pairs = _mm_add_ps(products, _mm_movehl_ps(products, products));  // p0 + p2, p1 + p3
  return _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)));
#else
  return (w[0] * static_cast<float>(tf[0]) + w[2] * static_cast<float>(tf[2])) +
         (w[1] * static_cast<float>(tf[1]) + w[3] * static_cast<float>(tf[3]));
#endif
}

// Positive floats order like their bit patterns: the top 13 bits (8 exponent bits and 4 mantissa
// bits) give 4096 buckets of 1/16 of a binade each, ordered like the scores.
constexpr std::size_t score_buckets = 4096;
std::uint32_t score_bucket(float score) {
  return bits_of(score) >> 19;  // < 4096 for every non-negative float
}

// Per-thread scratch accumulators (the index itself is read-only while searching).
struct scratch {
  std::vector<float> acc;
  std::vector<std::uint32_t> touched;
  std::vector<std::uint32_t> slots;  // candidates collected from touched
  std::vector<float> scores;         // their scores so far
  std::vector<std::uint32_t> histogram = std::vector<std::uint32_t>(score_buckets, 0);  // by score_bucket()
};

scratch& local_scratch(std::size_t slots) {
  thread_local scratch s;
  if (s.acc.size() < slots) s.acc.resize(slots, 0.0f);
  return s;
}

// Query terms from index `first` on (the terms left for rescoring, or all of them for the
// explanations), by term id: open addressing at most half full behind a 4096-bit filter, so the
// common case, a document term that is not one of them, costs one bit test.
class query_term_table {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;
  template <class Terms>
  query_term_table(const Terms& qt, std::size_t first) {
    std::uint32_t bits = 4;
    while ((std::size_t{1} << bits) < 2 * (qt.size() - first)) ++bits;
    shift_ = 32 - bits;
    mask_ = (1u << bits) - 1;
    keys_.assign(std::size_t{1} << bits, npos);
    values_.resize(keys_.size());
    for (std::size_t i = first; i < qt.size(); ++i) {
      const std::uint32_t id = qt[i].id;
      filter_[bit(id) >> 6] |= 1ull << (bit(id) & 63);
      std::uint32_t h = slot(id);
      while (keys_[h] != npos) h = (h + 1) & mask_;
      keys_[h] = id;
      values_[h] = static_cast<std::uint32_t>(i);
      max_id_ = std::max(max_id_, id);
    }
  }
  std::uint32_t max_id() const { return max_id_; }
  std::uint32_t find(std::uint32_t id) const {
    if (!(filter_[bit(id) >> 6] >> (bit(id) & 63) & 1)) return npos;
    for (std::uint32_t h = slot(id); keys_[h] != npos; h = (h + 1) & mask_)
      if (keys_[h] == id) return values_[h];
    return npos;
  }

 private:
  static std::uint32_t mix(std::uint32_t id) { return id * 0x9E3779B1u; }
  static std::uint32_t bit(std::uint32_t id) { return (mix(id) >> 7) & 4095; }
  std::uint32_t slot(std::uint32_t id) const { return mix(id) >> shift_; }
  std::array<std::uint64_t, 64> filter_{};
  std::vector<std::uint32_t> keys_, values_;
  std::uint32_t shift_ = 28, mask_ = 15, max_id_ = 0;
};

}  // namespace

double search_index::weight(const field_tf& tf, const slot_weights& sw, float tf_norm) const {
  double x = 0;
  for (std::size_t f = 0; f < field_count; ++f) x += static_cast<double>(sw.w[f]) * tf[f];
  if (options_.bm25) return x * (options_.k1 + 1) / (x + options_.k1);
  return sub(x) * (1.0f / tf_norm);
}

std::vector<search_hit> search_index::search_issue(std::string_view issue_id, const search_filter& filter) const {
  const std::uint32_t slot = slot_of_id(issue_id);
  if (slot == detail::slot_map::npos) return {};
  const doc_entry& d = docs_[slot];
  resolved_query q;
  q.terms = terms_[slot];
  q.lengths = lengths_[slot];
  q.tf_norm = tf_norms_[slot];
  q.project = d.project;
  q.components = d.components;
  q.created_ms = d.created_ms;
  return run(q, filter, slot);
}

std::vector<search_hit> search_index::search(const query& q, const search_filter& filter) const {
  resolved_query r;
  r.resolved.reserve(q.analysis.terms.size());
  for (const auto& t : q.analysis.terms)
    if (auto id = vocabulary_.find(t.term); id != detail::term_table::npos) r.resolved.push_back({id, t.tf});
    else r.unknown.emplace_back(t.term, t.tf);
  r.terms = r.resolved;
  r.lengths = q.analysis.lengths;
  r.tf_norm = tf_norm_of(q.analysis);
  if (auto it = name_ids_.find(q.project); !q.project.empty() && it != name_ids_.end()) r.project = it->second;
  for (const auto& c : q.components)
    if (auto it = name_ids_.find(c); it != name_ids_.end()) r.components.push_back(it->second);
  r.created_ms = q.created_ms;
  return run(r, filter, std::nullopt);
}

std::vector<search_hit> search_index::run(const resolved_query& q, const search_filter& filter,
                                          std::optional<std::uint32_t> self) const {
  const double n = static_cast<double>(size());
  if (n == 0 || filter.limit == 0) return {};

  // Query terms present in the index, with their pruning strength and scoring factor.
  struct qterm {
    std::uint32_t id;
    double strength, factor;
    field_tf tf;
    double multiplier = 1.0;  // bigram weight or 1
    double bound = 0.0;       // largest possible contribution: factor · max dw
  };
  const std::size_t max_df = options_.max_df_fraction >= 1.0 ? SIZE_MAX
                                                              : static_cast<std::size_t>(options_.max_df_fraction * n);
  // Term texts are only read to break ties and to name the explaining terms.
  auto text = [this](const qterm& t) { return vocabulary_.text(t.id); };
  std::vector<qterm> qt;
  qt.reserve(q.terms.size());
  // The document frequencies are in posting list headers scattered over a large array: request them all first.
  for (const auto& t : q.terms) __builtin_prefetch(&postings_by_term_[t.term]);
  for (const auto& [id, tf] : q.terms) {
    const std::size_t df = postings_by_term_[id].size();
    if (df > max_df && df > 1) continue;
    const double m = vocabulary_.bigram(id) ? options_.bigram_weight : 1.0;
    if (m <= 0) continue;
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += options_.field_weights[f] * tf[f];
    const double qw = sub(x) * m;
    if (qw <= 0) continue;
    const double idf = std::log((1 + n) / (1 + static_cast<double>(df))) + 1;
    qt.push_back({id, qw * idf, qw * (options_.idf_power == 2.0 ? idf * idf : std::pow(idf, options_.idf_power)), tf, m, 0.0});
  }
  const std::size_t max_terms = static_cast<std::size_t>(std::max(1, options_.max_query_terms));
  if (qt.size() > max_terms) {
    // The max_terms strongest (a total order: ties by text), in any order: they are sorted below.
    std::nth_element(qt.begin(), qt.begin() + static_cast<std::ptrdiff_t>(max_terms - 1), qt.end(),
                     [&](const qterm& a, const qterm& b) {
                       return a.strength != b.strength ? a.strength > b.strength : text(a) < text(b);
                     });
    qt.resize(max_terms);
  }
  // Processing order: largest possible contribution first (ties by text, so the order, and with
  // it every float sum, is the same for incremental and rebuilt indexes).
  const bool bm25 = options_.bm25;
  for (auto& t : qt) t.bound = t.factor * (bm25 ? options_.k1 + 1 : 1.0 / std::min(1.0, t.multiplier));
  std::sort(qt.begin(), qt.end(), [&](const qterm& a, const qterm& b) {
    return a.bound != b.bound ? a.bound > b.bound : text(a) < text(b);
  });

  const slot_weights q_weights = weights_for(q.lengths);
  double self_score = 0;
  for (const auto& t : qt) self_score += t.factor * weight(t.tf, q_weights, q.tf_norm);
  // Terms new to the index count in raw(q, q) with df = 1 among N + 1 documents, as after the issue is indexed:
  // otherwise an issue made mostly of new words would be normalised by the few terms it shares (say, its project
  // key) and score far above 1 against every issue sharing them.
  for (const auto& [text, tf] : q.unknown) {
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += options_.field_weights[f] * tf[f];
    const double qw = sub(x) * (is_bigram(text) ? options_.bigram_weight : 1.0);
    if (qw <= 0) continue;
    const double idf = std::log((2 + n) / 2) + 1;
    self_score += qw * (options_.idf_power == 2.0 ? idf * idf : std::pow(idf, options_.idf_power)) * weight(tf, q_weights, q.tf_norm);
  }
  if (self_score <= 0) return {};

  // Filters as masks over interned names; excluded issues as slots.
  auto mask = [&](const std::vector<std::string>& allowed) {
    std::vector<char> m;
    if (allowed.empty()) return m;
    m.assign(names_.size(), 0);
    for (const auto& a : allowed)
      if (auto it = name_ids_.find(a); it != name_ids_.end()) m[it->second] = 1;
    return m;
  };
  const auto projects = mask(filter.projects), types = mask(filter.issue_types), statuses = mask(filter.statuses);
  std::vector<std::uint32_t> excluded;
  for (const auto& id : filter.exclude_issue_ids)
    if (auto slot = slot_of_id(id); slot != detail::slot_map::npos) excluded.push_back(slot);
  if (self) excluded.push_back(*self);
  const bool by_fields = !projects.empty() || !types.empty() || !statuses.empty();
  auto passes = [&](std::uint32_t slot) {
    const doc_entry& d = docs_[slot];
    return (projects.empty() || projects[d.project]) && (types.empty() || types[d.issue_type]) &&
           (statuses.empty() || statuses[d.status]);
  };

  // Term-at-a-time accumulation, strongest terms first. While the postings read stay within
  // posting_budget every matching document becomes a candidate (exact scoring). When the next
  // term would exceed the budget, the candidates are cut to the candidate_pool best so far and
  // the remaining (common, low-idf) terms only update those, through each candidate's own term
  // list: documents matched only by common terms are not considered.
  scratch& s = local_scratch(docs_.size());
  const float k1 = static_cast<float>(options_.k1);

  const std::size_t budget = options_.posting_budget;
  const int pool_option = filter.full_scan ? options_.scan_candidate_pool : options_.candidate_pool;
  const std::size_t pool = std::max<std::size_t>(filter.limit, static_cast<std::size_t>(pool_option));
  std::size_t first_rest = qt.size();  // first query term handled by rescoring the pool
  // The hot loop works on raw pointers (nothing in it can move the vectors) and appends a slot to
  // touched without a branch when its accumulator is still 0. A zero contribution (a field weighted
  // 0) leaves it at 0, so a slot can be appended again later: touched holds at most one entry per
  // posting read, and the collection below takes each slot's score once.
  float* const acc = s.acc.data();
  const slot_weights* const slot_w = weights_.data();
  std::size_t touched_count = 0;
  const float k1p1 = k1 + 1;
  // dw(t, d) of the formula above, from the document's per-slot weights and its field frequencies of t.
  const float* const tf_norms = tf_norms_.data();
  auto impact = [bm25, k1, k1p1, slot_w, tf_norms](std::uint32_t slot, const field_tf& tf) {
    const float x = dot4(slot_w[slot].w, tf);
    return bm25 ? x * k1p1 / (x + k1) : static_cast<float>(sub(x)) * (1.0f / tf_norms[slot]);
  };
  // The terms accumulated: the first one, then each next one while the postings read stay within
  // the budget. Their posting lists lie scattered over the heap and most are short (the rarest terms
  // come first): request the first lines of all of them before reading any, so the misses overlap.
  std::size_t read = 0;  // postings the accumulation reads
  for (std::size_t i = 0; i < qt.size(); ++i) {
    const auto& post = postings_by_term_[qt[i].id];
    if (i > 0 && read + post.size() > budget) {
      first_rest = i;
      break;
    }
    read += post.size();
    const char* const first = reinterpret_cast<const char*>(post.begin());
    __builtin_prefetch(first);
    if (post.size() > 4) __builtin_prefetch(first + 64);
  }
  if (s.touched.size() < read) s.touched.resize(read);
  std::uint32_t* const touched = s.touched.data();
  for (std::size_t i = 0; i < first_rest; ++i) {
    const auto& post = postings_by_term_[qt[i].id];
    const float factor = static_cast<float>(qt[i].factor);
    // Postings are in slot order but sparse: fetch the weights a few postings ahead.
    constexpr std::ptrdiff_t ahead = 16;
    const detail::posting* const last = post.end() - 1;  // never empty: query terms are live terms
    for (const detail::posting* pp = post.begin(); pp <= last; ++pp) {
      __builtin_prefetch(&slot_w[(last - pp > ahead ? pp + ahead : last)->slot]);
      const float c = factor * impact(pp->slot, pp->tf);
      float& a = acc[pp->slot];
      touched[touched_count] = pp->slot;
      touched_count += bits_of(a) == 0;
      a += c;
    }
  }
  // Candidates: the touched documents with a positive score that pass the filters (excluded ones
  // get score 0), moved with their scores so far into contiguous arrays (clearing the accumulators
  // on the way), so that selecting and rescoring the pool read no scattered memory.
  for (auto slot : excluded) acc[slot] = 0.0f;
  if (s.slots.size() < touched_count) s.slots.resize(touched_count), s.scores.resize(touched_count);
  std::uint32_t* const found_slot = s.slots.data();
  float* const found_score = s.scores.data();
  std::size_t found = 0;
  for (std::size_t i = 0; i < touched_count; ++i) {
    const std::uint32_t slot = touched[i];
    const float a = acc[slot];
    acc[slot] = 0.0f;
    found_slot[found] = slot;
    found_score[found] = a;
    found += bits_of(a) != 0 && (!by_fields || passes(slot));
  }
  struct scored {
    std::uint32_t slot;
    float raw;  // raw(q, d) so far
  };
  std::vector<scored> candidates;
  if (first_rest < qt.size() && found > pool) {
    // The pool: every candidate above the pool-th best score, then those tied with it in issue id
    // order. A histogram of the scores' top bits names the bucket holding the pool-th best;
    // candidates above it are in, and only those inside it are selected exactly.
    std::uint32_t* const histogram = s.histogram.data();
    std::uint32_t low_bucket = score_buckets - 1, high_bucket = 0;
    for (std::size_t i = 0; i < found; ++i) {
      const std::uint32_t b = score_bucket(found_score[i]);
      ++histogram[b];
      low_bucket = std::min(low_bucket, b);
      high_bucket = std::max(high_bucket, b);
    }
    std::uint32_t edge = high_bucket;
    std::size_t above = 0;
    while (above + histogram[edge] < pool) above += histogram[edge--];
    std::memset(histogram + low_bucket, 0, (high_bucket - low_bucket + 1) * sizeof *histogram);
    std::vector<scored> in_edge;
    candidates.reserve(pool);
    for (std::size_t i = 0; i < found; ++i) {
      const std::uint32_t b = score_bucket(found_score[i]);
      if (b > edge) candidates.push_back({found_slot[i], found_score[i]});
      else if (b == edge) in_edge.push_back({found_slot[i], found_score[i]});
    }
    const std::size_t k = pool - above - 1;  // the pool-th best is the k-th best inside the edge bucket
    auto by_score = [](const scored& x, const scored& y) { return x.raw > y.raw; };
    std::nth_element(in_edge.begin(), in_edge.begin() + static_cast<std::ptrdiff_t>(k), in_edge.end(), by_score);
    const float kth = in_edge[k].raw;
    std::vector<std::uint32_t> tied;
    for (const auto& c : in_edge) {
      if (c.raw > kth) candidates.push_back(c);
      else if (c.raw == kth) tied.push_back(c.slot);
    }
    std::sort(tied.begin(), tied.end(), [&](auto a, auto b) { return docs_[a].issue_id < docs_[b].issue_id; });
    for (std::size_t i = 0; candidates.size() < pool; ++i) candidates.push_back({tied[i], kth});
  } else {
    candidates.resize(found);
    for (std::size_t i = 0; i < found; ++i) candidates[i] = {found_slot[i], found_score[i]};
  }
  if (first_rest < qt.size()) {
    // slot order: neighbouring memory, fewer cache misses
    std::sort(candidates.begin(), candidates.end(), [](const scored& a, const scored& b) { return a.slot < b.slot; });
    // Rescore the pool with the remaining terms: look each of a candidate's terms up in a small
    // hash table of the remaining query terms, then add the contributions in query-term order
    // (so every float sum is the same whatever the term ids are).
    const query_term_table rest(qt, first_rest);
    std::vector<float> part(qt.size(), 0.0f);
    // The candidates' term lists and metadata are scattered over the heap: read where the lists are
    // first (independent loads that overlap), then request the first lines of every list (the common
    // terms rescoring reads; renumber_terms() puts them first) and every candidate's metadata (for
    // the priors) before using any, so that the cache misses overlap instead of queueing behind
    // each candidate's branches (about 10 % of the scan in interleaved runs).
    std::vector<std::span<const doc_term>> lists(candidates.size());
    for (std::size_t c = 0; c < candidates.size(); ++c) lists[c] = terms_[candidates[c].slot];
    for (const auto& list : lists) {
      const char* const begin = reinterpret_cast<const char*>(list.data());
      const char* const end = begin + std::min<std::size_t>(list.size_bytes(), 5 * 64);
      for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p);
    }
    for (const auto& c : candidates) __builtin_prefetch(&docs_[c.slot]);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const std::uint32_t slot = candidates[c].slot;
      for (const auto& t : lists[c]) {  // sorted by term id: stop after the largest rest id
        if (t.term > rest.max_id()) break;
        const std::uint32_t i = rest.find(t.term);
        if (i == query_term_table::npos) continue;
        part[i] = static_cast<float>(qt[i].factor) * impact(slot, t.tf);
      }
      float a = candidates[c].raw;
      for (std::size_t i = first_rest; i < qt.size(); ++i) {
        a += part[i];
        part[i] = 0.0f;
      }
      candidates[c].raw = a;
    }
  }

  // Priors are at most max_prior, so a candidate whose raw score times max_prior is below the
  // k-th best raw score (or below the threshold) cannot be in the result: drop it before touching
  // its metadata.
  const double max_prior = (1 + options_.same_project_boost) * (1 + options_.same_component_boost) *
                           (1 + (q.created_ms ? options_.recency_boost : 0.0));
  {
    double cut = filter.threshold * self_score / max_prior;
    if (candidates.size() > filter.limit) {
      std::vector<float> raw;
      raw.reserve(candidates.size());
      for (const auto& c : candidates) raw.push_back(c.raw);
      std::nth_element(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(filter.limit - 1), raw.end(),
                       std::greater<float>());
      cut = std::max(cut, static_cast<double>(raw[filter.limit - 1]) / max_prior);
    }
    std::erase_if(candidates, [&](const scored& c) { return c.raw < cut; });
  }

  const std::uint32_t q_project = q.project;
  const std::vector<std::uint32_t>& q_components = q.components;
  const std::uint32_t q_component_bits = component_bits(q_components);
  const double recency_scale_ms = options_.recency_scale_days * 86400000.0;

  struct ranked {
    std::uint32_t slot;
    double score;
  };
  std::vector<ranked> cands;
  cands.reserve(candidates.size());
  for (const scored& c : candidates) {
    const double raw = c.raw;
    const doc_entry& d = docs_[c.slot];
    double score = raw / self_score;
    if (options_.same_project_boost > 0 && d.project == q_project) score *= 1 + options_.same_project_boost;
    if (options_.same_component_boost > 0 && (d.component_bits & q_component_bits) != 0) {
      for (auto comp : d.components)
        if (std::find(q_components.begin(), q_components.end(), comp) != q_components.end()) {
          score *= 1 + options_.same_component_boost;
          break;
        }
    }
    if (options_.recency_boost > 0 && q.created_ms && d.created_ms) {
      const double dt = std::abs(static_cast<double>(q.created_ms - d.created_ms));
      score *= 1 + options_.recency_boost * std::exp(-dt / recency_scale_ms);
    }
    if (score < filter.threshold || score <= 0) continue;
    cands.push_back({c.slot, score});
  }
  auto better = [this](const ranked& a, const ranked& b) {
    return a.score != b.score ? a.score > b.score : docs_[a.slot].issue_id < docs_[b.slot].issue_id;
  };
  const std::size_t top = std::min(filter.limit, cands.size());
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(top), cands.end(), better);
  cands.resize(top);

  // Explanations: each hit's per-term contributions (its terms looked up in a table of the query
  // terms), the explain_terms largest kept (ties by term text).
  const query_term_table query_terms(qt, 0);
  const std::size_t explain = static_cast<std::size_t>(std::max(0, options_.explain_terms));
  auto stronger = [&](const std::pair<double, std::uint32_t>& a, const std::pair<double, std::uint32_t>& b) {
    return a.first != b.first ? a.first > b.first : text(qt[a.second]) < text(qt[b.second]);
  };
  std::vector<search_hit> hits;
  hits.reserve(top);
  std::vector<std::pair<double, std::uint32_t>> parts;  // (share of the score, index into qt), strongest first
  parts.reserve(explain + 1);
  for (const auto& c : cands) {
    const doc_entry& d = docs_[c.slot];
    search_hit h{d.issue_id, d.key, c.score, {}, d.created_ms};
    parts.clear();
    for (const auto& t : terms_[c.slot]) {  // sorted by term id
      if (t.term > query_terms.max_id()) break;
      const std::uint32_t i = query_terms.find(t.term);
      if (i == query_term_table::npos) continue;
      const std::pair<double, std::uint32_t> part{qt[i].factor * weight(t.tf, weights_[c.slot], tf_norms_[c.slot]) / self_score, i};
      if (parts.size() == explain && (explain == 0 || !stronger(part, parts.back()))) continue;
      parts.insert(std::upper_bound(parts.begin(), parts.end(), part, stronger), part);
      if (parts.size() > explain) parts.pop_back();
    }
    h.terms.reserve(parts.size());
    for (const auto& [share, i] : parts) h.terms.push_back({std::string(text(qt[i])), share});
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace doppel::core
