// rescan: one batch of the full-backlog rescan ({"after": issue id} to resume, {"scheduled": true} when planned).
#include "jobs/processors/processors.hpp"

#include "service/indexing.hpp"

namespace doppel::jobs {

void rescan(store::write_tx& tx, const store::job& j, service::context& ctx) {
  auto p = payload_of(j);
  service::rescan_batch(tx, ctx, j.tenant_id, string_of(p, "after"), flag_of(p, "scheduled"));
}

}  // namespace doppel::jobs
