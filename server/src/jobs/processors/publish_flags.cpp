// publish_flags: an issue's badge (and, for a new issue, the candidates comment) in Jira.
#include "jobs/processors/processors.hpp"

#include "service/flags.hpp"

namespace doppel::jobs {

void publish_flags(store::write_tx& tx, const store::job& j, service::context& ctx) {
  auto p = payload_of(j);
  auto what = flag_of(p, "refresh") ? service::flags_refresh::badge_only : service::flags_refresh::new_issue;
  service::publish_flags(tx, ctx, j.tenant_id, string_of(p, "issueId"), string_of(p, "issueKey"), what, j.attempts);
}

}  // namespace doppel::jobs
