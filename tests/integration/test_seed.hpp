// Seeding for integration tests: the objects `serve` wires around service::context, Connect tenants (with or without
// a sealed shared secret), index rows, webhook events, and the loopback server a fake Jira answers on.
#pragma once

#include "service/context.hpp"
#include "store/db_pool.hpp"
#include "store/inbox.hpp"
#include "store/index_cache.hpp"
#include "unit/jira/loopback_server.hpp"

#include <pqxx/pqxx>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace doppel::test {

// The objects `serve` wires for the use-cases, on a pool of two connections to `database_url`; the memory copies
// come from `loader` (default: empty indexes).
struct service_harness {
  std::string url;
  store::db_pool pool;
  store::database db;
  auth::secret_box secrets{std::string(32, 'k')};
  auth::host_allowlist hosts = std::move(*auth::host_allowlist::parse("*.atlassian.net"));
  store::index_cache index;
  auth::tenant_key_cache tenant_keys;
  service::admin_cache admins;
  service::context ctx{db, index, std::make_shared<const jira::http_client>(), secrets, hosts, tenant_keys, admins,
                       "io.doppel.jira"};

  explicit service_harness(std::string database_url,
                           store::index_cache::loader_fn loader = [](const std::string&, std::int64_t&) {
                             return core::search_index(core::model_options{});
                           })
      : url(std::move(database_url)), pool(url, 2), db(pool), index(std::move(loader)) {}
};

// An enabled Connect tenant at https://x.example without a secret (enough for the inbox and the job queue).
void add_tenant(pqxx::connection& c, const std::string& tenant_id);

// An enabled Connect tenant served from `base_url`, its shared secret sealed with `secrets`.
void add_connect_tenant(pqxx::connection& c, const auth::secret_box& secrets, const std::string& tenant,
                        const std::string& base_url, const std::string& shared_secret);

// One row of a tenant's index (index_documents). project_id "" and level nullopt = not known (the column defaults);
// level "" = no level.
struct issue_row {
  std::string id, key, project, summary;
  std::int64_t created_ms = 0;  // also its updated_ms
  std::string status = "Open";
  std::string project_id;
  std::optional<std::string> level;
};
void add_issue(pqxx::transaction_base& tx, const std::string& tenant, const issue_row& issue);

// A Connect issue-created event of `tenant` as the webhook handler hands it to the inbox: delivery id `delivery`,
// the body `payload` as received.
store::inbound_event issue_event(const std::string& tenant, const std::string& delivery, const std::string& issue_id,
                                 std::string payload);

// The one number `sql` answers (a count), read outside a transaction.
long count(pqxx::connection& c, const std::string& sql);

}  // namespace doppel::test
