// `doppel eval`: load, sort by creation, query-then-index each issue (--end-view: index all, then query each).
#include "tools/eval_command.hpp"

#include <zlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <span>
#include <sstream>

#include "core/index.hpp"
#include "core/likelihood.hpp"
#include "core/model_options.hpp"

namespace doppel::tools {
namespace {

int usage_error(const std::string& message) {
  std::cerr << "doppel eval: " << message << '\n';
  return 2;
}

// The panel's default limit: tiers are decided among the first this many hits, as the panel decides them.
constexpr std::size_t panel_limit = 10;

// The query's own rating on the candidate's list (0 when the query is not among its likelihood_search_limit best).
double other_end_of(const core::search_index& idx, const std::string& candidate_id, const std::string& query_id) {
  core::search_filter wide;
  wide.limit = core::likelihood_search_limit;
  const auto hits = idx.search_issue(candidate_id, wide);
  const auto facts = idx.facts_by_id(candidate_id);
  if (!facts) return 0;
  const auto rated = core::rate_hits(idx, *facts, hits, core::default_likely_threshold);
  for (std::size_t j = 0; j < hits.size(); ++j)
    if (hits[j].issue_id == query_id) return rated[j].likelihood;
  return 0;
}

// One output line: the candidates of a search with their likelihood and tier (and this end's features when asked),
// as service::suggest rates a panel of panel_limit: this end's likelihood, or with `query_id` (an indexed issue,
// the end view) the pair's from both ends for those asked (core::other_ends_to_ask); at most core::likely_per_list likely
// among the first panel_limit, the hits after them related. `both_ends` (end view) adds the arrays "this_end" and
// "other_end" for the first panel_limit, the other end asked for every one of them (for threshold sweeps).
std::string rated_line(const core::search_index& idx, const std::string& key, const core::query_facts& facts,
                       const std::vector<core::search_hit>& hits, bool features, const std::string& query_id = {},
                       bool both_ends = false) {
  const auto vectors = core::likelihood_features(idx, facts, hits);
  std::vector<double> p;
  for (const auto& v : vectors) p.push_back(core::likelihood(core::default_likelihood_model(), v));
  const std::size_t shown = std::min(panel_limit, hits.size());
  boost::json::array this_end, other_end;
  std::vector<bool> asked(shown, query_id.empty());
  if (!query_id.empty()) {
    const auto ask = core::other_ends_to_ask(std::span<const double>(p.data(), shown), core::default_likely_threshold);
    for (auto i : ask) asked[i] = true;
    for (std::size_t i = 0; i < shown; ++i) {
      if (!asked[i] && !both_ends) continue;
      const double b = other_end_of(idx, hits[i].issue_id, query_id);
      if (both_ends) {
        this_end.emplace_back(std::round(p[i] * 1e6) / 1e6);
        other_end.emplace_back(std::round(b * 1e6) / 1e6);
      }
      if (asked[i]) p[i] = core::pair_likelihood(p[i], b);
    }
  }
  const auto panel_tiers = core::list_tiers(std::span<const double>(p.data(), shown), core::default_likely_threshold,
                                            core::likely_per_list, asked);
  boost::json::array cands, likelihoods, tiers, feature_rows;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    cands.emplace_back(hits[i].key);
    likelihoods.emplace_back(std::round(p[i] * 1e6) / 1e6);
    tiers.emplace_back(core::to_string(i < shown ? panel_tiers[i] : core::tier::related));
    if (features) feature_rows.emplace_back(boost::json::array(vectors[i].begin(), vectors[i].end()));
  }
  boost::json::object line{{"key", key}, {"candidates", std::move(cands)}};
  line["likelihood"] = std::move(likelihoods);
  line["tier"] = std::move(tiers);
  if (features) line["features"] = std::move(feature_rows);
  if (both_ends) {
    line["this_end"] = std::move(this_end);
    line["other_end"] = std::move(other_end);
  }
  return boost::json::serialize(line) + '\n';
}

}  // namespace

result<std::string> inline_or_file(const std::string& value) {
  if (value.empty() || value[0] != '@') return value;
  std::ifstream in(value.substr(1), std::ios::binary);
  if (!in) return make_error(errc::bad_request, "unreadable_file", "cannot read " + value.substr(1));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

result<std::vector<core::issue_document>> load_dataset(const std::string& path, std::size_t& skipped) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files transparently too
  if (!f) return make_error(errc::bad_request, "unreadable_dataset", "cannot open dataset " + path);
  gzbuffer(f, 1 << 20);
  std::vector<core::issue_document> docs;
  std::string pending;
  std::vector<char> buf(1 << 20);
  skipped = 0;
  auto take_line = [&](std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    auto doc = core::parse_issue_json(line);
    if (doc) docs.push_back(std::move(doc.value()));
    else ++skipped;
  };
  for (;;) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      gzclose(f);
      return make_error(errc::bad_request, "corrupt_dataset", "cannot read dataset " + path);
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl = chunk.find('\n'); nl != std::string_view::npos; nl = chunk.find('\n', start)) {
      if (pending.empty()) {
        take_line(chunk.substr(start, nl - start));
      } else {
        pending.append(chunk.substr(start, nl - start));
        take_line(pending);
        pending.clear();
      }
      start = nl + 1;
    }
    pending.append(chunk.substr(start));
  }
  gzclose(f);
  take_line(pending);
  std::stable_sort(docs.begin(), docs.end(), [](const core::issue_document& a, const core::issue_document& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.key < b.key;
  });
  return docs;
}

int run_eval_command(const std::vector<std::string>& args) {
  std::string dataset, options_text;
  std::size_t top = 20;
  bool stats = false, features = false, draft = false, end_view = false, both_ends = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "--dataset") {
      auto v = value();
      if (!v) return usage_error("--dataset needs a file");
      dataset = *v;
    } else if (a == "--top") {
      auto v = value();
      std::size_t n = 0;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ec != std::errc{} || n == 0 || n > 1000)
        return usage_error("--top needs a number from 1 to 1000");
      top = n;
    } else if (a == "--options") {
      auto v = value();
      if (!v) return usage_error("--options needs JSON or @file");
      auto text = inline_or_file(*v);
      if (!text) return usage_error(text.error().message);
      options_text = *text;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--features") {
      features = true;
    } else if (a == "--draft") {
      draft = true;
    } else if (a == "--end-view") {
      end_view = true;
    } else if (a == "--both-ends") {
      both_ends = true;
    } else {
      return usage_error("unknown argument " + a);
    }
  }
  if (dataset.empty()) return usage_error("--dataset FILE is required");
  if (draft && end_view) return usage_error("--draft and --end-view exclude each other (a draft is never indexed)");
  if (both_ends && !end_view) return usage_error("--both-ends needs --end-view (only there is every issue on the others' lists)");
  core::model_options options;
  if (!options_text.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(options_text, ec);
    if (ec) return usage_error("--options is not valid JSON");
    auto o = core::model_options_from_json(v);
    if (!o) return usage_error(o.error().message);
    options = *o;
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::size_t skipped = 0;
  auto docs = load_dataset(dataset, skipped);
  if (!docs) return usage_error(docs.error().message);
  const auto t1 = std::chrono::steady_clock::now();

  core::tokenizer tok;
  core::search_index idx(options);
  core::search_filter filter;
  filter.limit = top;
  std::string out;
  std::size_t lines = 0;
  double query_seconds = 0;
  auto flush = [&](bool force) {
    if (!force && out.size() <= (1 << 16)) return;
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  auto timed_search = [&](auto&& run) {
    const auto qs = std::chrono::steady_clock::now();
    auto hits = run();
    query_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - qs).count();
    return hits;
  };
  auto emit = [&](const std::string& key, const core::query_facts& facts, const std::vector<core::search_hit>& hits,
                  const std::string& query_id) {
    if (hits.empty()) return;
    out += rated_line(idx, key, facts, hits, features, query_id, both_ends);
    ++lines;
    flush(false);
  };
  for (const auto& doc : *docs) {
    core::indexed_document ind = core::make_indexed_document(doc, tok);
    if (!end_view) {
      core::query q;
      if (draft) {  // what the create dialog sends first: the summary alone, as similar_for_draft queries it
        q = core::draft_query(core::analyze_draft(doc.summary, "", tok), doc.project, doc.created_ms);
      } else {
        q.analysis = ind.analysis;
        q.project = doc.project;
        q.components = doc.components;
        q.created_ms = doc.created_ms;
      }
      const core::query_facts facts{doc.project, doc.issue_type,
                                    draft ? std::vector<std::string>{} : doc.components, doc.created_ms};
      emit(doc.key, facts, timed_search([&] { return idx.search(q, filter); }), {});
    }
    idx.put(std::move(ind));
  }
  if (end_view)  // every issue as its panel sees it once the whole dataset is indexed
    for (const auto& doc : *docs)
      if (auto facts = idx.facts_by_id(doc.issue_id))
        emit(doc.key, *facts, timed_search([&] { return idx.search_issue(doc.issue_id, filter); }), doc.issue_id);
  flush(true);
  std::fflush(stdout);
  const auto t2 = std::chrono::steady_clock::now();
  if (stats) {
    auto st = idx.stats();
    std::cerr << "eval: issues=" << docs->size() << " skipped=" << skipped << " lines=" << lines
              << " load_s=" << std::chrono::duration<double>(t1 - t0).count()
              << " replay_s=" << std::chrono::duration<double>(t2 - t1).count() << " query_s=" << query_seconds
              << " terms=" << st.terms << " postings=" << st.postings
              << " bytes_per_issue=" << (idx.size() ? idx.memory_bytes() / idx.size() : 0) << '\n';
  }
  return 0;
}

}  // namespace doppel::tools
