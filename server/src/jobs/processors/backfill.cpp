// backfill: the next pages of the site's backlog.
#include "jobs/processors/processors.hpp"

#include "service/backfill.hpp"

namespace doppel::jobs {

void backfill(store::write_tx& tx, const store::job& j, service::context& ctx) {
  service::run_backfill_step(tx, ctx, j.tenant_id);
}

}  // namespace doppel::jobs
