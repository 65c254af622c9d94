// sync_ui_modification: the create-dialog hints' UI modification entity in step with the admin's project scope.
#include "jobs/processors/processors.hpp"

#include "service/ui_modifications.hpp"

namespace doppel::jobs {

void sync_ui_modification(store::write_tx& tx, const store::job& j, service::context& ctx) {
  service::sync_ui_modification(tx, ctx, j.tenant_id);
}

}  // namespace doppel::jobs
