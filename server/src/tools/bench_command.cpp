// `doppel bench` implementation. Synthetic scale-up: copy k of real issue r keeps r's common terms
// and renames its rare terms (df <= 2 in the real set) with a "~k" suffix, so the vocabulary grows
// with the collection as real vocabularies do; each copy also drops ~15% of its terms and borrows
// ~15% from another random issue, so copies are near neighbours rather than exact duplicates.
#include "tools/bench_command.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include <time.h>

#include "tools/eval_command.hpp"
#include "core/index.hpp"

namespace doppel::tools {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

// CPU time of this thread in microseconds: unlike wall time it excludes time the thread waited
// for a core, so figures stay meaningful on a shared machine.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

int usage_error(const std::string& message) {
  std::cerr << "doppel bench: " << message << '\n';
  return 2;
}

bool parse_count(const std::string& s, std::size_t& out) {
  return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc{} && out > 0;
}

struct percentiles {
  double p50 = 0, p99 = 0, mean = 0;
};

percentiles summarise(std::vector<double> us) {
  percentiles p;
  if (us.empty()) return p;
  std::sort(us.begin(), us.end());
  p.p50 = us[us.size() / 2];
  p.p99 = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  for (double x : us) p.mean += x;
  p.mean /= static_cast<double>(us.size());
  return p;
}

class synthesizer {
 public:
  synthesizer(const std::vector<core::indexed_document>& real, const core::search_index& real_index)
      : real_(real) {
    for (const auto& d : real)
      for (const auto& t : d.analysis.terms) rare_.emplace(t.term, real_index.document_frequency(t.term) <= 2);
  }

  core::indexed_document make(std::size_t i, std::uint64_t variant = 0) const {
    const std::size_t r = i % real_.size(), copy = i / real_.size();
    const auto& base = real_[r];
    core::indexed_document d;
    d.issue_id = "s" + std::to_string(i);
    d.key = base.project + "-S" + std::to_string(i);
    d.project = base.project;
    d.issue_type = base.issue_type;
    d.status = base.status;
    d.components = base.components;
    d.created_ms = base.created_ms + static_cast<std::int64_t>(copy) * 86400000LL * 365 * 14;
    d.updated_ms = d.created_ms + static_cast<std::int64_t>(variant);
    d.analysis.lengths = base.analysis.lengths;
    std::mt19937_64 rng(i * 7919 + variant);
    std::map<std::string, core::field_tf> terms;
    auto add = [&](const core::term_freq& t) {
      std::string text = t.term;
      if (copy > 0 && rare_.at(t.term)) text += "~" + std::to_string(copy);
      terms.emplace(std::move(text), t.tf);
    };
    if (copy == 0 && variant == 0) return real_with_id(base, d);
    for (const auto& t : base.analysis.terms)
      if (rng() % 100 >= 15) add(t);
    const auto& other = real_[rng() % real_.size()];
    for (const auto& t : other.analysis.terms)
      if (rng() % 100 < 15) add(t);
    for (auto& [text, tf] : terms) d.analysis.terms.push_back({text, tf});
    return d;
  }

 private:
  static core::indexed_document real_with_id(const core::indexed_document& base, core::indexed_document d) {
    d.analysis = base.analysis;
    return d;
  }
  const std::vector<core::indexed_document>& real_;
  std::unordered_map<std::string, bool> rare_;
};

}  // namespace

int run_bench_command(const std::vector<std::string>& args) {
  std::string dataset = std::string(DOPPEL_SOURCE_DIR) + "/../shared/datasets/apache-hadoop.jsonl.gz";
  std::vector<std::size_t> sizes = {20000, 100000, 500000};
  std::size_t queries = 1000, updates = 500, scan_repeats = 3;
  bool scan = true;
  core::model_options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--dataset" && has_value) {
      dataset = args[++i];
    } else if (a == "--sizes" && has_value) {
      sizes.clear();
      std::stringstream ss(args[++i]);
      for (std::string part; std::getline(ss, part, ',');) {
        std::size_t n = 0;
        if (!parse_count(part, n)) return usage_error("--sizes needs positive numbers separated by commas");
        sizes.push_back(n);
      }
      std::sort(sizes.begin(), sizes.end());
    } else if (a == "--queries" && has_value) {
      if (!parse_count(args[++i], queries)) return usage_error("--queries needs a positive number");
    } else if (a == "--updates" && has_value) {
      if (!parse_count(args[++i], updates)) return usage_error("--updates needs a positive number");
    } else if (a == "--no-scan") {
      scan = false;
    } else if (a == "--scan-repeats" && has_value) {
      if (!parse_count(args[++i], scan_repeats)) return usage_error("--scan-repeats needs a positive number");
    } else if (a == "--options" && has_value) {
      auto text = inline_or_file(args[++i]);
      if (!text) return usage_error(text.error().message);
      boost::system::error_code ec;
      auto v = boost::json::parse(*text, ec);
      if (ec) return usage_error("--options is not valid JSON");
      auto o = core::model_options_from_json(v);
      if (!o) return usage_error(o.error().message);
      options = *o;
    } else {
      return usage_error("unknown or incomplete argument " + a);
    }
  }

  // 1. Load and parse.
  auto t0 = clock_type::now();
  std::size_t skipped = 0;
  auto docs = load_dataset(dataset, skipped);
  if (!docs) return usage_error(docs.error().message);
  const double load_s = seconds_since(t0);
  std::printf("bench load: issues=%zu skipped=%zu seconds=%.3f\n", docs->size(), skipped, load_s);

  // 2. Replay exactly as `doppel eval` does: analyse, query top-20 of earlier issues, index.
  core::tokenizer tok;
  core::search_index idx(options);
  std::vector<core::indexed_document> real;
  real.reserve(docs->size());
  core::search_filter top20;
  top20.limit = 20;
  double analyse_s = 0, query_s = 0, put_s = 0;
  t0 = clock_type::now();
  const double replay_cpu0 = thread_cpu_us();
  for (const auto& d : *docs) {
    auto ta = clock_type::now();
    auto ind = core::make_indexed_document(d, tok);
    analyse_s += seconds_since(ta);
    core::query q{ind.analysis, d.project, d.components, d.created_ms};
    auto tq = clock_type::now();
    auto hits = idx.search(q, top20);
    query_s += seconds_since(tq);
    auto tp = clock_type::now();
    idx.put(ind);
    put_s += seconds_since(tp);
    real.push_back(std::move(ind));
  }
  const double replay_s = seconds_since(t0);
  const double replay_cpu_s = (thread_cpu_us() - replay_cpu0) / 1e6;
  std::printf(
      "bench replay: issues=%zu seconds=%.3f cpu_seconds=%.3f issues_per_s=%.0f analyse_s=%.3f query_s=%.3f "
      "index_s=%.3f (plus load %.3f)\n",
      real.size(), replay_s, replay_cpu_s, real.size() / replay_s, analyse_s, query_s, put_s, load_s);
  std::printf("bench memory: issues=%zu index_bytes=%zu bytes_per_issue=%.0f\n", idx.size(), idx.memory_bytes(),
              static_cast<double>(idx.memory_bytes()) / std::max<std::size_t>(1, idx.size()));

  // 3. Full-backlog scan: top-20 for every issue against the whole index (itself excluded), as the
  // background rescan runs it (search_filter::full_scan: a pool of scan_candidate_pool), then with the
  // pool of the searches a person waits for (candidate_pool), for comparison. Each is repeated; the
  // fastest pass is the figure (on a shared machine the others measure the neighbours too).
  if (scan) {
    t0 = clock_type::now();
    idx.renumber_terms();  // as after loading
    std::printf("bench renumber: seconds=%.3f\n", seconds_since(t0));
    for (const bool full_scan : {true, false}) {
      core::search_filter filter = top20;
      filter.full_scan = full_scan;
      std::vector<double> wall, cpu;
      std::size_t with_hits = 0;
      for (std::size_t r = 0; r < scan_repeats; ++r) {
        t0 = clock_type::now();
        const double scan_cpu0 = thread_cpu_us();
        with_hits = 0;
        for (const auto& d : real) with_hits += !idx.search_issue(d.issue_id, filter).empty();
        wall.push_back(seconds_since(t0));
        cpu.push_back((thread_cpu_us() - scan_cpu0) / 1e6);
      }
      std::sort(wall.begin(), wall.end());
      std::sort(cpu.begin(), cpu.end());
      std::printf(
          "bench %s: issues=%zu pool=%d seconds=%.3f cpu_seconds=%.3f per_issue_us=%.1f issues_with_candidates=%zu "
          "passes=%zu median_cpu_seconds=%.3f\n",
          full_scan ? "scan" : "scan_interactive_pool", real.size(),
          full_scan ? options.scan_candidate_pool : options.candidate_pool, wall[0], cpu[0], wall[0] * 1e6 / real.size(),
          with_hits, cpu.size(), cpu[cpu.size() / 2]);
    }
  }

  // 4. Synthetic scale-up: query latency, update cost and memory at each size.
  if (real.empty()) return 0;
  synthesizer synth(real, idx);
  core::search_index big(options);
  std::mt19937_64 rng(42);
  std::size_t next = 0;
  for (std::size_t size : sizes) {
    t0 = clock_type::now();
    while (next < size) big.put(synth.make(next++));
    const double build_s = seconds_since(t0);
    std::vector<double> q_us, q_cpu_us, u_us, d_us;
    for (std::size_t k = 0; k < queries; ++k) {
      auto probe = synth.make(rng() % size, 1 + k);  // a near neighbour of an indexed issue, as a draft
      core::query q{std::move(probe.analysis), probe.project, probe.components, probe.created_ms};
      const double cpu0 = thread_cpu_us();
      auto tq = clock_type::now();
      auto hits = big.search(q, top20);
      q_us.push_back(seconds_since(tq) * 1e6);
      q_cpu_us.push_back(thread_cpu_us() - cpu0);
    }
    for (std::size_t k = 0; k < updates; ++k) {
      const std::size_t victim = rng() % size;
      auto changed = synth.make(victim, 1000 + k);
      auto tu = clock_type::now();
      big.put(std::move(changed));  // old terms out, new terms in
      u_us.push_back(seconds_since(tu) * 1e6);
      auto td = clock_type::now();
      big.remove("s" + std::to_string(victim));
      d_us.push_back(seconds_since(td) * 1e6);
      big.put(synth.make(victim));
    }
    const auto q = summarise(q_us), qc = summarise(q_cpu_us), u = summarise(u_us), d = summarise(d_us);
    std::printf(
        "bench scale: issues=%zu build_s=%.2f query_p50_us=%.0f query_p99_us=%.0f query_mean_us=%.0f "
        "query_cpu_p50_us=%.0f query_cpu_p99_us=%.0f update_p50_us=%.0f update_p99_us=%.0f delete_p50_us=%.0f "
        "bytes_per_issue=%.0f terms=%zu\n",
        big.size(), build_s, q.p50, q.p99, q.mean, qc.p50, qc.p99, u.p50, u.p99, d.p50,
        static_cast<double>(big.memory_bytes()) / big.size(), big.stats().terms);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace doppel::tools
