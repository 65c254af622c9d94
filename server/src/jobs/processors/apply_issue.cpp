// apply_issue: an issue's accepted events (created, updated, deleted) into the index.
#include "jobs/processors/processors.hpp"

#include "service/indexing.hpp"

namespace doppel::jobs {

void apply_issue(store::write_tx& tx, const store::job& j, service::context& ctx) {
  service::apply_issue_events(tx, ctx, j.tenant_id, string_of(payload_of(j), "issueId"));
}

}  // namespace doppel::jobs
