// Seeding for integration tests that call use-cases (see test_seed.hpp).
#include "integration/test_seed.hpp"

namespace doppel::test {

void add_tenant(pqxx::connection& c, const std::string& tenant_id) {
  pqxx::work tx(c);
  tx.exec_params0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ($1, 'connect', 'https://x.example', 'enabled')",
                  tenant_id);
  tx.commit();
}

void add_connect_tenant(pqxx::connection& c, const auth::secret_box& secrets, const std::string& tenant,
                        const std::string& base_url, const std::string& shared_secret) {
  pqxx::work tx(c);
  tx.exec_params(
      "INSERT INTO tenants (tenant_id, kind, base_url, secret_box, state) VALUES ($1, 'connect', $2, $3, 'enabled')",
      tenant, base_url, secrets.seal(shared_secret));
  tx.commit();
}

void add_issue(pqxx::transaction_base& tx, const std::string& tenant, const issue_row& issue) {
  tx.exec_params(
      "INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key, status, summary, created_ms, updated_ms,"
      " project_id, security_level_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
      tenant, issue.id, issue.key, issue.project, issue.status, issue.summary, issue.created_ms, issue.project_id,
      issue.level);
}

store::inbound_event issue_event(const std::string& tenant, const std::string& delivery, const std::string& issue_id,
                                 std::string payload) {
  store::inbound_event ev;
  ev.tenant_id = tenant;
  ev.source = "connect";
  ev.type = store::event_type::created;
  ev.issue_id = issue_id;
  ev.delivery_id = delivery;
  ev.payload = std::move(payload);
  return ev;
}

long count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<long>();
}

}  // namespace doppel::test
