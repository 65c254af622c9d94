// Index scoring in closed form, ranking order, filters, and incremental == rebuilt.
#include "core/index.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

using namespace doppel::core;

namespace {

indexed_document doc(std::string id, std::string project, std::vector<term_freq> terms, field_lengths len) {
  indexed_document d;
  d.issue_id = id;
  d.key = project + "-" + id;
  d.project = std::move(project);
  d.issue_type = "Bug";
  d.status = "Open";
  std::sort(terms.begin(), terms.end(), [](const term_freq& a, const term_freq& b) { return a.term < b.term; });
  d.analysis.terms = std::move(terms);
  d.analysis.lengths = len;
  return d;
}

// The closed-form tests below spell out these constants (not the defaults, which are tuned: docs/engine.md).
model_options no_priors() {
  model_options o;
  o.field_weights = {3.0, 1.0, 0.5, 0.5};
  o.k1 = 1.2;
  o.field_b = {0.5, 0.75, 0.75, 0.0};
  o.idf_power = 2.0;
  o.same_project_boost = 0;
  o.same_component_boost = 0;
  o.recency_boost = 0;
  return o;
}

// Two documents whose average field lengths are exactly 1 (so quantisation is exact).
void fill_fixture(search_index& idx) {
  idx.put(doc("1", "P", {{"alpha", {1, 0, 0, 0}}, {"gamma", {1, 0, 0, 0}}}, {2, 0, 0, 0}));
  idx.put(doc("2", "Q", {{"alpha", {0, 1, 0, 0}}, {"beta", {0, 1, 0, 0}}}, {0, 2, 0, 0}));
}

query fixture_query() {
  query q;
  q.analysis.terms = {{"alpha", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}};
  q.analysis.lengths = {2, 0, 0, 0};
  q.project = "P";
  return q;
}

// Ten documents tied on "x" (same summary), inserted out of id order (slot order is not id order);
// "c" (in the description, same length) is stronger the higher the id, so exact scoring ranks 9, 8,
// 7, 6 first. Twenty more documents make "c" common, so with a posting budget of 1 only "x" is
// accumulated and "c" rescores the pool.
void fill_tie_fixture(search_index& idx) {
  for (int id : {7, 3, 9, 1, 5, 0, 8, 2, 6, 4}) {
    auto c_tf = static_cast<std::uint8_t>(1 + id);
    idx.put(doc(std::to_string(id), "P", {{"x", {1, 0, 0, 0}}, {"c", {0, c_tf, 0, 0}}}, {1, 10, 0, 0}));
  }
  for (int i = 0; i < 20; ++i)
    idx.put(doc("f" + std::to_string(i), "P", {{"c", {0, 1, 0, 0}}, {"y", {1, 0, 0, 0}}}, {1, 10, 0, 0}));
}

query tie_query() {
  query q;
  q.analysis.terms = {{"c", {0, 1, 0, 0}}, {"x", {1, 0, 0, 0}}};
  q.analysis.lengths = {1, 1, 0, 0};
  return q;
}

std::vector<std::string> ids_of(const std::vector<search_hit>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.issue_id);
  return ids;
}

}  // namespace

TEST_CASE("bm25 score equals the documented formula") {
  search_index idx(no_priors());
  fill_fixture(idx);
  const double k1 = 1.2, ws = 3, wd = 1, bs = 0.5, bd = 0.75;
  const double idf_alpha = std::log(3.0 / 3.0) + 1, idf_beta = std::log(3.0 / 2.0) + 1;
  const double qw = 1 + std::log(ws * 1);  // sub(w_s · tf)
  auto sat = [&](double x) { return x * (k1 + 1) / (x + k1); };
  const double x_a = ws * 1 / (1 - bs + bs * 2 / 1.0);  // doc 1, summary length 2, avg 1
  const double x_b = wd * 1 / (1 - bd + bd * 2 / 1.0);  // doc 2, description length 2, avg 1
  const double raw1 = qw * idf_alpha * idf_alpha * sat(x_a);
  const double raw2 = qw * idf_alpha * idf_alpha * sat(x_b) + qw * idf_beta * idf_beta * sat(x_b);
  const double self = qw * idf_alpha * idf_alpha * sat(x_a) + qw * idf_beta * idf_beta * sat(x_a);

  auto hits = idx.search(fixture_query(), {});
  REQUIRE(hits.size() == 2);
  const auto& h1 = hits[0].issue_id == "1" ? hits[0] : hits[1];
  const auto& h2 = hits[0].issue_id == "2" ? hits[0] : hits[1];
  CHECK(h1.score == doctest::Approx(raw1 / self).epsilon(1e-5));
  CHECK(h2.score == doctest::Approx(raw2 / self).epsilon(1e-5));
  CHECK(hits[0].score >= hits[1].score);
  // Explanations: doc 2 matched beta (rarer) more strongly than alpha.
  REQUIRE(h2.terms.size() == 2);
  CHECK(h2.terms[0].term == "beta");
  CHECK(h2.terms[0].weight == doctest::Approx(qw * idf_beta * idf_beta * sat(x_b) / self).epsilon(1e-5));
  CHECK(h2.terms[1].term == "alpha");
}

TEST_CASE("query terms the index lacks count in the self score (new words do not inflate scores)") {
  search_index idx(no_priors());
  fill_fixture(idx);
  const double k1 = 1.2, ws = 3, bs = 0.5;
  const double idf_alpha = std::log(3.0 / 3.0) + 1, idf_beta = std::log(3.0 / 2.0) + 1;
  const double idf_new = std::log(4.0 / 2.0) + 1;  // df 1 among N + 1 = 3 documents
  const double qw = 1 + std::log(ws * 1);
  auto sat = [&](double x) { return x * (k1 + 1) / (x + k1); };
  const double x_a = ws * 1 / (1 - bs + bs * 2 / 1.0);
  const double raw1 = qw * idf_alpha * idf_alpha * sat(x_a);
  const double self_known = qw * (idf_alpha * idf_alpha + idf_beta * idf_beta) * sat(x_a);
  const double self = self_known + qw * idf_new * idf_new * sat(x_a);

  query q = fixture_query();
  q.analysis.terms.push_back({"zyxquor", {1, 0, 0, 0}});  // no document has it
  auto hits = idx.search(q, {});
  REQUIRE(hits.size() == 2);
  const auto& h1 = hits[0].issue_id == "1" ? hits[0] : hits[1];
  CHECK(h1.score == doctest::Approx(raw1 / self).epsilon(1e-5));
  // Without the new word the same document scores higher: only the shared terms normalise.
  auto plain = idx.search(fixture_query(), {});
  for (const auto& h : plain)
    if (h.issue_id == "1") CHECK(h.score == doctest::Approx(raw1 / self_known).epsilon(1e-5));

  // A query sharing one common term and otherwise all new words stays well below an identical copy's 1.
  query mostly_new;
  mostly_new.analysis.terms = {{"alpha", {1, 0, 0, 0}}, {"glonk", {1, 0, 0, 0}}, {"prazzle", {1, 0, 0, 0}},
                               {"vlimbert", {1, 0, 0, 0}}};
  mostly_new.analysis.lengths = {2, 0, 0, 0};
  for (const auto& h : idx.search(mostly_new, {})) CHECK(h.score < 0.2);
  search_filter threshold;
  threshold.threshold = 0.3;
  CHECK(idx.search(mostly_new, threshold).empty());
}

TEST_CASE("cosine mode equals sublinear tf-idf over the tf-vector norm") {
  model_options o = no_priors();
  o.bm25 = false;
  search_index idx(o);
  fill_fixture(idx);
  const double ws = 3, wd = 1;
  auto sub = [](double x) { return x >= 1 ? 1 + std::log(x) : x; };
  const double idf_alpha = 1, idf_beta = std::log(1.5) + 1;
  const double qw = sub(ws);
  const double norm1 = std::sqrt(2 * sub(ws) * sub(ws)), norm2 = std::sqrt(2 * sub(wd) * sub(wd));
  const double qnorm = std::sqrt(2 * sub(ws) * sub(ws));
  const double raw1 = qw * idf_alpha * idf_alpha * sub(ws) / norm1;
  const double raw2 = qw * idf_alpha * idf_alpha * sub(wd) / norm2 + qw * idf_beta * idf_beta * sub(wd) / norm2;
  const double self = qw * (idf_alpha * idf_alpha + idf_beta * idf_beta) * sub(ws) / qnorm;
  auto hits = idx.search(fixture_query(), {});
  REQUIRE(hits.size() == 2);
  for (const auto& h : hits) CHECK(h.score == doctest::Approx((h.issue_id == "1" ? raw1 : raw2) / self).epsilon(1e-5));
}

TEST_CASE("priors multiply the normalised score") {
  model_options o = no_priors();
  search_index plain(o);
  fill_fixture(plain);
  o.same_project_boost = 0.5;
  search_index boosted(o);
  fill_fixture(boosted);
  auto a = plain.search(fixture_query(), {});
  auto b = boosted.search(fixture_query(), {});
  auto score = [](const std::vector<search_hit>& hs, const char* id) {
    for (const auto& h : hs)
      if (h.issue_id == id) return h.score;
    return -1.0;
  };
  CHECK(score(b, "1") == doctest::Approx(score(a, "1") * 1.5));  // same project P
  CHECK(score(b, "2") == doctest::Approx(score(a, "2")));
}


TEST_CASE("the component prior needs a shared component, also when component ids share a summary bit") {
  model_options o = no_priors();
  o.same_component_boost = 0.25;
  search_index idx(o);
  // 33 components interned in order: "c0" and "c32" get ids 32 apart, so their summary bits collide.
  for (int i = 0; i <= 32; ++i) {
    auto d = doc("x" + std::to_string(i), "P", {{"filler" + std::to_string(i), {1, 0, 0, 0}}}, {1, 0, 0, 0});
    d.components = {"c" + std::to_string(i)};
    idx.put(d);
  }
  auto shared = doc("1", "P", {{"alpha", {1, 0, 0, 0}}, {"gamma", {1, 0, 0, 0}}}, {2, 0, 0, 0});
  shared.components = {"c32"};
  auto colliding = doc("2", "P", {{"alpha", {1, 0, 0, 0}}, {"gamma", {1, 0, 0, 0}}}, {2, 0, 0, 0});
  colliding.components = {"c0"};
  idx.put(shared);
  idx.put(colliding);
  query q = fixture_query();
  q.components = {"c32"};
  auto hits = idx.search(q, {});
  REQUIRE(hits.size() == 2);
  const auto& h1 = hits[0].issue_id == "1" ? hits[0] : hits[1];
  const auto& h2 = hits[0].issue_id == "2" ? hits[0] : hits[1];
  CHECK(h1.issue_id == "1");
  CHECK(h2.issue_id == "2");
  CHECK(h1.score == doctest::Approx(h2.score * 1.25));  // same text; only "1" shares component c32
  q.components = {};
  hits = idx.search(q, {});
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].score == doctest::Approx(hits[1].score));  // no query component: no boost for either
}
TEST_CASE("an identical document scores 1 and ranks first, filters, exclusions, threshold, limit") {
  tokenizer tok;
  search_index idx(no_priors());
  auto add = [&](const char* id, const char* project, const char* type, const char* status, const char* summary,
                 const char* description) {
    issue_document d;
    d.issue_id = id;
    d.key = std::string(project) + "-" + id;
    d.project = project;
    d.issue_type = type;
    d.status = status;
    d.summary = summary;
    d.description = description;
    idx.put(make_indexed_document(d, tok));
  };
  add("1", "HDFS", "Bug", "Open", "NameNode crashes on startup with NullPointerException", "FSImage load fails");
  add("2", "HDFS", "Bug", "Closed", "DataNode volume failure is not reported", "disk errors ignored");
  add("3", "YARN", "Task", "Open", "NameNode startup is slow", "loading the edit log takes minutes");
  add("4", "YARN", "Bug", "Open", "Add metrics for the ResourceManager scheduler", "queue metrics");

  query q;
  q.analysis = analyze_draft("NameNode crashes on startup with NullPointerException", "FSImage load fails", tok);
  auto hits = idx.search(q, {});
  REQUIRE(hits.size() >= 2);
  CHECK(hits[0].issue_id == "1");
  CHECK(hits[0].score == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(hits[1].issue_id == "3");
  CHECK_FALSE(hits[0].terms.empty());

  auto by_issue = idx.search_issue("1", {});
  REQUIRE_FALSE(by_issue.empty());
  CHECK(by_issue[0].issue_id == "3");
  for (const auto& h : by_issue) CHECK(h.issue_id != "1");

  search_filter f;
  f.projects = {"YARN"};
  for (const auto& h : idx.search(q, f)) CHECK((h.issue_id == "3" || h.issue_id == "4"));
  f = {};
  f.issue_types = {"Task"};
  auto t = idx.search(q, f);
  REQUIRE(t.size() == 1);
  CHECK(t[0].issue_id == "3");
  f = {};
  f.statuses = {"Closed"};
  for (const auto& h : idx.search(q, f)) CHECK(h.issue_id == "2");
  f = {};
  f.exclude_issue_ids = {"1"};
  CHECK(idx.search(q, f)[0].issue_id == "3");
  f = {};
  f.limit = 1;
  CHECK(idx.search(q, f).size() == 1);
  f = {};
  f.threshold = 0.99;
  auto strict = idx.search(q, f);
  REQUIRE(strict.size() == 1);
  CHECK(strict[0].issue_id == "1");
  CHECK(idx.search_issue("missing", {}).empty());
}

TEST_CASE("incremental index equals an index rebuilt from the surviving documents, also after renumbering terms") {
  std::mt19937 rng(12345);
  const std::vector<std::string> words = {"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta",
                                          "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"};
  auto random_doc = [&](int id) {
    std::vector<term_freq> terms;
    field_lengths len{};
    for (const auto& w : words) {
      if (rng() % 3) continue;
      field_tf tf{};
      for (std::size_t f = 0; f < field_count; ++f) {
        tf[f] = static_cast<std::uint8_t>(rng() % 3);
        len[f] = static_cast<std::uint16_t>(len[f] + tf[f]);
      }
      if (tf == field_tf{}) tf[1] = 1, ++len[1];
      terms.push_back({w, tf});
    }
    auto d = doc(std::to_string(id), rng() % 2 ? "P" : "Q", terms, len);
    d.created_ms = static_cast<std::int64_t>(rng() % 1000000) * 1000;
    return d;
  };
  model_options budgeted;  // tiny posting budget: exercises the candidate-pool rescoring path
  budgeted.posting_budget = 20;
  budgeted.candidate_pool = 5;
  for (int round = 0; round < 6; ++round) {
    search_index inc(round % 2 ? budgeted : model_options{});
    std::map<int, indexed_document> live;
    for (int step = 0; step < 400; ++step) {
      if (round >= 2 && step == 200) inc.renumber_terms();  // later changes then work on the renumbered index
      int id = static_cast<int>(rng() % 60);
      int op = static_cast<int>(rng() % 10);
      if (op < 6) {
        auto d = random_doc(id);
        live[id] = d;
        inc.put(d);
      } else if (op < 9) {
        CHECK(inc.remove(std::to_string(id)) == (live.erase(id) == 1));
      } else {
        const std::string p = rng() % 2 ? "P" : "Q";
        std::size_t n = 0;
        for (auto it = live.begin(); it != live.end();) {
          if (it->second.project == p) {
            it = live.erase(it);
            ++n;
          } else {
            ++it;
          }
        }
        CHECK(inc.remove_project(p) == n);
      }
    }
    if (round >= 4) inc.renumber_terms();  // compared right after renumbering, too
    std::vector<indexed_document> docs;
    for (auto& [id, d] : live) docs.push_back(d);
    std::shuffle(docs.begin(), docs.end(), rng);
    search_index rebuilt(inc.options());
    for (auto& d : docs) rebuilt.put(d);
    CHECK(inc.canonical_dump() == rebuilt.canonical_dump());
    CHECK(inc.size() == live.size());
    for (auto& [id, d] : live) {
      auto a = inc.search_issue(d.issue_id, {});
      auto b = rebuilt.search_issue(d.issue_id, {});
      REQUIRE(a.size() == b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].issue_id == b[i].issue_id);
        CHECK(a[i].score == b[i].score);
        REQUIRE(a[i].terms.size() == b[i].terms.size());
        for (std::size_t t = 0; t < a[i].terms.size(); ++t) {
          CHECK(a[i].terms[t].term == b[i].terms[t].term);
          CHECK(a[i].terms[t].weight == b[i].terms[t].weight);
        }
      }
      CHECK(inc.document_by_id(d.issue_id) == d);
    }
  }
}

TEST_CASE("document lookups by id and key, removal frees terms") {
  search_index idx;
  fill_fixture(idx);
  CHECK(idx.document_by_key("P-1")->issue_id == "1");
  CHECK(idx.document_by_id("2")->key == "Q-2");
  CHECK_FALSE(idx.document_by_key("nope").has_value());
  CHECK(idx.document_frequency("alpha") == 2);
  CHECK(idx.remove("1"));
  CHECK_FALSE(idx.remove("1"));
  CHECK(idx.document_frequency("alpha") == 1);
  CHECK(idx.document_frequency("gamma") == 0);
  CHECK(idx.stats().terms == 2);
  CHECK_FALSE(idx.document_by_key("P-1").has_value());
}

TEST_CASE("hits carry the candidate's creation time (the rescan orders pairs by it)") {
  search_index idx;
  auto older = doc("1", "P", {{"alpha", {1, 0, 0, 0}}}, {1, 0, 0, 0});
  older.created_ms = 1000;
  auto newer = doc("2", "P", {{"alpha", {1, 0, 0, 0}}}, {1, 0, 0, 0});
  newer.created_ms = 5000;
  idx.put(older);
  idx.put(newer);
  auto hits = idx.search_issue("2", {});
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].issue_id == "1");
  CHECK(hits[0].created_ms == 1000);
  hits = idx.search_issue("1", {});
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].created_ms == 5000);
}

TEST_CASE("posting budget: the candidate pool keeps the clear duplicate on top") {
  tokenizer tok;
  model_options tight;
  tight.posting_budget = 5;
  tight.candidate_pool = 3;
  search_index exact(no_priors()), pooled(tight);
  auto add = [&](int i, const std::string& summary) {
    issue_document d;
    d.issue_id = std::to_string(i);
    d.key = "P-" + d.issue_id;
    d.project = "P";
    d.summary = summary;
    d.description = "common words in every issue of this project";
    exact.put(make_indexed_document(d, tok));
    pooled.put(make_indexed_document(d, tok));
  };
  for (int i = 0; i < 30; ++i) add(i, "unrelated topic number " + std::string(1, static_cast<char>('a' + i % 26)) + "x");
  add(100, "Balancer throws ConcurrentModificationException during rebalance");
  query q;
  q.analysis = analyze_draft("ConcurrentModificationException in balancer rebalance", "common words", tok);
  auto a = exact.search(q, {});
  auto b = pooled.search(q, {});
  REQUIRE_FALSE(a.empty());
  REQUIRE_FALSE(b.empty());
  CHECK(a[0].issue_id == "100");
  CHECK(b[0].issue_id == "100");
  CHECK(b.size() <= 20);
}

TEST_CASE("candidate pool: documents tied at the pool boundary enter it in issue id order") {
  model_options o = no_priors();
  o.posting_budget = 1;  // only the strongest term ("x") is accumulated; "c" rescores the pool
  o.candidate_pool = 4;
  search_index idx(o);
  fill_tie_fixture(idx);
  search_filter top4;
  top4.limit = 4;
  // The pool holds the four lowest ids of the tie; rescoring with "c" then orders them.
  CHECK(ids_of(idx.search(tie_query(), top4)) == std::vector<std::string>{"3", "2", "1", "0"});
  o.posting_budget = 1000;  // everything accumulated: exact scoring
  search_index exact(o);
  fill_tie_fixture(exact);
  CHECK(ids_of(exact.search(tie_query(), top4)) == std::vector<std::string>{"9", "8", "7", "6"});
}

TEST_CASE("a full scan rescores a pool of scan_candidate_pool, other searches one of candidate_pool") {
  model_options o = no_priors();
  o.posting_budget = 1;
  o.candidate_pool = 10;
  o.scan_candidate_pool = 4;
  search_index idx(o);
  fill_tie_fixture(idx);
  search_filter top4;
  top4.limit = 4;
  CHECK(ids_of(idx.search(tie_query(), top4)) == std::vector<std::string>{"9", "8", "7", "6"});  // the pool holds the whole tie
  top4.full_scan = true;
  CHECK(ids_of(idx.search(tie_query(), top4)) == std::vector<std::string>{"3", "2", "1", "0"});  // four of the tie, in issue id order
}

TEST_CASE("explanations: the explain_terms strongest matching terms, strongest first, ties by term text") {
  search_index idx(no_priors());
  std::vector<term_freq> shared;
  for (const char* t : {"fox", "bravo", "echo", "alpha", "delta", "charlie", "zulu"}) shared.push_back({t, {1, 0, 0, 0}});
  idx.put(doc("1", "P", shared, {7, 0, 0, 0}));
  idx.put(doc("2", "P", {{"other", {1, 0, 0, 0}}}, {1, 0, 0, 0}));
  query q;
  q.analysis.terms = shared;
  for (auto& t : q.analysis.terms)
    if (t.term == "zulu") t.tf = {3, 0, 0, 0};  // larger query weight: the strongest term
  q.analysis.lengths = {9, 0, 0, 0};
  auto hits = idx.search(q, {});
  REQUIRE(hits.size() == 1);
  REQUIRE(hits[0].terms.size() == 5);
  const std::vector<std::string> expected = {"zulu", "alpha", "bravo", "charlie", "delta"};
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(hits[0].terms[i].term == expected[i]);
  CHECK(hits[0].terms[0].weight > hits[0].terms[1].weight);
  for (std::size_t i = 2; i < expected.size(); ++i) CHECK(hits[0].terms[i].weight == hits[0].terms[1].weight);
}

TEST_CASE("a draft query is dated now: of two equal candidates the recent one ranks first") {
  search_index idx;  // default priors: recency on
  constexpr std::int64_t day = 86400000;
  auto old_doc = doc("1", "P", {{"alpha", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}}, {2, 0, 0, 0});
  auto new_doc = doc("2", "P", {{"alpha", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}}, {2, 0, 0, 0});
  old_doc.created_ms = 1000 * day;
  new_doc.created_ms = 3000 * day;
  idx.put(old_doc);
  idx.put(new_doc);
  analyzed_document text;
  text.terms = {{"alpha", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}};
  text.lengths = {2, 0, 0, 0};
  const query q = draft_query(text, "P", 3001 * day);
  CHECK(q.created_ms == 3001 * day);
  CHECK(q.components.empty());
  const auto hits = idx.search(q, {});
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].issue_id == "2");
  CHECK(hits[0].score > hits[1].score);
  // undated (as drafts were before), the two tie and the smaller issue id comes first
  query undated = q;
  undated.created_ms = 0;
  const auto tied = idx.search(undated, {});
  REQUIRE(tied.size() == 2);
  CHECK(tied[0].score == tied[1].score);
  CHECK(tied[0].issue_id == "1");
}

TEST_CASE("a draft query is scored with the draft options, an issue query with the others") {
  model_options o = no_priors();
  o.idf_power = 2.0;
  o.bigram_weight = 0.5;
  o.draft_idf_power = 1.25;
  o.draft_bigram_weight = 0.25;
  model_options as_draft = o;  // the same index scored with the draft values as its own
  as_draft.idf_power = 1.25;
  as_draft.bigram_weight = 0.25;
  search_index idx(o), reference(as_draft), plain(o);
  for (auto* i : {&idx, &reference, &plain}) {
    i->put(doc("1", "P", {{"alpha", {1, 0, 0, 0}}, {"alpha beta", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}}, {2, 3, 0, 0}));
    i->put(doc("2", "P", {{"alpha", {0, 2, 0, 0}}, {"gamma", {1, 0, 0, 0}}}, {1, 4, 0, 0}));
    i->put(doc("3", "Q", {{"beta", {1, 1, 0, 0}}, {"gamma", {0, 1, 0, 0}}}, {1, 2, 0, 0}));
  }
  analyzed_document text;
  text.terms = {{"alpha", {1, 0, 0, 0}}, {"alpha beta", {1, 0, 0, 0}}, {"beta", {1, 0, 0, 0}}, {"gamma", {1, 0, 0, 0}}};
  text.lengths = {3, 0, 0, 0};
  query draft = draft_query(text, "P", 0);
  query issue = draft;
  issue.draft = false;
  const auto d = idx.search(draft, {}), r = reference.search(issue, {}), i = plain.search(issue, {});
  REQUIRE(d.size() == 3);
  REQUIRE(r.size() == 3);
  REQUIRE(i.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(d[k].issue_id == r[k].issue_id);
    CHECK(d[k].score == doctest::Approx(r[k].score));
  }
  CHECK(std::abs(d[0].score - i[0].score) + std::abs(d[1].score - i[1].score) > 1e-3);  // the options matter here
}
