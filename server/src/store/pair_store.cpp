// SQL for the pairs table.
#include "store/pair_store.hpp"

#include "store/history_store.hpp"

#include <boost/json.hpp>

namespace doppel::store {

int upsert_candidates(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                      const std::vector<scored_candidate>& candidates) {
  for (const auto& h : candidates) {
    if (h.issue_id == issue_id) continue;
    boost::json::array terms;
    for (const auto& t : h.terms) terms.emplace_back(t);
    tx.exec_params0(
        "INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, terms) VALUES ($1, $2, $3, $4, $5::jsonb)"
        " ON CONFLICT (tenant_id, issue_id, candidate_id) DO UPDATE SET score = EXCLUDED.score,"
        "   terms = EXCLUDED.terms, updated_at = now() WHERE pairs.status = 'pending'",
        tenant_id, issue_id, h.issue_id, h.score, boost::json::serialize(terms));
  }
  return pending_count(tx, tenant_id, issue_id);
}

void set_pair_status(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                     const std::string& candidate_id, const std::string& status, double score_if_new) {
  tx.exec_params0(
      "INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status, decided_by)"
      " VALUES ($1, $2, $3, $4, $5, 'user')"
      " ON CONFLICT (tenant_id, issue_id, candidate_id) DO UPDATE SET status = EXCLUDED.status,"
      "   decided_by = 'user', updated_at = now()",
      tenant_id, issue_id, candidate_id, score_if_new, status);
}

std::unordered_set<std::string> dismissed_for(pqxx::transaction_base& tx, const std::string& tenant_id,
                                              const std::string& issue_id) {
  return dismissed_among(pairs_for(tx, tenant_id, issue_id), issue_id);
}

std::unordered_set<std::string> dismissed_among(const std::vector<pair_row>& pairs, const std::string& issue_id) {
  std::unordered_set<std::string> out;
  for (const auto& p : pairs)
    if (p.status == "dismissed") out.insert(p.issue_id == issue_id ? p.candidate_id : p.issue_id);
  return out;
}

std::vector<pair_row> pairs_for(pqxx::transaction_base& tx, const std::string& tenant_id, const std::string& issue_id) {
  std::vector<pair_row> out;
  auto rows = tx.exec_params(
      "SELECT issue_id, candidate_id, score, status FROM pairs"
      " WHERE tenant_id = $1 AND (issue_id = $2 OR candidate_id = $2)",
      tenant_id, issue_id);
  for (const auto& r : rows)
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<double>(), r[3].as<std::string>()});
  return out;
}

void delete_pairs_of(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& issue_ids) {
  if (issue_ids.empty()) return;
  std::string array = "{";
  for (std::size_t i = 0; i < issue_ids.size(); ++i) {
    if (i) array += ',';
    array += '"' + issue_ids[i] + '"';  // issue ids are numeric strings (validated at intake)
  }
  array += '}';
  tx.exec_params0(
      "DELETE FROM pairs WHERE tenant_id = $1 AND (issue_id = ANY($2::text[]) OR candidate_id = ANY($2::text[]))",
      tenant_id, array);
  delete_actions_of(tx, tenant_id, issue_ids);  // a pair's history goes with it
}

int pending_count(pqxx::transaction_base& tx, const std::string& tenant_id, const std::string& issue_id) {
  return tx.exec_params1("SELECT count(*) FROM pairs WHERE tenant_id = $1 AND issue_id = $2 AND status = 'pending'",
                         tenant_id, issue_id)[0]
      .as<int>();
}

std::vector<candidate_line> pending_candidates(pqxx::transaction_base& tx, const std::string& tenant_id,
                                               const std::string& issue_id, int limit) {
  auto rows = tx.exec_params(
      "SELECT d.issue_key, d.summary FROM pairs p"
      " JOIN index_documents i ON i.tenant_id = p.tenant_id AND i.issue_id = p.issue_id"
      " JOIN index_documents d ON d.tenant_id = p.tenant_id AND d.issue_id = p.candidate_id"
      " WHERE p.tenant_id = $1 AND p.issue_id = $2 AND p.status = 'pending' AND d.deleted_ms IS NULL"
      "   AND d.project_key = i.project_key AND d.security_level_id = ''"
      " ORDER BY p.score DESC, d.issue_key LIMIT $3",
      tenant_id, issue_id, limit);
  std::vector<candidate_line> out;
  for (const auto& r : rows)
    out.push_back({r[0].as<std::string>(), r[1].is_null() ? std::string() : r[1].as<std::string>()});
  return out;
}

}  // namespace doppel::store
