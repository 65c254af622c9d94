// The weighting scheme of the search formula (see core/search.cpp): qw(t), idf(t)^p, dw(t, d) and
// its bound, and the priors, one class in the shape of xapian's Weight (xapian-core/weight/*.cc).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/analyzer.hpp"
#include "core/model_options.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace doppel::core {
namespace detail {

// sub(x) of the formula: 1 + ln x for x >= 1, x below.
inline double sublinear(double x) { return x >= 1 ? 1 + std::log(x) : x; }

// Σ_f w_f · tf_f in float, summed as (w0·t0 + w2·t2) + (w1·t1 + w3·t3): the order SSE2 adds the
// four products in, written out for other targets so that every build gives the same bits.
inline float field_dot(const std::array<float, field_count>& w, const field_tf& tf) {
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

}  // namespace detail

// What the priors compare of the query and of a document: interned project and component ids,
// component_bits(components), creation time (0 = unknown).
struct prior_context {
  std::uint32_t project = UINT32_MAX;
  std::span<const std::uint32_t> components;
  std::uint32_t component_bits = 0;
  std::int64_t created_ms = 0;
};

// BM25F (model_options::bm25) or cosine tf-idf with the priors. A document's field factors
// w_f / (1 − b_f + b_f · len_f / avg_f) (bm25) or w_f (cosine) come precomputed per document
// (search_index::weights_for), as does its norm ‖d‖ (tf_norm, cosine only).
class weighting_scheme {
 public:
  // draft: the scheme of a draft query (core::draft_query), with the draft_* options.
  explicit weighting_scheme(const model_options& o, bool draft = false)
      : field_weights_(o.field_weights),
        bm25_(o.bm25),
        k1_(o.k1),
        k1_float_(static_cast<float>(o.k1)),
        idf_power_(draft ? o.draft_idf_power : o.idf_power),
        bigram_weight_(draft ? o.draft_bigram_weight : o.bigram_weight),
        same_project_boost_(o.same_project_boost),
        same_component_boost_(o.same_component_boost),
        recency_boost_(o.recency_boost),
        recency_scale_ms_(o.recency_scale_days * 86400000.0) {}

  // m(t): bigram_weight for a bigram, else 1.
  double multiplier(bool bigram) const { return bigram ? bigram_weight_ : 1.0; }
  // qw(t) = sub(Σ_f w_f · tf_f(t, q)) · m(t).
  double query_weight(const field_tf& tf, double m) const {
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += field_weights_[f] * tf[f];
    return detail::sublinear(x) * m;
  }
  // idf(t) = ln((1 + N) / (1 + df(t))) + 1 for df documents among n.
  static double idf(double df, double n) { return std::log((1 + n) / (1 + df)) + 1; }
  // idf(t)^p.
  double idf_factor(double idf) const { return idf_power_ == 2.0 ? idf * idf : std::pow(idf, idf_power_); }
  // The largest dw(t, d) of a term with multiplier m: k1 + 1 (bm25); 1 / min(1, m) (cosine, sub(x) · m ≤ ‖d‖).
  double max_doc_weight(double m) const { return bm25_ ? k1_ + 1 : 1.0 / std::min(1.0, m); }

  // dw(t, d) in double, for raw(q, q) and the explanations.
  double doc_weight(const std::array<float, field_count>& w, const field_tf& tf, float tf_norm) const {
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += static_cast<double>(w[f]) * tf[f];
    if (bm25_) return x * (k1_ + 1) / (x + k1_);
    return detail::sublinear(x) * (1.0f / tf_norm);
  }
  bool bm25() const { return bm25_; }
  // dw(t, d) in float, for accumulation and rescoring (the hot loops): Bm25 must equal bm25(); as a
  // template argument it keeps the branch on the mode out of the loops. *tf_norm is read only in
  // cosine mode, so bm25 reads no second array per posting.
  template <bool Bm25>
  float doc_weight_fast(const std::array<float, field_count>& w, const field_tf& tf, const float* tf_norm) const {
    const float x = detail::field_dot(w, tf);
    if constexpr (Bm25) return x * (k1_float_ + 1) / (x + k1_float_);
    else return static_cast<float>(detail::sublinear(x)) * (1.0f / *tf_norm);
  }

  // The largest prior(q, d) for a query with or without a creation time.
  double max_prior(bool dated_query) const {
    return (1 + same_project_boost_) * (1 + same_component_boost_) * (1 + (dated_query ? recency_boost_ : 0.0));
  }
  // score · prior(q, d), multiplied in factor by factor (project, component, recency).
  double apply_priors(double score, const prior_context& q, const prior_context& d) const {
    if (same_project_boost_ > 0 && d.project == q.project) score *= 1 + same_project_boost_;
    if (same_component_boost_ > 0 && (d.component_bits & q.component_bits) != 0) {
      for (auto comp : d.components)
        if (std::find(q.components.begin(), q.components.end(), comp) != q.components.end()) {
          score *= 1 + same_component_boost_;
          break;
        }
    }
    if (recency_boost_ > 0 && q.created_ms && d.created_ms) {
      const double dt = std::abs(static_cast<double>(q.created_ms - d.created_ms));
      score *= 1 + recency_boost_ * std::exp(-dt / recency_scale_ms_);
    }
    return score;
  }

 private:
  std::array<double, field_count> field_weights_;
  bool bm25_;
  double k1_;
  float k1_float_;
  double idf_power_, bigram_weight_;
  double same_project_boost_, same_component_boost_, recency_boost_, recency_scale_ms_;
};

}  // namespace doppel::core
