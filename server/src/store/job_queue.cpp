// Job queue SQL. Leases make a crashed worker's job claimable again; completion commits with the work.
#include "store/job_queue.hpp"

#include "store/inbox.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace doppel::store {
namespace {

constexpr std::array<std::pair<job_kind, std::string_view>, 8> kind_names{{
    {job_kind::apply_issue, "apply_issue"},
    {job_kind::apply_project_delete, "apply_project_delete"},
    {job_kind::backfill, "backfill"},
    {job_kind::rescan, "rescan"},
    {job_kind::publish_flags, "publish_flags"},
    {job_kind::purge_tenant, "purge_tenant"},
    {job_kind::sync_ui_modification, "sync_ui_modification"},
    {job_kind::report_accounts, "report_accounts"},
}};

}  // namespace

std::string_view to_string(job_kind k) {
  for (const auto& [kind, name] : kind_names)
    if (kind == k) return name;
  return "unknown";
}

std::optional<job_kind> job_kind_from(std::string_view s) {
  for (const auto& [kind, name] : kind_names)
    if (name == s) return kind;
  return std::nullopt;
}

bool enqueue(write_tx& tx, const std::string& tenant_id, job_kind kind, const std::string& unique_key,
             const std::string& payload_json, long delay_seconds) {
  // Coalescing locks the queued twin until this transaction commits (a no-op update, not DO NOTHING): otherwise a
  // worker could claim and finish the twin before this transaction's other writes (the webhook's inbox row) are
  // visible, and they would be left with no job. Locked, the twin is skipped by claim() until we commit; a twin
  // claimed meanwhile is no longer queued, so a new job is inserted instead.
  auto r = tx.exec_params(
      std::string("INSERT INTO jobs (tenant_id, kind, unique_key, payload, run_at)"
                  " VALUES ($1, $2, $3, $4::jsonb, now() + make_interval(secs => $5))") +
          coalesce_into_queued_twin + " RETURNING (xmax = 0) AS inserted",
      tenant_id, std::string(to_string(kind)), unique_key, payload_json, double(delay_seconds));
  tx.job_queued();
  return !r.empty() && r[0][0].as<bool>();
}

void make_due_now(write_tx& tx, const std::string& tenant_id, job_kind kind) {
  tx.exec_params0(
      "UPDATE jobs SET run_at = now(), updated_at = now()"
      " WHERE tenant_id = $1 AND kind = $2 AND state = 'queued' AND run_at > now()",
      tenant_id, std::string(to_string(kind)));
  tx.job_queued();
}

std::optional<job> claim(pqxx::connection& conn, std::chrono::seconds lease) {
  // Expired leases first, then the oldest due job. Each arm walks its partial index in order and stops at the
  // first row it can lock (the second arm runs only when the first finds none): no sort of the whole queue, so a
  // claim costs the same however long the backlog is. One statement, committed on its own and without waiting for
  // its WAL flush (set_config(..., true) holds until this statement's own commit): a claim lost in a database crash
  // leaves the job as it was, to be claimed again, and not flushing keeps the workers' claims out of the WAL flushes
  // that webhook acknowledgements wait for (each claim's flush also wrote the workers' unflushed apply WAL).
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec_params(
      "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = now(),"
      "  lease_until = now() + make_interval(secs => $1)"
      " WHERE (tenant_id, job_id) = (SELECT c.tenant_id, c.job_id FROM ("
      "   SELECT * FROM (SELECT j.tenant_id, j.job_id FROM jobs j JOIN tenants t USING (tenant_id)"
      "     WHERE j.state = 'running' AND j.lease_until < now() AND (t.state <> 'uninstalled' OR j.kind = 'purge_tenant')"
      "     ORDER BY j.lease_until, j.job_id LIMIT 1 FOR UPDATE OF j SKIP LOCKED) expired"
      "   UNION ALL"
      "   SELECT * FROM (SELECT j.tenant_id, j.job_id FROM jobs j JOIN tenants t USING (tenant_id)"
      "     WHERE j.state = 'queued' AND j.run_at <= now() AND (t.state <> 'uninstalled' OR j.kind = 'purge_tenant')"
      "     ORDER BY j.run_at, j.job_id LIMIT 1 FOR UPDATE OF j SKIP LOCKED) due"
      "  ) c LIMIT 1)"
      " RETURNING tenant_id, job_id, kind, unique_key, payload::text, attempts,"
      "   set_config('synchronous_commit', 'off', true)",
      double(lease.count()));
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  auto kind = job_kind_from(r[2].as<std::string>());
  if (!kind) return std::nullopt;
  return job{r[0].as<std::string>(), r[1].as<std::int64_t>(), *kind, r[3].as<std::string>(),
             r[4].as<std::string>(), r[5].as<int>()};
}

std::vector<std::int64_t> renew_leases(pqxx::connection& conn, const std::vector<lease_key>& held,
                                       const std::vector<lease_key>& abandoned, std::chrono::seconds lease) {
  std::vector<std::string> tenants, ids, attempts, renew;
  for (const auto* list : {&held, &abandoned}) {
    for (const auto& k : *list) {
      tenants.push_back(k.tenant_id);
      ids.push_back(std::to_string(k.job_id));
      attempts.push_back(std::to_string(k.attempts));
      renew.push_back(list == &held ? "t" : "f");
    }
  }
  if (tenants.empty()) return {};
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec_params(
      "UPDATE jobs j SET lease_until = CASE WHEN k.renew THEN now() + make_interval(secs => $5) ELSE now() END"
      " FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bool[]) AS k(tenant_id, job_id, attempts, renew)"
      " WHERE j.tenant_id = k.tenant_id AND j.job_id = k.job_id AND j.attempts = k.attempts AND j.state = 'running'"
      " RETURNING j.job_id, k.renew",
      text_array(tenants), text_array(ids), text_array(attempts), text_array(renew), double(lease.count()));
  std::vector<std::int64_t> renewed;
  for (const auto& r : rows)
    if (r[1].as<bool>()) renewed.push_back(r[0].as<std::int64_t>());
  return renewed;
}

void complete(pqxx::work& tx, const job& j) {
  auto r = tx.exec_params(
      "DELETE FROM jobs WHERE tenant_id = $1 AND job_id = $2 AND state = 'running' AND attempts = $3",
      j.tenant_id, j.job_id, j.attempts);
  if (r.affected_rows() != 1) throw lease_lost("job lease lost: " + std::to_string(j.job_id));
}

std::chrono::milliseconds backoff_delay(int attempts, double jitter01) {
  const double base_ms = 1000, cap_ms = 5 * 60 * 1000;
  double d = std::min(cap_ms, base_ms * std::pow(2.0, std::max(0, attempts - 1)));
  double jitter = 0.7 + 0.6 * std::clamp(jitter01, 0.0, 1.0);
  return std::chrono::milliseconds(std::llround(d * jitter));
}

bool fail(pqxx::connection& conn, const job& j, const std::string& error_text, int max_attempts) {
  bool dead = j.attempts >= max_attempts;
  double jitter01 = double(std::hash<std::string>{}(j.unique_key + std::to_string(j.attempts)) % 1000) / 999.0;
  double delay = double(backoff_delay(j.attempts, jitter01).count()) / 1000.0;
  pqxx::work tx(conn);
  // A job that coalesced a newer twin while running cannot go back to queued (unique index): the twin covers it.
  if (!dead) {
    auto twin = tx.exec_params("SELECT 1 FROM jobs WHERE tenant_id = $1 AND unique_key = $2 AND state = 'queued'",
                               j.tenant_id, j.unique_key);
    if (!twin.empty()) {
      tx.exec_params0("DELETE FROM jobs WHERE tenant_id = $1 AND job_id = $2 AND attempts = $3", j.tenant_id,
                      j.job_id, j.attempts);
      tx.commit();
      return false;
    }
  }
  tx.exec_params0(
      "UPDATE jobs SET state = $4, last_error = $5, lease_until = NULL, updated_at = now(),"
      "  run_at = now() + make_interval(secs => $6)"
      " WHERE tenant_id = $1 AND job_id = $2 AND attempts = $3",
      j.tenant_id, j.job_id, j.attempts, dead ? "dead" : "queued", error_text.substr(0, 2000), delay);
  tx.commit();
  return dead;
}

void defer(pqxx::connection& conn, const job& j, std::chrono::milliseconds delay, const std::string& reason) {
  pqxx::work tx(conn);
  auto twin = tx.exec_params("SELECT 1 FROM jobs WHERE tenant_id = $1 AND unique_key = $2 AND state = 'queued'",
                             j.tenant_id, j.unique_key);
  if (!twin.empty()) {
    tx.exec_params0("DELETE FROM jobs WHERE tenant_id = $1 AND job_id = $2 AND attempts = $3", j.tenant_id, j.job_id,
                    j.attempts);
  } else {
    tx.exec_params0(
        "UPDATE jobs SET state = 'queued', attempts = attempts - 1, last_error = $4, lease_until = NULL,"
        "  updated_at = now(), run_at = now() + make_interval(secs => $5)"
        " WHERE tenant_id = $1 AND job_id = $2 AND attempts = $3 AND state = 'running'",
        j.tenant_id, j.job_id, j.attempts, reason.substr(0, 2000), double(delay.count()) / 1000.0);
  }
  tx.commit();
}

queue_stats stats(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  auto r = tx.exec1(
      "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running'),"
      "       count(*) FILTER (WHERE state = 'dead') FROM jobs");
  return {r[0].as<long>(), r[1].as<long>(), r[2].as<long>()};
}

}  // namespace doppel::store
