// Index cache memory budget: least-recently-used eviction of whole copies, the budget kept, reloads equal to the
// evicted copy, an oversized copy served alone, eviction racing searches and changes.
#include "store/index_cache.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace doppel;

namespace {

core::indexed_document doc(const std::string& id, const std::vector<std::string>& words) {
  core::indexed_document d;
  d.issue_id = id;
  d.key = "P-" + id;
  d.project = "P";
  d.issue_type = "Bug";
  d.status = "Open";
  d.created_ms = 1000;
  std::map<std::string, core::field_tf> tf;
  for (const auto& w : words) ++tf[w][0];
  for (auto& [term, f] : tf) d.analysis.terms.push_back({term, f});
  d.analysis.lengths = {static_cast<std::uint16_t>(words.size()), 0, 0, 0};
  return d;
}

// The source of truth the copies are loaded from: documents and generation per tenant (PostgreSQL's role).
class fake_source {
 public:
  // `issues` documents for the tenant, each with words drawn from a small vocabulary (deterministic per tenant).
  void fill(const std::string& tenant, int issues) {
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(tenant)));
    static const std::vector<std::string> vocabulary = {"namenode", "datanode", "crash", "block", "replica",
                                                         "timeout", "quota", "snapshot", "balancer", "journal"};
    std::lock_guard lock(mutex_);
    auto& t = tenants_[tenant];
    for (int i = 0; i < issues; ++i) {
      std::vector<std::string> words;
      for (int k = 0; k < 6; ++k) words.push_back(vocabulary[rng() % vocabulary.size()]);
      words.push_back(tenant + "_" + std::to_string(i % 7));
      t.docs[std::to_string(i)] = doc(std::to_string(i), words);
    }
  }
  // A committed write: the source changes and the change a writer would hand to index_cache::apply is returned.
  store::index_change put(const std::string& tenant, core::indexed_document d) {
    std::lock_guard lock(mutex_);
    auto& t = tenants_[tenant];
    t.docs[d.issue_id] = d;
    store::index_change c;
    c.what = store::index_change::kind::put;
    c.document = std::move(d);
    c.generation = ++t.generation;
    return c;
  }
  store::index_cache::loader_fn loader() {
    return [this](const std::string& tenant, std::int64_t& generation) {
      ++loads;
      std::lock_guard lock(mutex_);
      core::search_index idx;
      auto& t = tenants_[tenant];
      for (const auto& [id, d] : t.docs) idx.put(d);
      generation = t.generation;
      return idx;
    };
  }
  std::size_t bytes_of(const std::string& tenant) { return loader()(tenant, scratch_generation_).memory_bytes(); }
  std::atomic<int> loads{0};

 private:
  struct tenant_data {
    std::map<std::string, core::indexed_document> docs;
    std::int64_t generation = 0;
  };
  std::mutex mutex_;
  std::map<std::string, tenant_data> tenants_;
  std::int64_t scratch_generation_ = 0;
};

std::size_t probe(store::index_cache& cache, const std::string& tenant) {
  return cache.read(tenant, [](const core::search_index& idx) { return idx.size(); });
}

std::vector<std::pair<std::string, double>> ranking(const std::vector<core::search_hit>& hits) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& h : hits) out.emplace_back(h.issue_id, h.score);
  return out;
}

}  // namespace

TEST_CASE("index cache budget: the least recently searched copy is evicted first, searches renew a copy") {
  fake_source src;
  for (auto t : {"a", "b", "c", "d"}) src.fill(t, 40);
  const std::size_t one = src.bytes_of("a");
  for (auto t : {"b", "c", "d"}) REQUIRE(src.bytes_of(t) < one * 11 / 10);
  store::index_cache cache(src.loader(), std::chrono::hours(1), one * 3 + one / 2);  // room for three
  probe(cache, "a");
  probe(cache, "b");
  probe(cache, "c");
  probe(cache, "a");  // a is now the most recently used, b the least
  CHECK(cache.stats().evictions == 0);
  probe(cache, "d");
  CHECK_FALSE(cache.loaded("b"));
  CHECK(cache.loaded("a"));
  CHECK(cache.loaded("c"));
  CHECK(cache.loaded("d"));
  CHECK(cache.stats().evictions == 1);
  probe(cache, "b");  // reloaded: c is the least recently used now
  CHECK_FALSE(cache.loaded("c"));
  CHECK(cache.loaded("a"));
  const auto s = cache.stats();
  CHECK(s.evictions == 2);
  CHECK(s.loads == 5);
  CHECK(s.hits == 1);
  CHECK(s.copies == 3);
}

TEST_CASE("index cache budget: the measured size of the copies held never exceeds the budget and is their sum") {
  fake_source src;
  std::vector<std::string> tenants;
  for (int i = 0; i < 40; ++i) {
    tenants.push_back("t" + std::to_string(i));
    src.fill(tenants.back(), 5 + (i * 37) % 120);
  }
  std::size_t biggest = 0;
  for (const auto& t : tenants) biggest = std::max(biggest, src.bytes_of(t));
  const std::size_t budget = biggest * 4;
  store::index_cache cache(src.loader(), std::chrono::hours(1), budget);
  std::mt19937 rng(3);
  for (int step = 0; step < 400; ++step) {
    probe(cache, tenants[rng() % tenants.size()]);
    const auto s = cache.stats();
    REQUIRE(s.resident_bytes <= budget);
    std::size_t sum = 0, copies = 0;
    for (const auto& t : tenants)
      if (cache.loaded(t)) {
        sum += cache.read(t, [](const core::search_index& idx) { return idx.memory_bytes(); });
        ++copies;
      }
    REQUIRE(s.resident_bytes == sum);
    REQUIRE(s.copies == copies);
  }
  const auto s = cache.stats();
  CHECK(s.evictions > 0);
  CHECK(s.loads == static_cast<std::uint64_t>(src.loads.load()) - tenants.size());  // bytes_of loads too
  CHECK(s.copies >= 4);
}

TEST_CASE("index cache budget: a copy reloaded after eviction answers as it did, changes made meanwhile included") {
  fake_source src;
  for (auto t : {"a", "b", "c"}) src.fill(t, 60);
  const std::size_t one = src.bytes_of("a");
  store::index_cache cache(src.loader(), std::chrono::hours(1), one + one / 2);  // room for one
  // A change applied in memory to the loaded copy (a local write) and then the copy evicted.
  cache.apply("a", store::index_change{});  // no-op kinds are ignored
  probe(cache, "a");
  cache.apply("a", src.put("a", doc("new", {"balancer", "journal", "crash", "a_3"})));
  CHECK(cache.generation("a") == 1);
  const auto before = ranking(cache.search_issue("a", "new", {}));
  REQUIRE_FALSE(before.empty());
  probe(cache, "b");
  REQUIRE_FALSE(cache.loaded("a"));
  CHECK(cache.generation("a") == -1);
  // Writes while evicted: the change and its notification are dropped, the source has them.
  auto later = src.put("a", doc("later", {"balancer", "journal", "crash", "quota"}));
  cache.apply("a", later);
  cache.note_generation("a", later.generation);
  CHECK_FALSE(cache.loaded("a"));
  const int loads_before = src.loads.load();
  const auto after = ranking(cache.search_issue("a", "5", {}));
  CHECK(src.loads.load() == loads_before + 1);
  CHECK(cache.generation("a") == 2);
  CHECK(probe(cache, "a") == 62);
  // Issue 5's neighbours are those it had, plus "later" where it ranks (the scores of the others shift with the
  // collection statistics, so the reference is an index built from scratch).
  std::int64_t g = 0;
  const auto reference = src.loader()("a", g);
  CHECK(after == ranking(reference.search_issue("5", {})));
  CHECK(ranking(cache.search_issue("a", "new", {})) == ranking(reference.search_issue("new", {})));
  // Evicted and reloaded with no write in between: exactly the same answers.
  const auto again = ranking(cache.search_issue("a", "new", {}));
  probe(cache, "c");
  REQUIRE_FALSE(cache.loaded("a"));
  CHECK(ranking(cache.search_issue("a", "new", {})) == again);
}

TEST_CASE("index cache budget: a copy bigger than the whole budget is served alone, and evicted by the next one") {
  fake_source src;
  src.fill("small1", 10);
  src.fill("small2", 10);
  src.fill("huge", 400);
  const std::size_t budget = src.bytes_of("small1") * 3;
  REQUIRE(src.bytes_of("huge") > budget);
  store::index_cache cache(src.loader(), std::chrono::hours(1), budget);
  probe(cache, "small1");
  probe(cache, "small2");
  CHECK(probe(cache, "huge") == 400);
  CHECK_FALSE(cache.search_issue("huge", "1", {}).empty());
  CHECK(cache.loaded("huge"));
  CHECK_FALSE(cache.loaded("small1"));
  CHECK_FALSE(cache.loaded("small2"));
  auto s = cache.stats();
  CHECK(s.copies == 1);
  CHECK(s.resident_bytes > budget);
  CHECK(s.evictions == 2);
  CHECK(probe(cache, "huge") == 400);  // served again from memory
  CHECK(cache.stats().hits >= 1);
  probe(cache, "small1");  // the oversized copy is the least recently used now
  CHECK_FALSE(cache.loaded("huge"));
  s = cache.stats();
  CHECK(s.copies == 1);
  CHECK(s.resident_bytes <= budget);
}

TEST_CASE("index cache budget: evictions racing searches, local changes and notifications stay correct") {
  fake_source src;
  std::vector<std::string> tenants;
  for (int i = 0; i < 8; ++i) {
    tenants.push_back("c" + std::to_string(i));
    src.fill(tenants.back(), 30);
  }
  const std::size_t budget = src.bytes_of("c0") * 2 + src.bytes_of("c0") / 2;  // about two copies of eight
  store::index_cache cache(src.loader(), std::chrono::milliseconds(5), budget);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0}, searches{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r)
    readers.emplace_back([&, r] {
      std::mt19937 rng(static_cast<unsigned>(r));
      while (!stop.load()) {
        const auto& t = tenants[rng() % tenants.size()];
        const auto id = std::to_string(rng() % 30);
        auto hits = cache.search_issue(t, id, {});
        // Every copy holds the 30 static issues and shares words among them: a search always finds some.
        if (hits.empty()) ++wrong;
        for (const auto& h : hits)
          if (h.issue_id == id) ++wrong;
        ++searches;
      }
    });
  std::thread writer([&] {
    std::mt19937 rng(99);
    for (int k = 0; k < 300; ++k) {
      const auto& t = tenants[rng() % tenants.size()];
      auto change = src.put(t, doc("w" + std::to_string(k % 10), {"crash", "timeout", t + "_1"}));
      if (rng() % 2) cache.apply(t, change);  // a local write
      else cache.note_generation(t, change.generation);  // another replica's write: only its notification
      if (k % 50 == 0) cache.invalidate(tenants[rng() % tenants.size()]);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  writer.join();
  while (searches.load() < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(wrong.load() == 0);
  const auto s = cache.stats();
  CHECK(s.evictions > 0);
  CHECK(s.copies <= 3);
  std::size_t sum = 0;
  for (const auto& t : tenants)
    if (cache.loaded(t)) sum += cache.read(t, [](const core::search_index& idx) { return idx.memory_bytes(); });
  // Sizes are measured again only every 64 changes: resident bytes may lag the copies by the changes since.
  CHECK(s.resident_bytes <= budget + 64 * 1024);
  CHECK(sum <= budget + 64 * 1024);
  // After the writes, every copy answers as a copy loaded from the source does.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // past the grace period: notified copies reload
  for (const auto& t : tenants) {
    std::int64_t g = 0;
    auto reference = src.loader()(t, g);
    CHECK(ranking(cache.search_issue(t, "3", {})) == ranking(reference.search_issue("3", {})));
    CHECK(cache.generation(t) == g);
  }
}
