// Applying events to the index (inside the job's transaction; memory copies follow the commit) and rescans.
#include "service/indexing.hpp"

#include "service/flags.hpp"
#include "service/settings.hpp"
#include "service/suggestions.hpp"
#include "store/inbox.hpp"
#include "store/job_queue.hpp"
#include "store/pair_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <optional>

namespace doppel::service {
namespace {

constexpr int rescan_issues_per_batch = 1000;

core::tokenizer& thread_tokenizer() {
  thread_local core::tokenizer tok;
  return tok;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A deletion's time: the event's own timestamp when it has one.
std::int64_t deleted_at(const std::string& payload) {
  boost::system::error_code ec;
  auto v = boost::json::parse(payload, ec);
  if (!ec && v.is_object())
    if (auto* ts = v.as_object().if_contains("timestamp"); ts && ts->is_int64()) return ts->as_int64();
  return now_ms();
}

// The likely ones among suggestions, as pairs to store (their score is the likelihood).
std::vector<store::scored_candidate> likely_pairs(std::vector<suggestion> all) {
  std::vector<store::scored_candidate> out;
  for (auto& s : likely_only(std::move(all))) {
    store::scored_candidate c{s.hit.issue_id, s.likelihood, {}};
    for (auto& t : s.hit.terms) c.terms.push_back(std::move(t.term));
    out.push_back(std::move(c));
  }
  return out;
}

// Whether a candidate is older than the issue (pairs point from the newer issue to the older one).
bool older_than(const core::search_hit& candidate, std::int64_t created_ms, const std::string& issue_id) {
  return candidate.created_ms < created_ms || (candidate.created_ms == created_ms && candidate.issue_id < issue_id);
}

// An indexed issue's likely duplicates among older issues (rated from both ends), stored as pending pairs.
void store_older_likely_pairs(store::write_tx& tx, context& ctx, const std::string& tenant_id,
                              const tenant_settings& settings, const std::string& issue_id, const std::string& project,
                              std::int64_t created_ms, bool full_scan) {
  auto filter = filter_for(settings, project, flags_considered);
  filter.exclude_issue_ids = store::dismissed_for(tx, tenant_id, issue_id);
  filter.full_scan = full_scan;
  auto found = suggest(ctx.index, tenant_id, {issue_id, std::nullopt, {}}, filter, settings.threshold,
                       flags_considered, {}, every_likely);
  std::erase_if(found, [&](const suggestion& s) { return !older_than(s.hit, created_ms, issue_id); });
  store::upsert_candidates(tx, tenant_id, issue_id, likely_pairs(std::move(found)));
}

// A just-created issue: when a candidate is close enough on its end for the pair to be likely, its flags job is
// queued; that job rates the pairs from both ends once the issue is in the memory index (after this commit) and
// stores the likely ones (store_new_issue_pairs) before publishing the badge and comment.
void flag_new_issue(store::write_tx& tx, context& ctx, const std::string& tenant_id, const core::indexed_document& doc) {
  auto settings = load_settings(tx, tenant_id);
  auto filter = filter_for(settings, doc.project, flags_considered);
  filter.exclude_issue_ids = store::dismissed_for(tx, tenant_id, doc.issue_id);
  filter.exclude_issue_ids.insert(doc.issue_id);
  suggestion_query q{"", core::query{doc.analysis, doc.project, doc.components, doc.created_ms},
                     {doc.project, doc.issue_type, doc.components, doc.created_ms}};
  const auto found = suggest(ctx.index, tenant_id, q, filter, settings.threshold, flags_considered);
  const bool may_be_likely = std::any_of(found.begin(), found.end(), [&](const suggestion& s) {
    return core::asks_other_end(s.likelihood, settings.threshold);
  });
  if (may_be_likely) queue_flags(tx, tenant_id, doc.issue_id, doc.key, flags_refresh::new_issue);
}

}  // namespace

bool index_batch::put(store::write_tx& tx, const core::issue_document& doc, core::indexed_document* indexed) {
  auto d = core::make_indexed_document(doc, thread_tokenizer());
  auto res = store::upsert_document(tx, tenant_id_, d);
  if (res.outcome != store::upsert_outcome::applied) return false;
  changes_.push_back(std::move(res.change));
  if (indexed) *indexed = std::move(d);
  return true;
}

void index_batch::remove(store::write_tx& tx, const std::string& issue_id, std::int64_t when_ms) {
  changes_.push_back(store::delete_document(tx, tenant_id_, issue_id, when_ms));
}

void index_batch::remove_project(store::write_tx& tx, const std::string& project, std::int64_t when_ms) {
  changes_.push_back(store::delete_project(tx, tenant_id_, project, when_ms));
}

void index_batch::publish(store::write_tx& tx, context& ctx) {
  std::int64_t generation = -1;
  for (const auto& c : changes_) generation = std::max(generation, c.generation);
  if (generation >= 0) store::notify_index_generation(tx, tenant_id_, generation);
  tx.after_commit([&ctx, tenant = tenant_id_, changes = std::move(changes_)] {
    for (const auto& c : changes) ctx.index.apply(tenant, c);
  });
  changes_.clear();
}

void apply_issue_events(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id) {
  // Not waiting for this commit's WAL flush is safe: the events are durable in the inbox (their webhook's commit
  // was synchronous), and a commit lost in a database crash leaves this job and its inbox rows in place to run
  // again (the index copies are reloaded when the listener loses its connection). It lets the tenant's next apply
  // start at once instead of after an fsync (one tenant's applies are serialised by its index statistics lock).
  tx.exec0("SET LOCAL synchronous_commit = off");
  auto rows = store::lock_unprocessed(tx, tenant_id, issue_id);
  index_batch batch(tenant_id);
  std::optional<core::indexed_document> created;
  bool deleted = false;
  for (const auto& row : rows) {
    if (row.event == "deleted") {
      batch.remove(tx, issue_id, deleted_at(row.payload));
      store::delete_pairs_of(tx, tenant_id, {issue_id});
      deleted = true;
      continue;
    }
    auto doc = core::parse_issue_json(row.payload);
    if (!doc || doc->issue_id != issue_id) {
      log::warn("inbox: unreadable issue payload skipped", {{"tenant", tenant_id}, {"issue", issue_id}});
      continue;
    }
    core::indexed_document indexed;
    if (!batch.put(tx, *doc, &indexed)) continue;
    // A new issue, or an edit right after its creation: flag the newest text.
    if (row.event == "created" || created) created = std::move(indexed);
  }
  store::mark_processed(tx, tenant_id, rows);
  if (created && !deleted) flag_new_issue(tx, ctx, tenant_id, *created);
  batch.publish(tx, ctx);
}

void apply_project_delete(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& project) {
  auto issue_ids = store::live_issue_ids_in_project(tx, tenant_id, project);
  index_batch batch(tenant_id);
  batch.remove_project(tx, project, now_ms());
  store::delete_pairs_of(tx, tenant_id, issue_ids);
  store::mark_project_delete_processed(tx, tenant_id, project);
  batch.publish(tx, ctx);
}

bool store_new_issue_pairs(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id) {
  const auto facts = ctx.index.read(tenant_id, [&](const core::search_index& idx) { return idx.facts_by_id(issue_id); });
  if (!facts) {
    const auto stored = store::find_issue_by_id(tx, tenant_id, issue_id);
    return !stored;  // live but not in this replica's copy yet: retried; deleted since: nothing to flag
  }
  store_older_likely_pairs(tx, ctx, tenant_id, load_settings(tx, tenant_id), issue_id, facts->project,
                           facts->created_ms, false);
  return true;
}

void rescan_batch(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& after_issue_id,
                  bool scheduled) {
  auto settings = load_settings(tx, tenant_id);
  if (scheduled && settings.rescan_schedule == "off") return;
  auto issues = store::live_issues_after(tx, tenant_id, after_issue_id, rescan_issues_per_batch);
  for (const auto& issue : issues)  // the whole backlog is searched: the rescan's pool (model_options::scan_candidate_pool)
    store_older_likely_pairs(tx, ctx, tenant_id, settings, issue.issue_id, issue.project, issue.created_ms, true);
  if (int(issues.size()) == rescan_issues_per_batch) {
    const auto& last = issues.back().issue_id;
    boost::json::object p{{"after", last}};
    store::enqueue(tx, tenant_id, store::job_kind::rescan, "rescan:" + last, boost::json::serialize(p));
  } else {
    schedule_rescan(tx, tenant_id, settings.rescan_schedule);  // a full pass is done: plan the next one
  }
}

}  // namespace doppel::service
