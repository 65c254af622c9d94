// Job processors. Each runs inside the job's transaction; index changes reach memory only after commit.
#include "app/job_processors.hpp"

#include "app/jira_access.hpp"
#include "core/issue_document.hpp"
#include "store/index_store.hpp"
#include "store/tenant_store.hpp"
#include "store/pair_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <optional>

namespace doppel::app {
namespace {

constexpr std::size_t flag_limit = 5;
constexpr int backfill_pages_per_run = 5;
constexpr int rescan_batch = 1000;
constexpr long backfill_wait_seconds = 30;  // retry interval while a Forge site has no usable system token

core::tokenizer& thread_tokenizer() {
  thread_local core::tokenizer tok;
  return tok;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

boost::json::object payload_of(const jobs::job& j) {
  boost::system::error_code ec;
  auto v = boost::json::parse(j.payload, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

std::string str(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Publishes the index changes of a committed job: memory copy here, NOTIFY for other replicas.
void notify_generation(pqxx::work& tx, const std::string& tenant_id, const std::vector<store::index_change>& changes) {
  std::int64_t generation = -1;
  for (const auto& c : changes) generation = std::max(generation, c.generation);
  if (generation >= 0)
    tx.exec_params("SELECT pg_notify('doppel_index', $1)", tenant_id + " " + std::to_string(generation));
}

jobs::job_outcome apply_after_commit(services& svc, const std::string& tenant_id,
                                     std::vector<store::index_change> changes) {
  return {[&svc, tenant_id, changes = std::move(changes)] {
    for (const auto& c : changes) svc.index->apply(tenant_id, c);
  }};
}

// Suggestions for a just-created issue, stored as pending pairs; queues the panel label update.
void flag_new_issue(pqxx::work& tx, app_context& app, services& svc, const std::string& tenant_id,
                    const core::indexed_document& doc) {
  auto settings = load_settings(tx, tenant_id);
  auto filter = filter_for(settings, doc.project, flag_limit);
  filter.exclude_issue_ids = store::dismissed_for(tx, tenant_id, doc.issue_id);
  filter.exclude_issue_ids.insert(doc.issue_id);
  core::query q{doc.analysis, doc.project, doc.components, doc.created_ms};
  auto hits = svc.index->search(tenant_id, q, filter);
  int pending = store::upsert_candidates(tx, tenant_id, doc.issue_id, hits);
  if (pending > 0) {
    boost::json::object p{{"issueId", doc.issue_id}, {"issueKey", doc.key}};
    jobs::enqueue(tx, tenant_id, jobs::job_kind::publish_flags, "flags:" + doc.issue_id, boost::json::serialize(p));
  }
  (void)app;
}

jobs::job_outcome apply_issue(pqxx::work& tx, const jobs::job& j, app_context& app, services& svc) {
  // Not waiting for this commit's WAL flush is safe: the events are durable in the inbox (their webhook's commit
  // was synchronous), and a commit lost in a database crash leaves this job and its inbox rows in place to run
  // again (the index copies are reloaded when the listener loses its connection). It lets the tenant's next apply
  // start at once instead of after an fsync (one tenant's applies are serialised by its index statistics lock).
  tx.exec0("SET LOCAL synchronous_commit = off");
  auto issue_id = str(payload_of(j), "issueId");
  auto rows = tx.exec_params(
      "SELECT delivery_id, event, payload FROM inbox"
      " WHERE tenant_id = $1 AND issue_id = $2 AND processed_at IS NULL ORDER BY received_at FOR UPDATE",
      j.tenant_id, issue_id);
  std::vector<store::index_change> changes;
  std::optional<core::indexed_document> created;
  bool deleted = false;
  for (const auto& row : rows) {
    auto event = row[1].as<std::string>();
    auto payload = row[2].as<std::string>();
    if (event == "deleted") {
      std::int64_t when = now_ms();
      boost::system::error_code ec;
      auto v = boost::json::parse(payload, ec);
      if (!ec && v.is_object()) {
        if (auto* ts = v.as_object().if_contains("timestamp"); ts && ts->is_int64()) when = ts->as_int64();
      }
      changes.push_back(store::delete_document(tx, j.tenant_id, issue_id, when));
      store::delete_pairs_of(tx, j.tenant_id, {issue_id});
      deleted = true;
      continue;
    }
    auto doc = core::parse_issue_json(payload);
    if (!doc || doc->issue_id != issue_id) {
      log::warn("inbox: unreadable issue payload skipped", {{"tenant", j.tenant_id}, {"issue", issue_id}});
      continue;
    }
    auto indexed = core::make_indexed_document(*doc, thread_tokenizer());
    auto res = store::upsert_document(tx, j.tenant_id, indexed);
    if (res.outcome != store::upsert_outcome::applied) continue;
    changes.push_back(res.change);
    if (event == "created") created = std::move(indexed);
    else if (created) created = std::move(indexed);  // an edit right after creation: flag the newest text
  }
  // Mark exactly the rows read above: a delivery committed since then belongs to the next job.
  std::string delivery_ids = "{";
  for (const auto& row : rows) {
    if (delivery_ids.size() > 1) delivery_ids += ',';
    delivery_ids += '"';
    for (char c : row[0].as<std::string>()) {
      if (c == '"' || c == '\\') delivery_ids += '\\';
      delivery_ids += c;
    }
    delivery_ids += '"';
  }
  delivery_ids += '}';
  tx.exec_params0(
      "UPDATE inbox SET processed_at = now() WHERE tenant_id = $1 AND delivery_id = ANY($2::text[])",
      j.tenant_id, delivery_ids);
  if (created && !deleted) flag_new_issue(tx, app, svc, j.tenant_id, *created);
  notify_generation(tx, j.tenant_id, changes);
  return apply_after_commit(svc, j.tenant_id, std::move(changes));
}

jobs::job_outcome apply_project_delete(pqxx::work& tx, const jobs::job& j, services& svc) {
  std::string project = j.unique_key.substr(std::string_view("project:").size());
  auto ids = tx.exec_params(
      "SELECT issue_id FROM index_documents WHERE tenant_id = $1 AND project_key = $2 AND deleted_ms IS NULL",
      j.tenant_id, project);
  std::vector<std::string> issue_ids;
  for (const auto& r : ids) issue_ids.push_back(r[0].as<std::string>());
  std::vector<store::index_change> changes{store::delete_project(tx, j.tenant_id, project, now_ms())};
  store::delete_pairs_of(tx, j.tenant_id, issue_ids);
  tx.exec_params0(
      "UPDATE inbox SET processed_at = now() WHERE tenant_id = $1 AND event = 'project_deleted'"
      " AND project_key = $2 AND processed_at IS NULL",
      j.tenant_id, project);
  notify_generation(tx, j.tenant_id, changes);
  return apply_after_commit(svc, j.tenant_id, std::move(changes));
}

// The backfill cannot call Jira now (reason: forge_token_missing | forge_token_expired | forge_token_rejected):
// say why on the progress row and try again later; a stored fresh token makes the retry due at once.
jobs::job_outcome backfill_wait(pqxx::work& tx, const std::string& tenant_id, const std::string& reason) {
  auto r = tx.exec_params(
      "UPDATE backfill_progress SET waiting_for = $2, updated_at = now()"
      " WHERE tenant_id = $1 AND waiting_for IS DISTINCT FROM $2",
      tenant_id, reason);
  if (r.affected_rows() > 0) log::warn("backfill waiting for Jira credentials", {{"tenant", tenant_id}, {"reason", reason}});
  jobs::enqueue(tx, tenant_id, jobs::job_kind::backfill, "backfill", "{}", backfill_wait_seconds);
  return {};
}

jobs::job_outcome backfill(pqxx::work& tx, const jobs::job& j, app_context& app, services& svc) {
  auto progress = tx.exec_params(
      "SELECT state, jql, COALESCE(next_page_token, ''), total_estimate IS NULL FROM backfill_progress"
      " WHERE tenant_id = $1 FOR UPDATE",
      j.tenant_id);
  if (progress.empty() || progress[0][0].as<std::string>() != "running") return {};
  std::string jql = progress[0][1].as<std::string>();
  std::string token = progress[0][2].as<std::string>();
  bool need_total = progress[0][3].as<bool>();
  // Read before the client: if a newer token arrives meanwhile, a 401 must not make us forget that one.
  auto token_box = stored_system_token_box(app, j.tenant_id);
  auto client = jira_for_tenant(app, svc, j.tenant_id, nullptr);
  if (!client) {
    // A Forge site without a usable app system token: wait (progress kept) until a Forge call brings one.
    if (client.error().code == errc::unavailable) return backfill_wait(tx, j.tenant_id, client.error().stable_code);
    throw std::runtime_error("backfill: " + client.error().message);
  }
  if (need_total) {
    boost::json::value body = boost::json::object{{"jql", jql}};
    auto count = (*client)->call("POST", "/rest/api/3/search/approximate-count", &body, true);
    if (count && count->status == 200) {
      boost::system::error_code ec;
      auto v = boost::json::parse(count->body, ec);
      if (!ec && v.is_object())
        if (auto* n = v.as_object().if_contains("count"); n && n->is_int64())
          tx.exec_params0("UPDATE backfill_progress SET total_estimate = $2 WHERE tenant_id = $1", j.tenant_id,
                          n->as_int64());
    }
  }
  std::vector<store::index_change> changes;
  long seen = 0, indexed = 0;
  bool done = false;
  for (int page_no = 0; page_no < backfill_pages_per_run && !done; ++page_no) {
    jira::search_request req;
    req.jql = jql;
    req.fields = {"summary", "description", "environment", "labels", "components", "issuetype",
                  "status", "project", "security", "created", "updated"};
    req.max_results = 100;
    req.next_page_token = token;
    auto page = (*client)->search_jql(req);
    if (!page && page.error().stable_code == "jira_unauthorized") {
      if (page_no > 0) break;  // keep the pages done: the next run meets the 401 first
      if (token_box.empty()) throw std::runtime_error("backfill: " + page.error().message);  // Connect: retry
      // Jira no longer accepts the stored Forge token: forget it and wait for a fresh one.
      store::clear_system_token(tx, j.tenant_id, token_box);
      return backfill_wait(tx, j.tenant_id, "forge_token_rejected");
    }
    if (!page) throw std::runtime_error("backfill: " + page.error().message);
    for (const auto& issue : page->issues) {
      ++seen;
      auto doc = core::parse_issue_json(boost::json::serialize(issue));
      if (!doc) continue;
      auto res = store::upsert_document(tx, j.tenant_id, core::make_indexed_document(*doc, thread_tokenizer()));
      if (res.outcome == store::upsert_outcome::applied) {
        ++indexed;
        changes.push_back(std::move(res.change));
      }
    }
    token = page->next_page_token;
    done = page->is_last || token.empty();
  }
  tx.exec_params0(
      "UPDATE backfill_progress SET seen = seen + $2, indexed = indexed + $3, next_page_token = NULLIF($4, ''),"
      "  state = CASE WHEN $5 THEN 'done' ELSE state END, finished_at = CASE WHEN $5 THEN now() END,"
      "  updated_at = now(), last_error = NULL, waiting_for = NULL WHERE tenant_id = $1",
      j.tenant_id, seen, indexed, token, done);
  if (done) jobs::enqueue(tx, j.tenant_id, jobs::job_kind::rescan, "rescan", "{}");
  else jobs::enqueue(tx, j.tenant_id, jobs::job_kind::backfill, "backfill", "{}");
  notify_generation(tx, j.tenant_id, changes);
  auto outcome = apply_after_commit(svc, j.tenant_id, std::move(changes));
  auto apply = outcome.after_commit;
  outcome.after_commit = [apply, &svc] {
    apply();
    if (svc.workers) svc.workers->nudge();
  };
  return outcome;
}

jobs::job_outcome rescan(pqxx::work& tx, const jobs::job& j, services& svc) {
  auto payload = payload_of(j);
  auto after = str(payload, "after");
  auto settings = load_settings(tx, j.tenant_id);
  auto* scheduled = payload.if_contains("scheduled");
  if (scheduled && scheduled->is_bool() && scheduled->as_bool() && settings.rescan_schedule == "off") return {};
  auto rows = tx.exec_params(
      "SELECT issue_id, project_key, created_ms FROM index_documents WHERE tenant_id = $1 AND deleted_ms IS NULL"
      " AND issue_id > $2 ORDER BY issue_id LIMIT $3",
      j.tenant_id, after, rescan_batch);
  std::string last;
  for (const auto& r : rows) {
    auto id = r[0].as<std::string>();
    auto project = r[1].as<std::string>();
    auto created = r[2].as<std::int64_t>();
    last = id;
    auto filter = filter_for(settings, project, flag_limit);
    filter.exclude_issue_ids = store::dismissed_for(tx, j.tenant_id, id);
    filter.full_scan = true;  // the whole backlog is searched: the rescan's pool (model_options::scan_candidate_pool)
    auto hits = svc.index->search_issue(j.tenant_id, id, filter);
    // Pairs point from the newer issue to the older candidate: keep only earlier candidates here.
    std::vector<core::search_hit> older;
    for (auto& h : hits)
      if (h.created_ms < created || (h.created_ms == created && h.issue_id < id)) older.push_back(std::move(h));
    store::upsert_candidates(tx, j.tenant_id, id, older);
  }
  if (int(rows.size()) == rescan_batch) {
    boost::json::object p{{"after", last}};
    jobs::enqueue(tx, j.tenant_id, jobs::job_kind::rescan, "rescan:" + last, boost::json::serialize(p));
  } else {
    schedule_rescan(tx, j.tenant_id, settings.rescan_schedule);  // a full pass is done: plan the next one
  }
  return {};
}

// The ADF comment listing a new issue's pending candidates, best first: each key links to the issue in the site.
// nullopt when none is left to list.
std::optional<boost::json::value> candidates_comment(pqxx::work& tx, const std::string& tenant_id,
                                                     const std::string& issue_id) {
  auto base = tx.exec_params("SELECT base_url FROM tenants WHERE tenant_id = $1", tenant_id);
  std::string site = base.empty() || base[0][0].is_null() ? std::string() : base[0][0].as<std::string>();
  while (!site.empty() && site.back() == '/') site.pop_back();
  auto rows = tx.exec_params(
      "SELECT d.issue_key, d.summary FROM pairs p JOIN index_documents d"
      " ON d.tenant_id = p.tenant_id AND d.issue_id = p.candidate_id"
      " WHERE p.tenant_id = $1 AND p.issue_id = $2 AND p.status = 'pending' AND d.deleted_ms IS NULL"
      " ORDER BY p.score DESC, d.issue_key LIMIT $3",
      tenant_id, issue_id, static_cast<int>(flag_limit));
  auto text = [](std::string t) { return boost::json::object{{"type", "text"}, {"text", std::move(t)}}; };
  auto paragraph = [](boost::json::array content) {
    return boost::json::object{{"type", "paragraph"}, {"content", std::move(content)}};
  };
  boost::json::array items;
  for (const auto& r : rows) {
    auto key = r[0].as<std::string>();
    auto summary = r[1].is_null() ? std::string() : r[1].as<std::string>();
    auto link = text(key);
    if (!site.empty())
      link["marks"] = boost::json::array{
          boost::json::object{{"type", "link"}, {"attrs", boost::json::object{{"href", site + "/browse/" + key}}}}};
    boost::json::array line{link};
    if (!summary.empty()) line.push_back(text(" " + summary));
    items.push_back(boost::json::object{{"type", "listItem"}, {"content", boost::json::array{paragraph(line)}}});
  }
  if (items.empty()) return std::nullopt;
  std::string label = items.size() == 1 ? "1 possible duplicate" : std::to_string(items.size()) + " possible duplicates";
  boost::json::array content{paragraph({text("Doppel found " + label + " of this issue:")}),
                             boost::json::object{{"type", "bulletList"}, {"content", std::move(items)}}};
  return boost::json::value(boost::json::object{{"type", "doc"}, {"version", 1}, {"content", std::move(content)}});
}

jobs::job_outcome publish_flags(pqxx::work& tx, const jobs::job& j, app_context& app, services& svc) {
  auto p = payload_of(j);
  auto issue_id = str(p, "issueId"), issue_key = str(p, "issueKey");
  // A refresh after a link, dismiss or restore rewrites the badge only; the comment is for new issues.
  const auto* refresh = p.if_contains("refresh");
  const bool refresh_only = refresh && refresh->is_bool() && refresh->as_bool();
  int pending = store::pending_count(tx, j.tenant_id, issue_id);
  auto client = jira_for_tenant(app, svc, j.tenant_id, nullptr);
  if (!client) {
    // A Forge site with no usable system token right now: the panel shows the count itself.
    if (client.error().code == errc::unavailable) return {};
    throw std::runtime_error("flags: " + client.error().message);
  }
  boost::json::object value{{"type", "badge"}, {"value", {{"label", std::to_string(pending)}}}};
  if (pending == 0) value = {{"type", "badge"}, {"value", {{"label", ""}}}};
  auto st = (*client)->set_issue_property(issue_key, panel_status_property(app.cfg.app_key), value);
  if (!st) throw std::runtime_error("flags: " + st.error().message);
  auto settings = load_settings(tx, j.tenant_id);
  if (settings.comment_on_create && pending > 0 && !refresh_only) {
    if (auto doc = candidates_comment(tx, j.tenant_id, issue_id)) {
      // The comment carries a marker property, created with it. A retry may follow an attempt whose comment
      // Jira created although we never learnt it (its answer or our commit was lost): look for the marker
      // before posting again, so an issue gets one comment at most.
      const auto marker = comment_marker_property(app.cfg.app_key);
      bool posted = false;
      if (j.attempts > 1) {
        auto found = (*client)->has_comment_with_property(issue_key, marker);
        if (!found) throw std::runtime_error("comment: " + found.error().message);
        posted = *found;
      }
      if (!posted) {
        auto c = (*client)->add_comment(issue_key, *doc, marker);
        if (!c) throw std::runtime_error("comment: " + c.error().message);
      }
    }
  }
  return {};
}

jobs::job_outcome purge_tenant(pqxx::work& tx, const jobs::job& j, app_context& app, services& svc) {
  auto rows = tx.exec_params(
      "SELECT state, delete_after <= now(), EXTRACT(EPOCH FROM (delete_after - now()))::bigint FROM tenants"
      " WHERE tenant_id = $1 FOR UPDATE",
      j.tenant_id);
  if (rows.empty() || rows[0][0].as<std::string>() != "uninstalled") return {};  // reinstalled: keep everything
  if (!rows[0][1].is_null() && !rows[0][1].as<bool>()) {
    jobs::enqueue(tx, j.tenant_id, jobs::job_kind::purge_tenant, "purge:later", "{}",
                  std::max<long>(1, rows[0][2].as<long>()));
    return {};
  }
  auto tenant = j.tenant_id;
  // The tenant row (and with it every table's rows, by cascade) goes right after this job commits.
  return {[&app, &svc, tenant] {
    app.pool.with_connection([&](pqxx::connection& c) {
      pqxx::work tx2(c);
      tx2.exec_params0("DELETE FROM tenants WHERE tenant_id = $1 AND state = 'uninstalled' AND delete_after <= now()",
                       tenant);
      tx2.commit();
    });
    svc.index->invalidate(tenant);
    log::info("tenant data deleted", {{"tenant", tenant}});
  }};
}

}  // namespace

core::search_filter filter_for(const tenant_settings& s, const std::string& project, std::size_t limit) {
  core::search_filter f;
  f.threshold = s.threshold;
  f.limit = limit;
  f.issue_types = s.issue_types;
  if (!s.cross_project) f.projects = {project};
  else f.projects = s.projects;
  return f;
}

void schedule_rescan(pqxx::work& tx, const std::string& tenant_id, const std::string& schedule) {
  long delay = schedule == "daily" ? 86400 : schedule == "weekly" ? 7 * 86400 : 0;
  if (delay == 0) return;
  jobs::enqueue(tx, tenant_id, jobs::job_kind::rescan, "rescan:scheduled", R"({"scheduled":true})", delay);
}

std::string panel_status_property(const std::string& app_key) {
  return "com.atlassian.jira.issue:" + app_key + ":possible-duplicates:status";
}

std::string comment_marker_property(const std::string& app_key) { return app_key + ".candidates-comment"; }

void register_job_processors(jobs::worker_pool& workers, app_context& app, services& svc) {
  using jobs::job_kind;
  workers.set_processor(job_kind::apply_issue,
                        [&](pqxx::work& tx, const jobs::job& j) { return apply_issue(tx, j, app, svc); });
  workers.set_processor(job_kind::apply_project_delete,
                        [&](pqxx::work& tx, const jobs::job& j) { return apply_project_delete(tx, j, svc); });
  workers.set_processor(job_kind::backfill, [&](pqxx::work& tx, const jobs::job& j) { return backfill(tx, j, app, svc); });
  workers.set_processor(job_kind::rescan, [&](pqxx::work& tx, const jobs::job& j) { return rescan(tx, j, svc); });
  workers.set_processor(job_kind::publish_flags,
                        [&](pqxx::work& tx, const jobs::job& j) { return publish_flags(tx, j, app, svc); });
  workers.set_processor(job_kind::purge_tenant,
                        [&](pqxx::work& tx, const jobs::job& j) { return purge_tenant(tx, j, app, svc); });
}

}  // namespace doppel::app
