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
// The weighting (qw, idf, dw and its bound, prior) is core/weighting.hpp's weighting_scheme; this
// file holds the search that uses it.
// avg_f is quantised to a 2% ln-scale grid (see index.cpp refresh_averages) so that the factors
// w_f / (1 − b_f + b_f · len_f / avg_f) can be kept per document instead of per query.
// T(q) are the max_query_terms query terms with the largest qw(t) · idf(t) that occur in the
// index (ties by term text). raw(q, q) scores the query as if it were a document (its own
// lengths; for a query not in the index, its terms the index lacks count too, with df = 1 of N + 1),
// so an identical document scores 1 before priors. Accumulation runs over T(q) in order
// of decreasing bound (ties by term text), so the result does not depend on the order documents
// were inserted (see searcher::plan_accumulation() for the posting budget).
#include "core/index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <span>

#include "core/weighting.hpp"

namespace doppel::core {
namespace {

std::uint32_t bits_of(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
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

// A filter over interned names: empty = any, else 1 at the ids of the allowed names.
std::vector<char> name_mask(const std::vector<std::string>& allowed, std::size_t names,
                            const std::unordered_map<std::string, std::uint32_t>& name_ids) {
  std::vector<char> m;
  if (allowed.empty()) return m;
  m.assign(names, 0);
  for (const auto& a : allowed)
    if (auto it = name_ids.find(a); it != name_ids.end()) m[it->second] = 1;
  return m;
}

}  // namespace

// One search of run(): the query's terms, filters and candidates, and the steps in the order
// run() takes them.
class search_index::searcher {
 public:
  searcher(const search_index& index, const resolved_query& q, const search_filter& filter)
      : index_(index), q_(q), filter_(filter), scheme_(index.options_, q.draft), n_(static_cast<double>(index.size())),
        scratch_(local_scratch(index.docs_.size())) {}

  std::vector<search_hit> run(std::optional<std::uint32_t> self) {
    build_query_terms();
    keep_strongest_terms();
    self_score_ = self_score();
    if (self_score_ <= 0) return {};
    build_filters(self);
    const std::size_t read = plan_accumulation();
    const std::size_t touched = scheme_.bm25() ? accumulate<true>(read) : accumulate<false>(read);
    const std::size_t found = collect(touched);
    std::vector<scored> candidates = select_pool(found);
    if (first_rest_ < qt_.size()) scheme_.bm25() ? rescore<true>(candidates) : rescore<false>(candidates);
    drop_hopeless(candidates);
    return explain(rank(candidates));
  }

 private:
  // A query term present in the index, with its pruning strength and scoring factor.
  struct qterm {
    std::uint32_t id;
    double strength, factor;  // qw(t) · idf(t), qw(t) · idf(t)^p
    field_tf tf;
    double multiplier = 1.0;  // m(t)
    double bound = 0.0;       // largest possible contribution: factor · max dw
  };
  struct scored {
    std::uint32_t slot;
    float raw;  // raw(q, d) so far
  };
  struct ranked {
    std::uint32_t slot;
    double score;
  };

  // Term texts are only read to break ties and to name the explaining terms.
  std::string_view text(const qterm& t) const { return index_.vocabulary_.text(t.id); }

  void build_query_terms();
  void keep_strongest_terms();
  double self_score() const;
  void build_filters(std::optional<std::uint32_t> self);
  std::size_t plan_accumulation();
  // Bm25: scheme_.bm25(), as a template argument (see weighting_scheme::doc_weight_fast).
  template <bool Bm25>
  std::size_t accumulate(std::size_t read);
  std::size_t collect(std::size_t touched_count);
  std::vector<scored> select_pool(std::size_t found);
  template <bool Bm25>
  void rescore(std::vector<scored>& candidates) const;
  void drop_hopeless(std::vector<scored>& candidates) const;
  std::vector<ranked> rank(const std::vector<scored>& candidates) const;
  std::vector<search_hit> explain(const std::vector<ranked>& top) const;

  const search_index& index_;
  const resolved_query& q_;
  const search_filter& filter_;
  const weighting_scheme scheme_;
  const double n_;  // N
  scratch& scratch_;
  std::vector<qterm> qt_;  // T(q), in processing order once keep_strongest_terms() ran
  double self_score_ = 0;  // raw(q, q)
  std::vector<char> projects_, types_, statuses_;  // name_mask()s of the filter
  std::vector<std::uint32_t> excluded_;            // slots
  std::size_t first_rest_ = 0;  // first query term handled by rescoring the pool
};

// The query terms present in the index with qw(t) > 0 (and df within max_df_fraction), with their
// strength qw · idf and factor qw · idf^p.
void search_index::searcher::build_query_terms() {
  const model_options& o = index_.options_;
  const std::size_t max_df = o.max_df_fraction >= 1.0 ? SIZE_MAX : static_cast<std::size_t>(o.max_df_fraction * n_);
  qt_.reserve(q_.terms.size());
  // The document frequencies are in posting list headers scattered over a large array: request them all first.
  for (const auto& t : q_.terms) __builtin_prefetch(&index_.postings_by_term_[t.term]);
  for (const auto& [id, tf] : q_.terms) {
    const std::size_t df = index_.postings_by_term_[id].size();
    if (df > max_df && df > 1) continue;
    const double m = scheme_.multiplier(index_.vocabulary_.bigram(id));
    if (m <= 0) continue;
    const double qw = scheme_.query_weight(tf, m);
    if (qw <= 0) continue;
    const double idf = weighting_scheme::idf(static_cast<double>(df), n_);
    qt_.push_back({id, qw * idf, qw * scheme_.idf_factor(idf), tf, m, 0.0});
  }
}

// T(q): the max_query_terms strongest, sorted into processing order: largest possible contribution
// first (ties by text, so the order, and with it every float sum, is the same for incremental and
// rebuilt indexes).
void search_index::searcher::keep_strongest_terms() {
  const std::size_t max_terms = static_cast<std::size_t>(std::max(1, index_.options_.max_query_terms));
  if (qt_.size() > max_terms) {
    // The max_terms strongest (a total order: ties by text), in any order: they are sorted below.
    std::nth_element(qt_.begin(), qt_.begin() + static_cast<std::ptrdiff_t>(max_terms - 1), qt_.end(),
                     [&](const qterm& a, const qterm& b) {
                       return a.strength != b.strength ? a.strength > b.strength : text(a) < text(b);
                     });
    qt_.resize(max_terms);
  }
  for (auto& t : qt_) t.bound = t.factor * scheme_.max_doc_weight(t.multiplier);
  std::sort(qt_.begin(), qt_.end(), [&](const qterm& a, const qterm& b) {
    return a.bound != b.bound ? a.bound > b.bound : text(a) < text(b);
  });
}

// raw(q, q): the query scored as a document with its own lengths and norm.
double search_index::searcher::self_score() const {
  const slot_weights q_weights = index_.weights_for(q_.lengths);
  double self = 0;
  for (const auto& t : qt_) self += t.factor * scheme_.doc_weight(q_weights.w, t.tf, q_.tf_norm);
  // Terms new to the index count in raw(q, q) with df = 1 among N + 1 documents, as after the issue is indexed:
  // otherwise an issue made mostly of new words would be normalised by the few terms it shares (say, its project
  // key) and score far above 1 against every issue sharing them.
  for (const auto& [text, tf] : q_.unknown) {
    const double qw = scheme_.query_weight(tf, scheme_.multiplier(is_bigram(text)));
    if (qw <= 0) continue;
    const double idf = weighting_scheme::idf(1, n_ + 1);
    self += qw * scheme_.idf_factor(idf) * scheme_.doc_weight(q_weights.w, tf, q_.tf_norm);
  }
  return self;
}

// Filters as masks over interned names; excluded issues (and the query issue itself) as slots.
void search_index::searcher::build_filters(std::optional<std::uint32_t> self) {
  projects_ = name_mask(filter_.projects, index_.names_.size(), index_.name_ids_);
  types_ = name_mask(filter_.issue_types, index_.names_.size(), index_.name_ids_);
  statuses_ = name_mask(filter_.statuses, index_.names_.size(), index_.name_ids_);
  for (const auto& id : filter_.exclude_issue_ids)
    if (auto slot = index_.slot_of_id(id); slot != detail::slot_map::npos) excluded_.push_back(slot);
  if (self) excluded_.push_back(*self);
}

// Term-at-a-time accumulation, strongest terms first. While the postings read stay within
// posting_budget every matching document becomes a candidate (exact scoring). When the next
// term would exceed the budget, the candidates are cut to the candidate pool best so far and
// the remaining (common, low-idf) terms only update those, through each candidate's own term
// list: documents matched only by common terms are not considered.
//
// The terms accumulated: the first one, then each next one while the postings read stay within
// the budget; sets first_rest_ and returns the postings to read. Their posting lists lie scattered
// over the heap and most are short (the rarest terms come first): request the first lines of all
// of them before reading any, so the misses overlap.
std::size_t search_index::searcher::plan_accumulation() {
  const std::size_t budget = index_.options_.posting_budget;
  first_rest_ = qt_.size();
  std::size_t read = 0;
  for (std::size_t i = 0; i < qt_.size(); ++i) {
    const auto& post = index_.postings_by_term_[qt_[i].id];
    if (i > 0 && read + post.size() > budget) {
      first_rest_ = i;
      break;
    }
    read += post.size();
    const char* const first = reinterpret_cast<const char*>(post.begin());
    __builtin_prefetch(first);
    if (post.size() > 4) __builtin_prefetch(first + 64);
  }
  return read;
}

// Adds factor · dw(t, d) to each posting's accumulator for the terms before first_rest_; returns
// how many entries of scratch touched it wrote. The hot loop works on raw pointers (nothing in it
// can move the vectors) and appends a slot to touched without a branch when its accumulator is
// still 0. A zero contribution (a field weighted 0) leaves it at 0, so a slot can be appended again
// later: touched holds at most one entry per posting read, and collect() takes each slot's score once.
template <bool Bm25>
std::size_t search_index::searcher::accumulate(std::size_t read) {
  if (scratch_.touched.size() < read) scratch_.touched.resize(read);
  std::uint32_t* const touched = scratch_.touched.data();
  float* const acc = scratch_.acc.data();
  const slot_weights* const slot_w = index_.weights_.data();
  const float* const tf_norms = index_.tf_norms_.data();
  const weighting_scheme scheme = scheme_;  // a local copy: the stores to acc cannot alias its members
  std::size_t touched_count = 0;
  for (std::size_t i = 0; i < first_rest_; ++i) {
    const auto& post = index_.postings_by_term_[qt_[i].id];
    const float factor = static_cast<float>(qt_[i].factor);
    // Postings are in slot order but sparse: fetch the weights a few postings ahead.
    constexpr std::ptrdiff_t ahead = 16;
    const detail::posting* const last = post.end() - 1;  // never empty: query terms are live terms
    for (const detail::posting* pp = post.begin(); pp <= last; ++pp) {
      __builtin_prefetch(&slot_w[(last - pp > ahead ? pp + ahead : last)->slot]);
      const float c = factor * scheme.doc_weight_fast<Bm25>(slot_w[pp->slot].w, pp->tf, tf_norms + pp->slot);
      float& a = acc[pp->slot];
      touched[touched_count] = pp->slot;
      touched_count += bits_of(a) == 0;
      a += c;
    }
  }
  return touched_count;
}

// Candidates: the touched documents with a positive score that pass the filters (excluded ones
// get score 0), moved with their scores so far into contiguous arrays (clearing the accumulators
// on the way), so that selecting and rescoring the pool read no scattered memory. Returns how many.
std::size_t search_index::searcher::collect(std::size_t touched_count) {
  float* const acc = scratch_.acc.data();
  const std::uint32_t* const touched = scratch_.touched.data();
  for (auto slot : excluded_) acc[slot] = 0.0f;
  if (scratch_.slots.size() < touched_count) scratch_.slots.resize(touched_count), scratch_.scores.resize(touched_count);
  std::uint32_t* const found_slot = scratch_.slots.data();
  float* const found_score = scratch_.scores.data();
  const bool by_fields = !projects_.empty() || !types_.empty() || !statuses_.empty();
  auto passes = [&](std::uint32_t slot) {
    const doc_entry& d = index_.docs_[slot];
    return (projects_.empty() || projects_[d.project]) && (types_.empty() || types_[d.issue_type]) &&
           (statuses_.empty() || statuses_[d.status]);
  };
  std::size_t found = 0;
  for (std::size_t i = 0; i < touched_count; ++i) {
    const std::uint32_t slot = touched[i];
    const float a = acc[slot];
    acc[slot] = 0.0f;
    found_slot[found] = slot;
    found_score[found] = a;
    found += bits_of(a) != 0 && (!by_fields || passes(slot));
  }
  return found;
}

// The candidates to rank: all found, or, when terms are left for rescoring and more were found than
// the pool holds, the pool: every candidate above the pool-th best score, then those tied with it in
// issue id order. A histogram of the scores' top bits names the bucket holding the pool-th best;
// candidates above it are in, and only those inside it are selected exactly.
std::vector<search_index::searcher::scored> search_index::searcher::select_pool(std::size_t found) {
  const std::uint32_t* const found_slot = scratch_.slots.data();
  const float* const found_score = scratch_.scores.data();
  const int pool_option = filter_.full_scan ? index_.options_.scan_candidate_pool : index_.options_.candidate_pool;
  const std::size_t pool = std::max<std::size_t>(filter_.limit, static_cast<std::size_t>(pool_option));
  std::vector<scored> candidates;
  if (first_rest_ == qt_.size() || found <= pool) {
    candidates.resize(found);
    for (std::size_t i = 0; i < found; ++i) candidates[i] = {found_slot[i], found_score[i]};
    return candidates;
  }
  std::uint32_t* const histogram = scratch_.histogram.data();
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
  const auto& docs = index_.docs_;
  std::sort(tied.begin(), tied.end(), [&](auto a, auto b) { return docs[a].issue_id < docs[b].issue_id; });
  for (std::size_t i = 0; candidates.size() < pool; ++i) candidates.push_back({tied[i], kth});
  return candidates;
}

// Adds the terms from first_rest_ on to the candidates' raw scores: look each of a candidate's
// terms up in a small hash table of the remaining query terms, then add the contributions in
// query-term order (so every float sum is the same whatever the term ids are). Leaves the
// candidates in slot order.
template <bool Bm25>
void search_index::searcher::rescore(std::vector<scored>& candidates) const {
  // slot order: neighbouring memory, fewer cache misses
  std::sort(candidates.begin(), candidates.end(), [](const scored& a, const scored& b) { return a.slot < b.slot; });
  const query_term_table rest(qt_, first_rest_);
  std::vector<float> part(qt_.size(), 0.0f);
  // The candidates' term lists and metadata are scattered over the heap: read where the lists are
  // first (independent loads that overlap), then request the first lines of every list (the common
  // terms rescoring reads; renumber_terms() puts them first) and every candidate's metadata (for
  // the priors) before using any, so that the cache misses overlap instead of queueing behind
  // each candidate's branches (about 10 % of the scan in interleaved runs).
  std::vector<std::span<const doc_term>> lists(candidates.size());
  for (std::size_t c = 0; c < candidates.size(); ++c) lists[c] = index_.terms_[candidates[c].slot];
  for (const auto& list : lists) {
    const char* const begin = reinterpret_cast<const char*>(list.data());
    const char* const end = begin + std::min<std::size_t>(list.size_bytes(), 5 * 64);
    for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p);
  }
  for (const auto& c : candidates) __builtin_prefetch(&index_.docs_[c.slot]);
  const slot_weights* const slot_w = index_.weights_.data();
  const float* const tf_norms = index_.tf_norms_.data();
  const weighting_scheme scheme = scheme_;  // a local copy: the stores to part cannot alias its members
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const std::uint32_t slot = candidates[c].slot;
    for (const auto& t : lists[c]) {  // sorted by term id: stop after the largest rest id
      if (t.term > rest.max_id()) break;
      const std::uint32_t i = rest.find(t.term);
      if (i == query_term_table::npos) continue;
      part[i] = static_cast<float>(qt_[i].factor) * scheme.doc_weight_fast<Bm25>(slot_w[slot].w, t.tf, tf_norms + slot);
    }
    float a = candidates[c].raw;
    for (std::size_t i = first_rest_; i < qt_.size(); ++i) {
      a += part[i];
      part[i] = 0.0f;
    }
    candidates[c].raw = a;
  }
}

// Priors are at most max_prior, so a candidate whose raw score times max_prior is below the
// k-th best raw score (or below the threshold) cannot be in the result: drop it before touching
// its metadata.
void search_index::searcher::drop_hopeless(std::vector<scored>& candidates) const {
  const double max_prior = scheme_.max_prior(q_.created_ms != 0);
  double cut = filter_.threshold * self_score_ / max_prior;
  if (candidates.size() > filter_.limit) {
    std::vector<float> raw;
    raw.reserve(candidates.size());
    for (const auto& c : candidates) raw.push_back(c.raw);
    std::nth_element(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(filter_.limit - 1), raw.end(),
                     std::greater<float>());
    cut = std::max(cut, static_cast<double>(raw[filter_.limit - 1]) / max_prior);
  }
  std::erase_if(candidates, [&](const scored& c) { return c.raw < cut; });
}

// The top filter.limit candidates by score = raw / raw(q, q) · prior (ties by issue id), those at
// or above the threshold and positive, best first.
std::vector<search_index::searcher::ranked> search_index::searcher::rank(const std::vector<scored>& candidates) const {
  const prior_context query_context{q_.project, q_.components, component_bits(q_.components), q_.created_ms};
  std::vector<ranked> cands;
  cands.reserve(candidates.size());
  for (const scored& c : candidates) {
    const double raw = c.raw;
    const doc_entry& d = index_.docs_[c.slot];
    const double score =
        scheme_.apply_priors(raw / self_score_, query_context, {d.project, d.components, d.component_bits, d.created_ms});
    if (score < filter_.threshold || score <= 0) continue;
    cands.push_back({c.slot, score});
  }
  auto better = [this](const ranked& a, const ranked& b) {
    return a.score != b.score ? a.score > b.score : index_.docs_[a.slot].issue_id < index_.docs_[b.slot].issue_id;
  };
  const std::size_t top = std::min(filter_.limit, cands.size());
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(top), cands.end(), better);
  cands.resize(top);
  return cands;
}

// The hits with their explanations: each hit's per-term contributions (its terms looked up in a
// table of the query terms), the explain_terms largest kept (ties by term text).
std::vector<search_hit> search_index::searcher::explain(const std::vector<ranked>& top) const {
  const query_term_table query_terms(qt_, 0);
  const std::size_t explain = static_cast<std::size_t>(std::max(0, index_.options_.explain_terms));
  auto stronger = [&](const std::pair<double, std::uint32_t>& a, const std::pair<double, std::uint32_t>& b) {
    return a.first != b.first ? a.first > b.first : text(qt_[a.second]) < text(qt_[b.second]);
  };
  std::vector<search_hit> hits;
  hits.reserve(top.size());
  std::vector<std::pair<double, std::uint32_t>> parts;  // (share of the score, index into qt_), strongest first
  parts.reserve(explain + 1);
  for (const auto& c : top) {
    const doc_entry& d = index_.docs_[c.slot];
    search_hit h{d.issue_id, d.key, c.score, {}, d.created_ms};
    parts.clear();
    for (const auto& t : index_.terms_[c.slot]) {  // sorted by term id
      if (t.term > query_terms.max_id()) break;
      const std::uint32_t i = query_terms.find(t.term);
      if (i == query_term_table::npos) continue;
      const double dw = scheme_.doc_weight(index_.weights_[c.slot].w, t.tf, index_.tf_norms_[c.slot]);
      const std::pair<double, std::uint32_t> part{qt_[i].factor * dw / self_score_, i};
      if (parts.size() == explain && (explain == 0 || !stronger(part, parts.back()))) continue;
      parts.insert(std::upper_bound(parts.begin(), parts.end(), part, stronger), part);
      if (parts.size() > explain) parts.pop_back();
    }
    h.terms.reserve(parts.size());
    for (const auto& [share, i] : parts) h.terms.push_back({std::string(text(qt_[i])), share});
    hits.push_back(std::move(h));
  }
  return hits;
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
  r.draft = q.draft;
  return run(r, filter, std::nullopt);
}

std::vector<search_hit> search_index::run(const resolved_query& q, const search_filter& filter,
                                          std::optional<std::uint32_t> self) const {
  if (size() == 0 || filter.limit == 0) return {};
  return searcher(*this, q, filter).run(self);
}

}  // namespace doppel::core
