// SQL of the pair action history and of the account inventory the personal data report works from.
#include "store/history_store.hpp"

#include "store/inbox.hpp"

namespace doppel::store {
namespace {

std::string iso(const char* column) {
  return std::string("to_char(") + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

// One issue's columns in list_pair_actions (alias d): key, summary, project key, status, created, project id, level.
std::string issue_columns(const char* d) {
  const std::string p = std::string(d) + ".";
  return p + "issue_key, " + p + "summary, " + p + "project_key, " + p + "status, " + p + "created_ms, " + p +
         "project_id, " + p + "security_level_id";
}

issue_meta meta_at(const pqxx::row& r, int at, const std::string& issue_id) {
  issue_meta m;
  m.issue_id = issue_id;
  m.key = r[at].as<std::string>();
  m.summary = r[at + 1].is_null() ? std::string() : r[at + 1].as<std::string>();
  m.project = r[at + 2].as<std::string>();
  m.status = r[at + 3].is_null() ? std::string() : r[at + 3].as<std::string>();
  m.created_ms = r[at + 4].is_null() ? 0 : r[at + 4].as<std::int64_t>();
  m.project_id = r[at + 5].as<std::string>();
  m.security_known = !r[at + 6].is_null();
  if (m.security_known) m.security_level_id = r[at + 6].as<std::string>();
  return m;
}

std::optional<std::string> account_at(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

}  // namespace

bool record_pair_action(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                        const std::string& candidate_id, const std::string& action, bool bulk,
                        const std::string& account_id) {
  auto r = tx.exec_params(
      "WITH act AS (INSERT INTO pair_actions (tenant_id, issue_id, candidate_id, action, bulk, actor_account_id)"
      "   VALUES ($1, $2, $3, $4, $5, $6) RETURNING tenant_id)"
      " INSERT INTO reported_accounts (tenant_id, account_id) SELECT tenant_id, $6 FROM act"
      " ON CONFLICT (tenant_id, account_id) DO NOTHING RETURNING 1",
      tenant_id, issue_id, candidate_id, action, bulk, account_id);
  return !r.empty();
}

std::vector<pair_action_row> list_pair_actions(pqxx::transaction_base& tx, const std::string& tenant_id,
                                               std::int64_t before_id, std::int64_t limit) {
  auto rows = tx.exec_params(
      "SELECT a.action_id, a.issue_id, a.candidate_id, a.action, a.bulk, a.actor_account_id, " + iso("a.acted_at") +
          ", " + issue_columns("i") + ", " + issue_columns("c") +
          " FROM pair_actions a"
          " JOIN index_documents i ON i.tenant_id = a.tenant_id AND i.issue_id = a.issue_id AND i.deleted_ms IS NULL"
          " JOIN index_documents c ON c.tenant_id = a.tenant_id AND c.issue_id = a.candidate_id AND c.deleted_ms IS NULL"
          " WHERE a.tenant_id = $1 AND ($2 = 0 OR a.action_id < $2)"
          " ORDER BY a.action_id DESC LIMIT $3",
      tenant_id, before_id, limit);
  std::vector<pair_action_row> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    pair_action_row a;
    a.action_id = r[0].as<std::int64_t>();
    a.issue = meta_at(r, 7, r[1].as<std::string>());
    a.candidate = meta_at(r, 14, r[2].as<std::string>());
    a.action = r[3].as<std::string>();
    a.bulk = r[4].as<bool>();
    a.account_id = account_at(r[5]);
    a.acted_at = r[6].as<std::string>();
    out.push_back(std::move(a));
  }
  return out;
}

std::map<std::pair<std::string, std::string>, last_action> last_pair_actions(
    pqxx::transaction_base& tx, const std::string& tenant_id,
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<std::pair<std::string, std::string>, last_action> out;
  if (pairs.empty()) return out;
  std::vector<std::string> issues, candidates;
  for (const auto& [i, c] : pairs) {
    issues.push_back(i);
    candidates.push_back(c);
  }
  auto rows = tx.exec_params(
      "SELECT DISTINCT ON (a.issue_id, a.candidate_id) a.issue_id, a.candidate_id, a.action, a.actor_account_id, " +
          iso("a.acted_at") +
          " FROM pair_actions a JOIN unnest($2::text[], $3::text[]) AS p(issue_id, candidate_id)"
          "   ON a.issue_id = p.issue_id AND a.candidate_id = p.candidate_id"
          " WHERE a.tenant_id = $1 ORDER BY a.issue_id, a.candidate_id, a.action_id DESC",
      tenant_id, text_array(issues), text_array(candidates));
  for (const auto& r : rows)
    out[{r[0].as<std::string>(), r[1].as<std::string>()}] = {r[2].as<std::string>(), account_at(r[3]),
                                                             r[4].as<std::string>()};
  return out;
}

void delete_actions_of(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& issue_ids) {
  if (issue_ids.empty()) return;
  tx.exec_params0(
      "DELETE FROM pair_actions WHERE tenant_id = $1 AND (issue_id = ANY($2::text[]) OR candidate_id = ANY($2::text[]))",
      tenant_id, text_array(issue_ids));
}

void delete_tenant_history(pqxx::work& tx, const std::string& tenant_id) {
  tx.exec_params0("DELETE FROM pair_actions WHERE tenant_id = $1", tenant_id);
  tx.exec_params0("DELETE FROM reported_accounts WHERE tenant_id = $1", tenant_id);
}

std::vector<account_due> due_accounts(pqxx::work& tx, const std::string& tenant_id, std::int64_t limit) {
  tx.exec_params0(
      "DELETE FROM reported_accounts r WHERE r.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM pair_actions a"
      " WHERE a.tenant_id = r.tenant_id AND a.actor_account_id = r.account_id)",
      tenant_id);
  auto rows = tx.exec_params(
      "SELECT r.account_id, " + iso("(SELECT min(a.acted_at) FROM pair_actions a"
                                    " WHERE a.tenant_id = r.tenant_id AND a.actor_account_id = r.account_id)") +
          " FROM reported_accounts r WHERE r.tenant_id = $1 AND r.next_report_at <= now()"
          " ORDER BY r.next_report_at, r.account_id LIMIT $2",
      tenant_id, limit);
  std::vector<account_due> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
  return out;
}

void mark_reported(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& account_ids,
                   std::int64_t cycle_seconds) {
  if (account_ids.empty()) return;
  tx.exec_params0(
      "UPDATE reported_accounts SET reported_at = now(), next_report_at = now() + make_interval(secs => $3)"
      " WHERE tenant_id = $1 AND account_id = ANY($2::text[])",
      tenant_id, text_array(account_ids), double(cycle_seconds));
}

void note_account_updated(pqxx::work& tx, const std::string& tenant_id, const std::string& account_id) {
  tx.exec_params0("UPDATE reported_accounts SET updated_seen_at = now() WHERE tenant_id = $1 AND account_id = $2",
                  tenant_id, account_id);
}

std::int64_t erase_account(pqxx::work& tx, const std::string& tenant_id, const std::string& account_id) {
  auto r = tx.exec_params0(
      "UPDATE pair_actions SET actor_account_id = NULL WHERE tenant_id = $1 AND actor_account_id = $2", tenant_id,
      account_id);
  tx.exec_params0("DELETE FROM reported_accounts WHERE tenant_id = $1 AND account_id = $2", tenant_id, account_id);
  return std::int64_t(r.affected_rows());
}

std::optional<std::int64_t> seconds_to_next_report(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto r = tx.exec_params1(
      "SELECT GREATEST(0, CEIL(EXTRACT(EPOCH FROM (min(next_report_at) - now()))))::bigint FROM reported_accounts"
      " WHERE tenant_id = $1",
      tenant_id);
  if (r[0].is_null()) return std::nullopt;
  return r[0].as<std::int64_t>();
}

}  // namespace doppel::store
