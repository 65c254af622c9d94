// model_options JSON mapping (Boost.JSON), with range checks.
#include "core/model_options.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <string>

namespace doppel::core {
namespace {

constexpr std::array<const char*, field_count> field_names{"summary", "description", "environment", "meta"};

boost::json::object per_field(const std::array<double, field_count>& a) {
  boost::json::object o;
  for (std::size_t i = 0; i < field_count; ++i) o[field_names[i]] = a[i];
  return o;
}

error bad(const std::string& what) {
  return make_error(errc::unprocessable, "invalid_model_options", "model options: " + what);
}

bool number(const boost::json::value& v, double& out) {
  if (v.is_double()) out = v.get_double();
  else if (v.is_int64()) out = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) out = static_cast<double>(v.get_uint64());
  else return false;
  return std::isfinite(out);
}

// Reads a non-negative number no larger than max into out.
bool read_num(const boost::json::value& v, double max, double& out) {
  double d = 0;
  if (!number(v, d) || d < 0 || d > max) return false;
  out = d;
  return true;
}

bool read_fields(const boost::json::value& v, double max, std::array<double, field_count>& out) {
  if (!v.is_object()) return false;
  for (const auto& [k, x] : v.get_object()) {
    std::size_t i = 0;
    while (i < field_count && k != field_names[i]) ++i;
    if (i == field_count || !read_num(x, max, out[i])) return false;
  }
  return true;
}

}  // namespace

boost::json::value to_json(const model_options& o) {
  return boost::json::object{
      {"field_weights", per_field(o.field_weights)},
      {"length_norm", o.bm25 ? "bm25" : "cosine"},
      {"k1", o.k1},
      {"field_b", per_field(o.field_b)},
      {"idf_power", o.idf_power},
      {"bigram_weight", o.bigram_weight},
      {"draft_idf_power", o.draft_idf_power},
      {"draft_bigram_weight", o.draft_bigram_weight},
      {"max_query_terms", o.max_query_terms},
      {"max_df_fraction", o.max_df_fraction},
      {"posting_budget", o.posting_budget},
      {"candidate_pool", o.candidate_pool},
      {"scan_candidate_pool", o.scan_candidate_pool},
      {"same_project_boost", o.same_project_boost},
      {"same_component_boost", o.same_component_boost},
      {"recency_boost", o.recency_boost},
      {"recency_scale_days", o.recency_scale_days},
      {"explain_terms", o.explain_terms},
  };
}

result<model_options> model_options_from_json(const boost::json::value& v) {
  if (!v.is_object()) return bad("not an object");
  model_options o;
  for (const auto& [key, x] : v.get_object()) {
    double d = 0;
    if (key == "field_weights") {
      if (!read_fields(x, 100, o.field_weights)) return bad("field_weights");
    } else if (key == "field_b") {
      if (!read_fields(x, 1, o.field_b)) return bad("field_b");
    } else if (key == "length_norm") {
      if (!x.is_string() || (x.get_string() != "bm25" && x.get_string() != "cosine")) return bad("length_norm");
      o.bm25 = x.get_string() == "bm25";
    } else if (key == "k1") {
      if (!read_num(x, 100, o.k1) || o.k1 <= 0) return bad("k1");
    } else if (key == "idf_power") {
      if (!read_num(x, 4, o.idf_power)) return bad("idf_power");
    } else if (key == "bigram_weight") {
      if (!read_num(x, 100, o.bigram_weight)) return bad("bigram_weight");
    } else if (key == "draft_idf_power") {
      if (!read_num(x, 4, o.draft_idf_power)) return bad("draft_idf_power");
    } else if (key == "draft_bigram_weight") {
      if (!read_num(x, 100, o.draft_bigram_weight)) return bad("draft_bigram_weight");
    } else if (key == "max_query_terms") {
      if (!read_num(x, 4096, d) || d < 1 || d != std::floor(d)) return bad("max_query_terms");
      o.max_query_terms = static_cast<int>(d);
    } else if (key == "max_df_fraction") {
      if (!read_num(x, 1, o.max_df_fraction) || o.max_df_fraction <= 0) return bad("max_df_fraction");
    } else if (key == "posting_budget") {
      if (!read_num(x, 1e9, d) || d < 1 || d != std::floor(d)) return bad("posting_budget");
      o.posting_budget = static_cast<int>(d);
    } else if (key == "candidate_pool") {
      if (!read_num(x, 1e7, d) || d < 1 || d != std::floor(d)) return bad("candidate_pool");
      o.candidate_pool = static_cast<int>(d);
    } else if (key == "scan_candidate_pool") {
      if (!read_num(x, 1e7, d) || d < 1 || d != std::floor(d)) return bad("scan_candidate_pool");
      o.scan_candidate_pool = static_cast<int>(d);
    } else if (key == "same_project_boost") {
      if (!read_num(x, 10, o.same_project_boost)) return bad("same_project_boost");
    } else if (key == "same_component_boost") {
      if (!read_num(x, 10, o.same_component_boost)) return bad("same_component_boost");
    } else if (key == "recency_boost") {
      if (!read_num(x, 10, o.recency_boost)) return bad("recency_boost");
    } else if (key == "recency_scale_days") {
      if (!read_num(x, 36500, o.recency_scale_days) || o.recency_scale_days <= 0) return bad("recency_scale_days");
    } else if (key == "explain_terms") {
      if (!read_num(x, 50, d) || d != std::floor(d)) return bad("explain_terms");
      o.explain_terms = static_cast<int>(d);
    } else {
      return bad("unknown option \"" + std::string(key) + "\"");
    }
  }
  return o;
}

}  // namespace doppel::core
