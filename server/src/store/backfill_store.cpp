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

}  // namespace doppel::store
