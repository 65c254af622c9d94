// weighting_scheme in closed form: qw, idf, dw (bm25 and cosine) and its bound, the priors.
#include "core/weighting.hpp"

#include "core/index.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace doppel::core;

TEST_CASE("weighting: idf, qw and the term factor follow the formula") {
  model_options o;
  o.field_weights = {3.0, 1.0, 0.5, 0.5};
  o.idf_power = 2.0;
  o.bigram_weight = 0.5;
  const weighting_scheme w(o);
  CHECK(weighting_scheme::idf(1, 3) == doctest::Approx(std::log(4.0 / 2.0) + 1));
  CHECK(weighting_scheme::idf(9, 9) == doctest::Approx(1.0));
  CHECK(w.multiplier(false) == 1.0);
  CHECK(w.multiplier(true) == 0.5);
  // x = 3·1 + 1·2 = 5 >= 1: sub(x) = 1 + ln 5; times m.
  CHECK(w.query_weight({1, 2, 0, 0}, 1.0) == doctest::Approx(1 + std::log(5.0)));
  CHECK(w.query_weight({1, 2, 0, 0}, 0.5) == doctest::Approx(0.5 * (1 + std::log(5.0))));
  // x = 0.5 < 1: sub(x) = x.
  CHECK(w.query_weight({0, 0, 1, 0}, 1.0) == doctest::Approx(0.5));
  CHECK(w.idf_factor(3.0) == 9.0);
  o.idf_power = 1.5;
  CHECK(weighting_scheme(o).idf_factor(4.0) == doctest::Approx(8.0));
}

TEST_CASE("weighting: bm25 dw saturates at k1 + 1, the bound") {
  model_options o;
  o.k1 = 1.2;
  const weighting_scheme w(o);
  const std::array<float, field_count> factors{2.0f, 0.5f, 0.0f, 0.0f};  // w_f / K_f(d)
  const field_tf tf{1, 2, 0, 0};                                        // x = 2·1 + 0.5·2 = 3
  const double expected = 3.0 * 2.2 / (3.0 + 1.2);
  CHECK(w.doc_weight(factors, tf, 1.0f) == doctest::Approx(expected));
  const float norm = 7.0f;  // read only in cosine mode
  CHECK(w.bm25());
  CHECK(w.doc_weight_fast<true>(factors, tf, &norm) == doctest::Approx(expected).epsilon(1e-6));
  CHECK(w.max_doc_weight(0.5) == doctest::Approx(2.2));
  CHECK(w.doc_weight({200.0f, 0, 0, 0}, {255, 0, 0, 0}, 1.0f) < w.max_doc_weight(1.0));
}

TEST_CASE("weighting: cosine dw is sub(x) / ‖d‖, bounded by 1 / min(1, m)") {
  model_options o;
  o.bm25 = false;
  const weighting_scheme w(o);
  const std::array<float, field_count> factors{3.0f, 1.0f, 0.5f, 0.5f};  // w_f
  const field_tf tf{2, 0, 0, 0};                                        // x = 6
  const float norm = 4.0f;
  CHECK(w.doc_weight(factors, tf, norm) == doctest::Approx((1 + std::log(6.0)) / 4.0));
  CHECK_FALSE(w.bm25());
  CHECK(w.doc_weight_fast<false>(factors, tf, &norm) == doctest::Approx((1 + std::log(6.0)) / 4.0).epsilon(1e-6));
  CHECK(w.max_doc_weight(1.0) == 1.0);
  CHECK(w.max_doc_weight(0.5) == 2.0);
}

TEST_CASE("weighting: priors multiply in per matching factor, at most max_prior") {
  model_options o;
  o.same_project_boost = 0.1;
  o.same_component_boost = 0.2;
  o.recency_boost = 0.3;
  o.recency_scale_days = 10;
  const weighting_scheme w(o);
  const std::vector<std::uint32_t> q_components{4, 7}, d_components{7}, other{5};
  const prior_context q{1, q_components, component_bits(q_components), 1000};
  const double day_ms = 86400000.0;
  // Same project, a shared component, created 10 days apart: 1.1 · 1.2 · (1 + 0.3 · e^-1).
  const prior_context same{1, d_components, component_bits(d_components), 1000 + static_cast<std::int64_t>(10 * day_ms)};
  CHECK(w.apply_priors(0.5, q, same) == doctest::Approx(0.5 * 1.1 * 1.2 * (1 + 0.3 * std::exp(-1.0))));
  // Another project, no shared component, no creation time: no prior.
  const prior_context apart{2, other, component_bits(other), 0};
  CHECK(w.apply_priors(0.5, q, apart) == 0.5);
  // Component bits that collide (5 and 37 share bit 5) without a shared component: no component prior.
  const std::vector<std::uint32_t> q37{37};
  const prior_context q_collide{3, q37, component_bits(q37), 0};
  CHECK(w.apply_priors(1.0, q_collide, apart) == 1.0);
  CHECK(w.max_prior(true) == doctest::Approx(1.1 * 1.2 * 1.3));
  CHECK(w.max_prior(false) == doctest::Approx(1.1 * 1.2));
  CHECK(w.apply_priors(1.0, q, {1, d_components, component_bits(d_components), 1000}) == doctest::Approx(w.max_prior(true)));
}
