// `doppel bench tenants`: many sites on real PostgreSQL through the store layer (store::index_cache with the serve
// loader and a memory budget), skewed panel traffic; prints RSS and cache size against the budget over time, hit
// rate, warm and cold (reload) latency, and one replica vs two replicas routed round robin or tenant-affine.
#include "app/commands.hpp"

#include "app/config.hpp"
#include "app/services.hpp"
#include "core/index.hpp"
#include "store/bootstrap.hpp"
#include "store/database.hpp"
#include "store/index_store.hpp"
#include "store/tenant_store.hpp"
#include "tools/eval_command.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

namespace doppel::app {
namespace {

using clock_type = std::chrono::steady_clock;

struct bench_options {
  std::string dataset = std::string(DOPPEL_SOURCE_DIR) + "/../shared/datasets/apache-hadoop.jsonl.gz";
  std::size_t small_sites = 2000, small_min = 5, small_max = 60;
  std::vector<std::size_t> large_sites = {20000, 8000, 4000};
  std::vector<std::size_t> large_ranks = {1, 5, 20};  // the large sites' popularity ranks (1 = busiest)
  std::size_t requests = 40000;
  std::size_t budget_mb = 24;
  double zipf = 1.0;
  std::vector<std::string> runs = {"one", "round_robin", "affine"};  // which runs, in order
};

double rss_mb() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  in >> pages_total >> pages_resident;
  return double(pages_resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double mb(std::size_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

bool parse_size(const std::string& s, std::size_t& out) {
  return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc{};
}

bool parse_list(const std::string& s, std::vector<std::size_t>& out) {
  out.clear();
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, ',');) {
    std::size_t n = 0;
    if (!parse_size(part, n) || n == 0) return false;
    out.push_back(n);
  }
  return true;
}

std::string site_id(std::size_t i) { return "bench-site-" + std::to_string(i); }

// Sites in popularity order: site i has rank i + 1; the large ones sit at their configured ranks.
std::vector<std::size_t> site_sizes(const bench_options& o) {
  const std::size_t n = o.small_sites + o.large_sites.size();
  std::vector<std::size_t> sizes(n, 0);
  for (std::size_t k = 0; k < o.large_sites.size(); ++k) sizes[std::min(n, o.large_ranks[k]) - 1] = o.large_sites[k];
  std::mt19937_64 rng(7);
  // Small sites: log-uniform between small_min and small_max issues (most sites are small).
  const double lo = std::log(double(o.small_min)), hi = std::log(double(o.small_max));
  for (auto& s : sizes)
    if (s == 0) s = std::size_t(std::exp(lo + (hi - lo) * double(rng() % 10000) / 10000.0));
  return sizes;
}

// Writes every site through the product's write path (tenant install row, store::upsert_document), unless the
// database already holds them from an earlier run. Issue text: the dataset's issues, each site from its own offset.
void seed(store::database& db, const std::vector<std::size_t>& sizes, const std::vector<core::indexed_document>& base) {
  const bool seeded = db.read([&](store::read_tx& tx) { return store::find_tenant(tx, site_id(sizes.size() - 1)); })
                          .has_value();
  if (seeded) {
    std::printf("bench tenants seed: reused sites=%zu\n", sizes.size());
    return;
  }
  const auto t0 = clock_type::now();
  std::size_t issues = 0;
  for (std::size_t s = 0; s < sizes.size(); ++s) {
    const std::string tenant = site_id(s);
    const std::size_t offset = (s * 7919) % base.size();
    // Short transactions: one that rewrites the same document-frequency rows thousands of times slows down.
    const std::size_t batch = 100;
    for (std::size_t from = 0; from < sizes[s]; from += batch) {
      db.write([&](store::write_tx& tx) {
        if (from == 0)
          store::upsert_forge_install(tx, tenant, "https://api.atlassian.com/ex/jira/" + tenant, tenant,
                                      "https://" + tenant + ".atlassian.net", /*reinstall=*/true);
        for (std::size_t j = from; j < std::min(sizes[s], from + batch); ++j) {
          core::indexed_document d = base[(offset + j) % base.size()];
          d.issue_id = std::to_string(j + 1);
          d.key = "S-" + std::to_string(j + 1);
          d.updated_ms = std::max<std::int64_t>(d.updated_ms, 1);
          store::upsert_document(tx, tenant, d);
        }
        return 0;
      });
    }
    issues += sizes[s];
    if (s % 250 == 0 || s + 1 == sizes.size())
      std::fprintf(stderr, "bench tenants: seeded %zu/%zu sites, %zu issues\n", s + 1, sizes.size(), issues);
  }
  const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("bench tenants seed: sites=%zu issues=%zu seconds=%.1f issues_per_s=%.0f\n", sizes.size(), issues, secs,
              double(issues) / secs);
}

// Zipf(s) over ranks 1..n.
class zipf_sampler {
 public:
  zipf_sampler(std::size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(double(i + 1), s);
    for (auto& c : cdf_) c /= sum;
  }
  template <class Rng>
  std::size_t operator()(Rng& rng) const {
    const double u = double(rng() >> 11) / double(1ULL << 53);
    return std::size_t(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }
  double share_of_top(std::size_t k) const { return k == 0 ? 0 : cdf_[std::min(k, cdf_.size()) - 1]; }

 private:
  std::vector<double> cdf_;
};

// A consistent-hash ring (hashed "replica#vnode" points, 128 per replica): the stand-in for the proxy's
// tenant-affine routing.
class hash_ring {
 public:
  explicit hash_ring(std::size_t replicas) {
    for (std::size_t r = 0; r < replicas; ++r)
      for (int v = 0; v < 128; ++v) ring_.emplace(fnv("replica-" + std::to_string(r) + "#" + std::to_string(v)), r);
  }
  std::size_t route(const std::string& tenant) const {
    auto it = ring_.lower_bound(fnv(tenant));
    return it == ring_.end() ? ring_.begin()->second : it->second;
  }
  // FNV-1a, then MurmurHash3's 64-bit finaliser: plain FNV-1a of ids that differ in their last characters
  // spreads them badly over the ring (1,400 / 603 of these 2,003 sites); the finaliser is what HAProxy's
  // "avalanche" modifier does.
  static std::uint64_t fnv(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
  }

 private:
  std::map<std::uint64_t, std::size_t> ring_;
};

struct latency_set {
  std::vector<double> us;
  void add(double x) { us.push_back(x); }
  double pct(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, std::size_t(double(us.size()) * p))];
  }
};

enum class routing { single, round_robin, tenant_affine };
const char* routing_name(routing r) {
  return r == routing::single ? "one_replica" : r == routing::round_robin ? "round_robin" : "tenant_affine";
}

// One run of the same request sequence over `replicas` caches of budget_mb each. Requests during the first
// quarter warm the caches up and are not counted in the figures.
void run_traffic(store::database& db, const bench_options& o, const std::vector<std::size_t>& sizes, routing how,
                 std::size_t replicas) {
  malloc_trim(0);
  const double rss0 = rss_mb();
  const std::size_t budget = o.budget_mb * 1024 * 1024;
  std::vector<std::unique_ptr<store::index_cache>> caches;
  for (std::size_t r = 0; r < replicas; ++r)
    caches.push_back(std::make_unique<store::index_cache>(index_loader(db), std::chrono::milliseconds(1000), budget));
  const hash_ring ring(replicas);
  const zipf_sampler zipf(sizes.size(), o.zipf);
  std::mt19937_64 rng(2026);
  core::search_filter filter;
  filter.limit = 10;
  latency_set warm, cold;
  std::size_t hits = 0, misses = 0, counted = 0;
  const std::size_t warmup = o.requests / 4;
  double rss_peak = 0;
  std::size_t resident_peak = 0;
  for (std::size_t i = 0; i < o.requests; ++i) {
    const std::size_t site = zipf(rng);
    const std::string tenant = site_id(site);
    const std::string issue = std::to_string(1 + rng() % sizes[site]);
    const std::size_t r = how == routing::tenant_affine ? ring.route(tenant) : i % replicas;
    auto& cache = *caches[r];
    const auto loads0 = cache.stats().loads;
    const auto t0 = clock_type::now();
    auto found = cache.search_issue(tenant, issue, filter);
    const double us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
    const bool was_cold = cache.stats().loads != loads0;
    if (i >= warmup) {
      ++counted;
      (was_cold ? misses : hits) += 1;
      (was_cold ? cold : warm).add(us);
    }
    std::size_t resident = 0;
    for (auto& c : caches) resident += c->stats().resident_bytes;
    resident_peak = std::max(resident_peak, resident);
    if ((i + 1) % (o.requests / 8) == 0) {
      const double rss = rss_mb();
      rss_peak = std::max(rss_peak, rss);
      std::size_t copies = 0;
      for (auto& c : caches) copies += c->stats().copies;
      std::printf("bench tenants timeline: routing=%s replicas=%zu requests=%zu rss_mb=%.1f cache_resident_mb=%.1f "
                  "budget_mb=%.0f copies=%zu\n",
                  routing_name(how), replicas, i + 1, rss, mb(resident), double(o.budget_mb * replicas), copies);
      std::fflush(stdout);
    }
  }
  std::uint64_t evictions = 0;
  for (auto& c : caches) evictions += c->stats().evictions;
  std::printf(
      "bench tenants result: routing=%s replicas=%zu budget_mb_per_replica=%zu measured_requests=%zu hit_rate=%.4f "
      "cold_share=%.4f warm_p50_us=%.0f warm_p99_us=%.0f cold_p50_us=%.0f cold_p99_us=%.0f evictions=%llu "
      "cache_resident_peak_mb=%.1f rss_start_mb=%.1f rss_peak_mb=%.1f\n",
      routing_name(how), replicas, o.budget_mb, counted, double(hits) / double(std::max<std::size_t>(1, counted)),
      double(misses) / double(std::max<std::size_t>(1, counted)), warm.pct(0.5), warm.pct(0.99), cold.pct(0.5),
      cold.pct(0.99), static_cast<unsigned long long>(evictions), mb(resident_peak), rss0, rss_peak);
  std::fflush(stdout);
}

int usage(const std::string& m) {
  std::cerr << "doppel bench tenants: " << m << '\n';
  return 2;
}

}  // namespace

int run_tenants_bench(const std::vector<std::string>& args) {
  bench_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool v = i + 1 < args.size();
    std::size_t n = 0;
    if (a == "--dataset" && v) o.dataset = args[++i];
    else if (a == "--small-sites" && v && parse_size(args[++i], n) && n > 0) o.small_sites = n;
    else if (a == "--small-max" && v && parse_size(args[++i], n) && n >= o.small_min) o.small_max = n;
    else if (a == "--large-sites" && v && parse_list(args[++i], o.large_sites)) continue;
    else if (a == "--large-ranks" && v && parse_list(args[++i], o.large_ranks)) continue;
    else if (a == "--requests" && v && parse_size(args[++i], n) && n >= 8) o.requests = n;
    else if (a == "--budget-mb" && v && parse_size(args[++i], n) && n > 0) o.budget_mb = n;
    else if (a == "--zipf" && v) o.zipf = std::atof(args[++i].c_str());
    else if (a == "--runs" && v) {
      o.runs.clear();
      std::stringstream ss(args[++i]);
      for (std::string part; std::getline(ss, part, ',');) {
        if (part != "one" && part != "round_robin" && part != "affine") return usage("--runs lists one, round_robin, affine");
        o.runs.push_back(part);
      }
    }
    else return usage("unknown, incomplete or bad argument " + a);
  }
  if (o.large_ranks.size() < o.large_sites.size()) return usage("--large-ranks needs a rank for every large site");
  if (!(o.zipf > 0 && o.zipf < 4)) return usage("--zipf must be between 0 and 4");
  auto cfg = load_config(process_env());
  if (!cfg) return usage(cfg.error().message);
  log::set_level(cfg->log_level);
  try {
    std::size_t skipped = 0;
    auto docs = tools::load_dataset(o.dataset, skipped);
    if (!docs || docs->empty()) return usage(docs ? "the dataset holds no issues" : docs.error().message);
    core::tokenizer tok;
    std::vector<core::indexed_document> base;
    for (const auto& d : *docs) base.push_back(core::make_indexed_document(d, tok));
    docs->clear();
    auto handle = store::open_database(cfg->database_url, cfg->data_dir);
    store::migrate_database(handle.conninfo, cfg->migrations_dir, std::chrono::seconds(30));
    store::db_pool pool(handle.conninfo, 2);
    store::database db(pool);
    const auto sizes = site_sizes(o);
    std::size_t total = 0;
    for (auto s : sizes) total += s;
    const zipf_sampler zipf(sizes.size(), o.zipf);
    std::printf("bench tenants sites: small=%zu (%zu-%zu issues) large=%zu issues_total=%zu zipf=%.2f "
                "top10_share=%.3f top100_share=%.3f\n",
                o.small_sites, o.small_min, o.small_max, o.large_sites.size(), total, o.zipf, zipf.share_of_top(10),
                zipf.share_of_top(100));
    seed(db, sizes, base);
    base.clear();
    base.shrink_to_fit();
    for (const auto& run : o.runs) {
      if (run == "one") run_traffic(db, o, sizes, routing::single, 1);
      if (run == "round_robin") run_traffic(db, o, sizes, routing::round_robin, 2);
      if (run == "affine") run_traffic(db, o, sizes, routing::tenant_affine, 2);
    }
    if (handle.embedded) handle.embedded->stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "doppel bench tenants: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace doppel::app
