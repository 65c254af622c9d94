// Index store and cache against a real PostgreSQL: upsert/stale/tombstone rules, incremental ==
// rebuilt (in SQL and in memory), tenant isolation, cache loading, deltas and invalidation.
#include "store/index_store.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "integration/test_db.hpp"
#include "store/index_cache.hpp"

using namespace doppel;

namespace {

void add_tenant(pqxx::connection& c, const std::string& tenant) {
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ($1, 'connect', $2, 'installed')",
                 tenant, "https://" + tenant + ".atlassian.net");
  tx.commit();
}

core::issue_document issue(const std::string& id, const std::string& project, const std::string& summary,
                           const std::string& description, std::int64_t updated_ms) {
  core::issue_document d;
  d.issue_id = id;
  d.key = project + "-" + id;
  d.project = project;
  d.issue_type = "Bug";
  d.status = "Open";
  d.summary = summary;
  d.description = description;
  d.components = {"core"};
  d.created_ms = 1000;
  d.updated_ms = updated_ms;
  return d;
}

store::index_cache::loader_fn loader_for(const std::string& url) {
  return [url](const std::string& tenant, std::int64_t& generation) {
    pqxx::connection c(url);
    pqxx::transaction<pqxx::isolation_level::repeatable_read> tx(c);
    return store::load_index(tx, tenant, core::model_options{}, generation);
  };
}

const std::vector<std::string> vocabulary = {"namenode", "datanode", "crash", "startup", "block", "replica",
                                             "timeout", "exception", "heartbeat", "decommission", "quota",
                                             "snapshot", "balancer", "journal", "edit", "log", "fsimage", "rpc"};

std::string random_text(std::mt19937& rng, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) out += vocabulary[rng() % vocabulary.size()] + " ";
  return out;
}

}  // namespace

TEST_CASE("index store: applied, stale and tombstoned upserts, lookups") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "t1");
  core::tokenizer tok;
  pqxx::work tx(c);
  auto r1 = store::upsert_issue(tx, "t1", issue("1", "HDFS", "NameNode crash on startup", "NPE in FSImage", 100), tok);
  CHECK(r1.outcome == store::upsert_outcome::applied);
  CHECK(r1.change.what == store::index_change::kind::put);
  CHECK(r1.change.generation == 1);
  auto stale = store::upsert_issue(tx, "t1", issue("1", "HDFS", "older text", "", 100), tok);
  CHECK(stale.outcome == store::upsert_outcome::stale);
  CHECK(stale.change.what == store::index_change::kind::none);
  auto newer = store::upsert_issue(tx, "t1", issue("1", "HDFS", "NameNode crash at boot", "NPE", 200), tok);
  CHECK(newer.outcome == store::upsert_outcome::applied);
  CHECK(store::find_issue_by_key(tx, "t1", "HDFS-1")->summary == "NameNode crash at boot");
  CHECK(store::find_issue_by_id(tx, "t1", "1")->project == "HDFS");
  CHECK_FALSE(store::find_issue_by_key(tx, "t1", "HDFS-2").has_value());

  auto del = store::delete_document(tx, "t1", "1", 300);
  CHECK(del.what == store::index_change::kind::remove);
  auto late = store::upsert_issue(tx, "t1", issue("1", "HDFS", "late update", "", 250), tok);
  CHECK(late.outcome == store::upsert_outcome::tombstoned);
  CHECK_FALSE(store::find_issue_by_id(tx, "t1", "1").has_value());
  // A delete that arrives before the create still wins over the older create.
  CHECK(store::delete_document(tx, "t1", "9", 500).what == store::index_change::kind::none);
  CHECK(store::upsert_issue(tx, "t1", issue("9", "HDFS", "created", "", 400), tok).outcome ==
        store::upsert_outcome::tombstoned);
  auto stats = store::read_statistics(tx, "t1");
  CHECK(stats.documents == 0);
  CHECK(stats.document_frequencies.empty());

  store::upsert_issue(tx, "t1", issue("2", "HDFS", "a", "", 1), tok);
  store::upsert_issue(tx, "t1", issue("3", "YARN", "b", "", 1), tok);
  auto metas = store::find_issues_by_ids(tx, "t1", {"3", "missing", "2"});
  REQUIRE(metas.size() == 2);
  CHECK(metas[0].key == "YARN-3");
  CHECK(metas[1].key == "HDFS-2");
}

TEST_CASE("index store: incremental == rebuilt after random writes, in PostgreSQL and in memory") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  add_tenant(c, "t1");
  add_tenant(c, "t2");
  core::tokenizer tok;
  std::mt19937 rng(777);
  store::index_cache cache(loader_for(url));
  cache.read("t1", [](const core::search_index& idx) { return idx.size(); });  // load the empty index
  core::search_index mirror;
  std::int64_t clock = 1;
  for (int step = 0; step < 300; ++step) {
    pqxx::work tx(c);
    const std::string id = std::to_string(rng() % 40);
    const int op = static_cast<int>(rng() % 10);
    store::index_change change;
    if (op < 7) {
      auto d = issue(id, rng() % 3 ? "HDFS" : "YARN", random_text(rng, 4), random_text(rng, 12), ++clock);
      auto r = store::upsert_issue(tx, "t1", d, tok);
      if (r.outcome == store::upsert_outcome::applied) mirror.put(core::make_indexed_document(d, tok));
      change = r.change;
    } else if (op < 9) {
      change = store::delete_document(tx, "t1", id, ++clock);
      mirror.remove(id);
    } else {
      change = store::delete_project(tx, "t1", "YARN", ++clock);
      mirror.remove_project("YARN");
    }
    // Unrelated writes of another tenant in the same transactions.
    store::upsert_issue(tx, "t2", issue(id, "OTHER", random_text(rng, 3), "", ++clock), tok);
    tx.commit();
    cache.apply("t1", change);
  }
  pqxx::work tx(c);
  const auto incremental = store::read_statistics(tx, "t1");
  const auto rebuilt = store::rebuild_statistics(tx, "t1");
  CHECK(incremental == rebuilt);
  CHECK(incremental.documents == static_cast<std::int64_t>(mirror.size()));
  std::int64_t generation = 0;
  auto loaded = store::load_index(tx, "t1", {}, generation);
  CHECK(loaded.canonical_dump() == mirror.canonical_dump());
  CHECK(cache.loaded("t1"));
  CHECK(cache.read("t1", [](const core::search_index& idx) { return idx.canonical_dump(); }) == mirror.canonical_dump());
  for (const auto& [term, df] : incremental.document_frequencies) CHECK(static_cast<std::int64_t>(mirror.document_frequency(term)) == df);
}

TEST_CASE("index store: tenant A's writes never change tenant B's scores") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  add_tenant(c, "a");
  add_tenant(c, "b");
  core::tokenizer tok;
  {
    pqxx::work tx(c);
    store::upsert_issue(tx, "b", issue("1", "P", "namenode crash on startup", "fsimage", 1), tok);
    store::upsert_issue(tx, "b", issue("2", "P", "datanode heartbeat timeout", "rpc", 1), tok);
    store::upsert_issue(tx, "b", issue("3", "P", "namenode startup slow", "edit log", 1), tok);
    tx.commit();
  }
  store::index_cache cache(loader_for(url));
  auto before = cache.search_issue("b", "1", {});
  REQUIRE_FALSE(before.empty());
  pqxx::work tx(c);
  std::mt19937 rng(5);
  for (int i = 0; i < 50; ++i) {
    auto r = store::upsert_issue(tx, "a", issue(std::to_string(i), "P", "namenode " + random_text(rng, 3), "", 1), tok);
    cache.apply("a", r.change);
  }
  auto stats_b = store::read_statistics(tx, "b");
  tx.commit();
  cache.invalidate("b");
  auto after = cache.search_issue("b", "1", {});
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].issue_id == before[i].issue_id);
    CHECK(after[i].score == before[i].score);
  }
  pqxx::work tx2(c);
  CHECK(store::read_statistics(tx2, "b") == stats_b);
  CHECK(stats_b.documents == 3);
}

// (No ';' in test names: CTest's test discovery cuts the name there and then runs nothing.)
TEST_CASE("index cache: deltas follow generations, out-of-order changes wait for the gap, unfilled gaps, other "
          "writers and invalidation reload, readers run concurrently") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  add_tenant(c, "t");
  core::tokenizer tok;
  std::atomic<int> loads{0};
  auto base = loader_for(url);
  // A grace period longer than the test: gaps are only ever filled by the changes themselves here.
  store::index_cache cache([&](const std::string& tenant, std::int64_t& g) {
    ++loads;
    return base(tenant, g);
  }, std::chrono::hours(1));
  const auto size = [&] { return cache.read("t", [](const core::search_index& idx) { return idx.size(); }); };
  CHECK(cache.generation("t") == -1);
  CHECK(cache.read("t", [](const core::search_index& idx) { return idx.size(); }) == 0);
  CHECK(loads == 1);

  store::index_change c1, c2, c3;
  {
    pqxx::work tx(c);
    c1 = store::upsert_issue(tx, "t", issue("1", "P", "balancer stuck", "", 1), tok).change;
    tx.commit();
  }
  cache.apply("t", c1);
  CHECK(cache.generation("t") == 1);
  CHECK(cache.read("t", [](const core::search_index& idx) { return idx.size(); }) == 1);
  CHECK(loads == 1);  // the delta was applied in memory

  {
    pqxx::work tx(c);
    c2 = store::upsert_issue(tx, "t", issue("2", "P", "balancer slow", "", 1), tok).change;
    tx.commit();
  }
  {
    pqxx::work tx(c);
    c3 = store::upsert_issue(tx, "t", issue("3", "P", "balancer fails", "", 1), tok).change;
    tx.commit();
  }
  cache.note_generation("t", 3);  // the NOTIFY of our own commit may come before its change
  cache.apply("t", c3);           // arrives before c2 (two workers): held until c2 comes
  CHECK(cache.loaded("t"));
  CHECK(cache.generation("t") == 1);
  CHECK(size() == 1);
  cache.apply("t", c2);  // fills the gap: both applied in order, no reload
  CHECK(cache.generation("t") == 3);
  CHECK(size() == 3);
  CHECK(loads == 1);
  cache.apply("t", c2);  // a repeated change: ignored
  CHECK(cache.generation("t") == 3);

  // A gap nobody fills (a change lost, or written by another replica: only its NOTIFY arrives) makes a copy
  // reload once its grace period has passed.
  std::atomic<int> quick_loads{0};
  const auto grace = std::chrono::milliseconds(50);
  store::index_cache quick([&](const std::string& tenant, std::int64_t& g) {
    ++quick_loads;
    return base(tenant, g);
  }, grace);
  const auto quick_size = [&] { return quick.read("t", [](const core::search_index& idx) { return idx.size(); }); };
  CHECK(quick_size() == 3);
  store::index_change c4, c5;
  {
    pqxx::work tx(c);
    c4 = store::upsert_issue(tx, "t", issue("4", "P", "balancer hangs", "", 1), tok).change;
    c5 = store::upsert_issue(tx, "t", issue("5", "P", "balancer loops", "", 1), tok).change;
    tx.commit();
  }
  quick.apply("t", c5);  // c4 never comes
  std::this_thread::sleep_for(grace * 2);
  CHECK(quick_size() == 5);
  CHECK(quick_loads == 2);
  {
    pqxx::work tx(c);
    store::upsert_issue(tx, "t", issue("6", "P", "balancer again", "", 1), tok);
    tx.commit();
  }
  quick.note_generation("t", 6);  // another replica's write
  std::this_thread::sleep_for(grace * 2);
  CHECK(quick_size() == 6);
  CHECK(quick_loads == 3);
  CHECK(quick.generation("t") == 6);

  // The long-grace copy learns of generation 6 too; invalidation reloads at once.
  cache.note_generation("t", 6);
  CHECK(cache.loaded("t"));
  cache.invalidate("t");
  CHECK_FALSE(cache.loaded("t"));

  std::vector<std::thread> readers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    readers.emplace_back([&] {
      for (int k = 0; k < 50; ++k)
        if (!cache.search_issue("t", "1", {}).empty()) ++ok;
    });
  for (auto& t : readers) t.join();
  CHECK(ok == 200);
  CHECK(loads == 2);

  pqxx::work tx(c);
  cache.apply("t", store::delete_tenant_index(tx, "t"));
  tx.commit();
  CHECK(cache.generation("t") == -1);
  CHECK(cache.read("t", [](const core::search_index& idx) { return idx.size(); }) == 0);
}

TEST_CASE("index cache budget: a copy evicted and reloaded from PostgreSQL answers like a copy never evicted") {
  const auto url = test::fresh_database_url();
  pqxx::connection c(url);
  core::tokenizer tok;
  std::mt19937 rng(11);
  for (const std::string t : {"a", "b"}) {
    add_tenant(c, t);
    pqxx::work tx(c);
    for (int i = 0; i < 80; ++i)
      store::upsert_issue(tx, t, issue(std::to_string(i), "P", random_text(rng, 4), random_text(rng, 10), 1), tok);
    tx.commit();
  }
  std::int64_t g = 0;
  const std::size_t one = [&] {
    pqxx::connection lc(url);
    pqxx::transaction<pqxx::isolation_level::repeatable_read> tx(lc);
    return store::load_index(tx, "a", core::model_options{}, g).memory_bytes();
  }();
  store::index_cache cache(loader_for(url), std::chrono::hours(1), one + one / 2);  // room for one copy
  const auto hits_of = [](const std::vector<core::search_hit>& hits) {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& h : hits) out.emplace_back(h.issue_id, h.score);
    return out;
  };
  REQUIRE_FALSE(cache.search_issue("a", "1", {}).empty());
  {
    pqxx::work tx(c);
    auto r = store::upsert_issue(tx, "a", issue("new", "P", random_text(rng, 4), random_text(rng, 10), 2), tok);
    tx.commit();
    cache.apply("a", r.change);  // the local write path
  }
  cache.search_issue("b", "1", {});  // evicts a
  REQUIRE_FALSE(cache.loaded("a"));
  {
    pqxx::work tx(c);
    auto r = store::upsert_issue(tx, "a", issue("later", "P", random_text(rng, 4), random_text(rng, 10), 3), tok);
    tx.commit();
    cache.apply("a", r.change);  // dropped: a is not held
    cache.note_generation("a", r.change.generation);
  }
  CHECK_FALSE(cache.loaded("a"));
  store::index_cache never_evicted(loader_for(url));
  for (const std::string id : {"1", "new", "later", "40"})
    CHECK(hits_of(cache.search_issue("a", id, {})) == hits_of(never_evicted.search_issue("a", id, {})));
  CHECK(cache.generation("a") == never_evicted.generation("a"));
  CHECK_FALSE(cache.loaded("b"));
  const auto s = cache.stats();
  CHECK(s.loads == 3);
  CHECK(s.evictions == 2);
  CHECK(s.copies == 1);
}
