// SQL of the review dashboard and the admin API (pairs joined with both issues' index metadata).
#include "store/dashboard_store.hpp"

#include "store/history_store.hpp"
#include "store/index_store.hpp"

namespace doppel::store {
namespace {

// Pairs whose two issues are live in the index, with both issues' metadata. $1 = tenant.
constexpr const char* live_pairs =
    " FROM pairs p"
    " JOIN index_documents i ON i.tenant_id = p.tenant_id AND i.issue_id = p.issue_id AND i.deleted_ms IS NULL"
    " JOIN index_documents c ON c.tenant_id = p.tenant_id AND c.issue_id = p.candidate_id AND c.deleted_ms IS NULL"
    " WHERE p.tenant_id = $1";

// The filters as fixed parameters: $2 status, $3 project, $4 min score, $5 q, $6 LIKE pattern of q.
constexpr const char* filter_conditions =
    " AND ($2 = '' OR p.status = $2)"
    " AND ($3 = '' OR i.project_key = $3)"
    " AND p.score >= $4::double precision"
    " AND ($5 = '' OR i.issue_key ILIKE $6 ESCAPE '\\' OR i.summary ILIKE $6 ESCAPE '\\'"
    "      OR c.issue_key ILIKE $6 ESCAPE '\\' OR c.summary ILIKE $6 ESCAPE '\\')";

constexpr const char* item_columns =
    "SELECT p.issue_id, i.issue_key, i.summary, i.project_key, i.status, i.created_ms,"
    " p.candidate_id, c.issue_key, c.summary, c.project_key, c.status, c.created_ms,"
    " p.score, p.status, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

// " AND <alias's issue visible>": no security level and its project among $first (text[]), or its id among
// $first+1 (text[]). An issue of unknown level (NULL) or project ('') is visible only by its id.
std::string visible_issue(const char* alias, int first) {
  const std::string a(alias), projects = "$" + std::to_string(first) + "::text[]",
                             ids = "$" + std::to_string(first + 1) + "::text[]";
  return " AND ((" + a + ".security_level_id = '' AND " + a + ".project_id <> '' AND " + a + ".project_id = ANY(" +
         projects + ")) OR " + a + ".issue_id = ANY(" + ids + "))";
}

// Both issues of the pair (aliases i and c) visible; parameters $first and $first+1.
std::string both_visible(int first) { return visible_issue("i", first) + visible_issue("c", first); }

std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "%";
}

pair_item item_of(const pqxx::row& r) {
  pair_item it;
  it.issue = {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
              r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::int64_t>()};
  it.candidate = {r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>(),
                  r[9].as<std::string>(), r[10].as<std::string>(), r[11].as<std::int64_t>()};
  it.score = r[12].as<double>();
  it.status = r[13].as<std::string>();
  it.created_at = r[14].as<std::string>();
  return it;
}

}  // namespace

visibility_inputs read_visibility_inputs(pqxx::transaction_base& tx, const std::string& tenant_id,
                                         std::int64_t max_issue_ids) {
  visibility_inputs in;
  // The project keys by a skip scan of index_documents_by_project, then one plain issue's project id per key (a
  // key whose plain issues all lack the id contributes none: those issues stay hidden).
  for (const auto& r : tx.exec_params(
           "WITH RECURSIVE keys AS ("
           "  (SELECT project_key FROM index_documents WHERE tenant_id = $1 AND deleted_ms IS NULL"
           "   ORDER BY project_key LIMIT 1)"
           "  UNION ALL SELECT (SELECT d.project_key FROM index_documents d WHERE d.tenant_id = $1"
           "                    AND d.deleted_ms IS NULL AND d.project_key > keys.project_key"
           "                    ORDER BY d.project_key LIMIT 1)"
           "  FROM keys WHERE keys.project_key IS NOT NULL)"
           " SELECT DISTINCT one.project_id FROM keys CROSS JOIN LATERAL"
           "  (SELECT d.project_id FROM index_documents d WHERE d.tenant_id = $1 AND d.deleted_ms IS NULL"
           "   AND d.project_key = keys.project_key AND d.security_level_id = '' AND d.project_id <> '' LIMIT 1) one"
           " ORDER BY 1",
           tenant_id))
    in.project_ids.push_back(r[0].as<std::string>());
  for (const auto& r : tx.exec_params(
           "SELECT d.issue_id FROM index_documents d WHERE d.tenant_id = $1 AND d.deleted_ms IS NULL"
           "   AND (d.security_level_id IS NULL OR d.security_level_id <> '' OR d.project_id = '')"
           " ORDER BY NOT (EXISTS (SELECT 1 FROM pairs p WHERE p.tenant_id = $1 AND p.issue_id = d.issue_id)"
           "               OR EXISTS (SELECT 1 FROM pairs p WHERE p.tenant_id = $1 AND p.candidate_id = d.issue_id)),"
           "          d.issue_id LIMIT $2",
           tenant_id, max_issue_ids))
    in.issue_ids.push_back(r[0].as<std::string>());
  return in;
}

std::vector<pair_item> list_pairs(pqxx::transaction_base& tx, const std::string& tenant_id, const pair_filter& f,
                                  const visible_issues& visible, std::int64_t offset, std::int64_t limit) {
  auto rows = tx.exec_params(std::string(item_columns) + live_pairs + filter_conditions + both_visible(9) +
                                 " ORDER BY p.score DESC, p.created_at DESC, p.issue_id, p.candidate_id"
                                 " LIMIT $7 OFFSET $8",
                             tenant_id, f.status, f.project, f.min_score, f.q, like_pattern(f.q), limit, offset,
                             array_literal(visible.project_ids), array_literal(visible.issue_ids));
  std::vector<pair_item> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(item_of(r));
  return out;
}

std::int64_t count_pairs(pqxx::transaction_base& tx, const std::string& tenant_id, const pair_filter& f,
                         const visible_issues& visible) {
  auto rows = tx.exec_params(std::string("SELECT count(*)") + live_pairs + filter_conditions + both_visible(7),
                             tenant_id, f.status, f.project, f.min_score, f.q, like_pattern(f.q),
                             array_literal(visible.project_ids), array_literal(visible.issue_ids));
  return rows[0][0].as<std::int64_t>();
}

std::optional<pair_item> find_pair_by_keys(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::string& issue_key, const std::string& candidate_key) {
  auto rows = tx.exec_params(std::string(item_columns) + live_pairs +
                                 " AND ((i.issue_key = $2 AND c.issue_key = $3) OR (i.issue_key = $3 AND c.issue_key = $2))"
                                 " ORDER BY (i.issue_key = $2) DESC LIMIT 1",
                             tenant_id, issue_key, candidate_key);
  if (rows.empty()) return std::nullopt;
  return item_of(rows[0]);
}

constexpr const char* status_counts =
    "SELECT count(*) FILTER (WHERE p.status = 'pending'), count(*) FILTER (WHERE p.status = 'confirmed'),"
    " count(*) FILTER (WHERE p.status = 'dismissed')";

pair_counts count_by_status(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(std::string(status_counts) + live_pairs, tenant_id);
  return {rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(), rows[0][2].as<std::int64_t>()};
}

pair_counts count_by_status(pqxx::transaction_base& tx, const std::string& tenant_id, const visible_issues& visible) {
  auto rows = tx.exec_params(std::string(status_counts) + live_pairs + both_visible(2), tenant_id,
                             array_literal(visible.project_ids), array_literal(visible.issue_ids));
  return {rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(), rows[0][2].as<std::int64_t>()};
}

std::vector<day_point> daily_series(pqxx::transaction_base& tx, const std::string& tenant_id, int days,
                                    const visible_issues& visible) {
  auto rows = tx.exec_params(
      std::string("WITH days AS (SELECT generate_series((now() AT TIME ZONE 'UTC')::date - ($2::int - 1),"
                  "                                   (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS d),"
                  " base AS (SELECT p.status, (p.created_at AT TIME ZONE 'UTC')::date AS found_day,"
                  "                 (p.updated_at AT TIME ZONE 'UTC')::date AS decided_day") +
          live_pairs + both_visible(3) +
          "   AND (p.created_at >= now() - ($2::int + 1) * interval '1 day'"
          "        OR p.updated_at >= now() - ($2::int + 1) * interval '1 day')),"
          " found AS (SELECT found_day AS d, count(*) AS n FROM base GROUP BY 1),"
          " confirmed AS (SELECT decided_day AS d, count(*) AS n FROM base WHERE status = 'confirmed' GROUP BY 1)"
          " SELECT to_char(days.d, 'YYYY-MM-DD'), COALESCE(found.n, 0), COALESCE(confirmed.n, 0)"
          " FROM days LEFT JOIN found USING (d) LEFT JOIN confirmed USING (d) ORDER BY days.d",
      tenant_id, days, array_literal(visible.project_ids), array_literal(visible.issue_ids));
  std::vector<day_point> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  return out;
}

std::vector<project_point> by_project(pqxx::transaction_base& tx, const std::string& tenant_id, int limit,
                                      const visible_issues& visible) {
  auto rows = tx.exec_params(std::string("SELECT i.project_key, count(*), count(*) FILTER (WHERE p.status = 'confirmed')") +
                                 live_pairs + both_visible(3) + " GROUP BY i.project_key ORDER BY 2 DESC, 1 LIMIT $2",
                             tenant_id, limit, array_literal(visible.project_ids), array_literal(visible.issue_ids));
  std::vector<project_point> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  return out;
}

backfill_state read_backfill(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(
      "SELECT state, seen, indexed, total_estimate,"
      " GREATEST(0, EXTRACT(EPOCH FROM (CASE WHEN finished_at IS NOT NULL THEN finished_at"
      "                                      WHEN state = 'running' THEN now() ELSE updated_at END) - started_at))"
      "::double precision, COALESCE(waiting_for, '') FROM backfill_progress WHERE tenant_id = $1",
      tenant_id);
  backfill_state b;
  if (rows.empty()) return b;
  const auto& r = rows[0];
  b.state = r[0].as<std::string>();
  b.seen = r[1].as<std::int64_t>();
  b.indexed = r[2].as<std::int64_t>();
  if (!r[3].is_null()) b.total = r[3].as<std::int64_t>();
  b.elapsed_seconds = r[4].as<double>();
  if (b.state == "running") b.waiting_for = r[5].as<std::string>();
  return b;
}

std::int64_t count_visible_issues(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const visible_issues& visible) {
  return tx.exec_params("SELECT count(*) FROM index_documents d WHERE d.tenant_id = $1 AND d.deleted_ms IS NULL" +
                            visible_issue("d", 2),
                        tenant_id, array_literal(visible.project_ids), array_literal(visible.issue_ids))[0][0]
      .as<std::int64_t>();
}

index_overview read_index_overview(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(
      "SELECT COALESCE((SELECT documents FROM index_stats WHERE tenant_id = $1), 0),"
      " (SELECT count(*) FROM index_terms WHERE tenant_id = $1),"
      " (SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
      "  FROM inbox WHERE tenant_id = $1)",
      tenant_id);
  index_overview o;
  o.issues = rows[0][0].as<std::int64_t>();
  o.terms = rows[0][1].as<std::int64_t>();
  if (!rows[0][2].is_null()) o.last_event_at = rows[0][2].as<std::string>();
  return o;
}

job_counts count_jobs(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(
      "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running'),"
      " count(*) FILTER (WHERE state = 'dead') FROM jobs WHERE tenant_id = $1",
      tenant_id);
  return {rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(), rows[0][2].as<std::int64_t>()};
}

deleted_counts delete_tenant_data(pqxx::work& tx, const std::string& tenant_id) {
  deleted_counts d;
  d.issues = tx.exec_params(
                   "SELECT count(*) FROM index_documents WHERE tenant_id = $1 AND deleted_ms IS NULL", tenant_id)[0][0]
                 .as<std::int64_t>();
  delete_tenant_index(tx, tenant_id);
  d.pairs = tx.exec_params("DELETE FROM pairs WHERE tenant_id = $1", tenant_id).affected_rows();
  delete_tenant_history(tx, tenant_id);
  d.events = tx.exec_params("DELETE FROM inbox WHERE tenant_id = $1", tenant_id).affected_rows();
  tx.exec_params("DELETE FROM backfill_progress WHERE tenant_id = $1", tenant_id);
  d.jobs = tx.exec_params("DELETE FROM jobs WHERE tenant_id = $1", tenant_id).affected_rows();
  return d;
}

}  // namespace doppel::store
