// model_options JSON round trip and validation.
#include "core/model_options.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace doppel::core;

TEST_CASE("model options round-trip through JSON") {
  model_options o;
  o.bm25 = false;
  o.field_weights[field_environment] = 0.25;
  o.recency_boost = 0;
  o.max_query_terms = 12;
  o.scan_candidate_pool = 7;
  o.draft_idf_power = 1.75;
  o.draft_bigram_weight = 0.125;
  auto back = model_options_from_json(to_json(o));
  REQUIRE(back.ok());
  CHECK(*back == o);
}

TEST_CASE("model options: partial objects keep defaults, bad values are rejected") {
  auto v = boost::json::parse(R"({"field_weights":{"summary":4},"k1":2})");
  auto o = model_options_from_json(v);
  REQUIRE(o.ok());
  CHECK(o->field_weights[field_summary] == 4);
  CHECK(o->field_weights[field_description] == model_options{}.field_weights[field_description]);
  CHECK(o->k1 == 2);
  for (const char* bad : {R"({"k1":-1})", R"({"nope":1})", R"({"field_weights":{"title":1}})", R"({"field_b":{"summary":2}})",
                          R"({"length_norm":"tfidf"})", R"({"max_query_terms":0.5})",
                          R"({"scan_candidate_pool":0})", R"({"scan_candidate_pool":2.5})", R"({"draft_idf_power":5})",
                          R"({"draft_bigram_weight":-1})", R"([])"}) {
    CAPTURE(bad);
    CHECK_FALSE(model_options_from_json(boost::json::parse(bad)).ok());
  }
}
