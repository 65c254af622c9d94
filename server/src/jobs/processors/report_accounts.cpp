// report_accounts: the tenant's stored account ids reported to Atlassian's personal data reporting API.
#include "jobs/processors/processors.hpp"

#include "service/privacy.hpp"

namespace doppel::jobs {

void report_accounts(store::write_tx& tx, const store::job& j, service::context& ctx) {
  service::report_accounts(tx, ctx, j.tenant_id);
}

}  // namespace doppel::jobs
