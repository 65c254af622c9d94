// purge_tenant: an uninstalled tenant's data, once its retention window has passed.
#include "jobs/processors/processors.hpp"

#include "service/tenants.hpp"

namespace doppel::jobs {

void purge_tenant(store::write_tx& tx, const store::job& j, service::context& ctx) {
  service::purge_if_due(tx, ctx, j.tenant_id);
}

}  // namespace doppel::jobs
