// Model options: the scoring knobs a tenant may configure, with JSON (de)serialisation.
#pragma once

#include <array>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/analyzer.hpp"
#include "util/result.hpp"

namespace doppel::core {

// Every option beyond textbook TF-IDF is named here, defaults chosen on held-out measurement
// (see search.cpp for the formula they enter; the field weights, k1, the b of the description, summary and
// environment, idf_power, bigram_weight, max_query_terms and the priors by leave-one-project-out coordinate
// ascent on the dev set, two sessions, docs/engine.md).
struct model_options {
  // Field weights w_f: summary, description (its prose), environment (the environment field and the description's
  // stack frames and log lines, core/machine_text.hpp), meta (components, labels, own key).
  std::array<double, field_count> field_weights{4.0, 0.7, 0.25, 1.0};
  // Length normalisation. "bm25": BM25F pseudo-frequency with per-field b_f and saturation k1.
  // "cosine": sublinear tf (1 + ln x) divided by the document's tf-vector norm (textbook).
  bool bm25 = true;
  double k1 = 1.6;
  std::array<double, field_count> field_b{0.3, 0.9, 0.9, 0.0};
  // Exponent p of idf in each term's contribution (2 = the textbook q·d product of two tf-idf
  // vectors, 1 = BM25).
  double idf_power = 1.25;
  // Weight of summary bigram terms relative to single words (0 = bigrams off).
  double bigram_weight = 0.35;
  // A draft's query (the create dialog's text, core::draft_query: often the summary alone) is short, so its
  // words weigh differently: idf_power and bigram_weight for drafts (query-side only: the index is the same).
  // Chosen by every leave-one-project-out fold on summary-only drafts (docs/engine.md; draft_bigram_weight 0.25 ->
  // 0.15 by every fold after the second whole-issue round).
  double draft_idf_power = 1.25;
  double draft_bigram_weight = 0.15;
  // Query reduction: only the max_query_terms strongest query terms (by tf·idf) are scored.
  int max_query_terms = 48;
  // Query terms found in more than this fraction of the documents are not scored (they carry
  // almost no evidence and their long posting lists dominate the cost). 1 = off.
  double max_df_fraction = 1.0;
  // Cost bound for large indexes: once a query has read posting_budget postings, the remaining
  // (most common) terms only rescore the candidate_pool best candidates so far.
  int posting_budget = 5000;
  int candidate_pool = 100;
  // The pool of a background rescan of the whole backlog (search_filter::full_scan): every issue is
  // searched, so the batch trades some ranking depth below the top few for throughput (measured in
  // docs/engine.md); searches a person waits for (the issue panel, new and edited issues, drafts)
  // use candidate_pool.
  int scan_candidate_pool = 20;
  // Priors (multiplicative, 0 = off): same project as the query issue; a shared component;
  // recency: 1 + recency_boost · exp(-|Δt| / recency_scale_days).
  double same_project_boost = 0.2;
  double same_component_boost = 0.2;
  double recency_boost = 0.75;
  double recency_scale_days = 180.0;
  // Number of matching terms reported with each hit.
  int explain_terms = 5;

  bool operator==(const model_options&) const = default;
};

boost::json::value to_json(const model_options& o);
// Unknown members are rejected; missing members keep their defaults; values are range-checked.
result<model_options> model_options_from_json(const boost::json::value& v);

}  // namespace doppel::core
