// SQL for backfill_progress.
#include "store/backfill_store.hpp"

namespace doppel::store {

bool start_backfill(pqxx::work& tx, const std::string& tenant_id, const std::string& jql, bool only_if_absent) {
  auto r = tx.exec_params(
      std::string("INSERT INTO backfill_progress (tenant_id, state, jql) VALUES ($1, 'running', $2)"
                  " ON CONFLICT (tenant_id) DO ") +
          (only_if_absent ? "NOTHING"
                          : "UPDATE SET state = 'running', jql = EXCLUDED.jql, next_page_token = NULL, seen = 0,"
                            " indexed = 0, total_estimate = NULL, last_error = NULL, started_at = now(),"
                            " updated_at = now(), finished_at = NULL"),
      tenant_id, jql);
  return r.affected_rows() == 1;
}

void stop_backfill(pqxx::work& tx, const std::string& tenant_id) {
  tx.exec_params0(
      "UPDATE backfill_progress SET state = 'stopped', updated_at = now() WHERE tenant_id = $1 AND state = 'running'",
      tenant_id);
}

std::string backfill_jql(const std::vector<std::string>& projects) {
  if (projects.empty()) return "created >= \"1970-01-01\" ORDER BY created ASC";
  std::string list;
  for (const auto& p : projects) {
    if (!list.empty()) list += ", ";
    list += "\"" + p + "\"";
  }
  return "project in (" + list + ") ORDER BY created ASC";
}

std::optional<backfill_position> lock_running_backfill(pqxx::work& tx, const std::string& tenant_id) {
  auto r = tx.exec_params(
      "SELECT state, jql, COALESCE(next_page_token, ''), total_estimate IS NULL FROM backfill_progress"
      " WHERE tenant_id = $1 FOR UPDATE",
      tenant_id);
  if (r.empty() || r[0][0].as<std::string>() != "running") return std::nullopt;
  return backfill_position{r[0][1].as<std::string>(), r[0][2].as<std::string>(), r[0][3].as<bool>()};
}

bool set_backfill_waiting(pqxx::work& tx, const std::string& tenant_id, const std::string& reason) {
  auto r = tx.exec_params(
      "UPDATE backfill_progress SET waiting_for = $2, updated_at = now()"
      " WHERE tenant_id = $1 AND waiting_for IS DISTINCT FROM $2",
      tenant_id, reason);
  return r.affected_rows() > 0;
}

void set_backfill_total(pqxx::work& tx, const std::string& tenant_id, std::int64_t total) {
  tx.exec_params0("UPDATE backfill_progress SET total_estimate = $2 WHERE tenant_id = $1", tenant_id, total);
}

void record_backfill_pages(pqxx::work& tx, const std::string& tenant_id, long seen, long indexed,
                           const std::string& next_page_token, bool done) {
  tx.exec_params0(
      "UPDATE backfill_progress SET seen = seen + $2, indexed = indexed + $3, next_page_token = NULLIF($4, ''),"
      "  state = CASE WHEN $5 THEN 'done' ELSE state END, finished_at = CASE WHEN $5 THEN now() END,"
      "  updated_at = now(), last_error = NULL, waiting_for = NULL WHERE tenant_id = $1",
      tenant_id, seen, indexed, next_page_token, done);
}

}  // namespace doppel::store
