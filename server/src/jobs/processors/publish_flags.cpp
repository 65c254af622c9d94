// publish_flags: a new issue's likely pairs, then an issue's badge (and, for a new issue, the candidates comment) in Jira.
#include "jobs/processors/processors.hpp"

#include "service/flags.hpp"
#include "service/indexing.hpp"

#include <stdexcept>

namespace doppel::jobs {

void publish_flags(store::write_tx& tx, const store::job& j, service::context& ctx) {
  auto p = payload_of(j);
  auto what = flag_of(p, "refresh") ? service::flags_refresh::badge_only : service::flags_refresh::new_issue;
  // Not waiting for this commit's WAL flush is safe: a commit lost in a database crash leaves the job to run again,
  // and every step repeats harmlessly (pairs upserted, the badge rewritten, the comment guarded by its marker). It
  // keeps these commits from queueing WAL flushes in front of webhook acknowledgements.
  tx.exec0("SET LOCAL synchronous_commit = off");
  // A new issue's pairs are rated from both ends, which needs it in this replica's memory copy (published by the
  // apply's commit: on another replica a moment later, so the retry finds it).
  if (what == service::flags_refresh::new_issue &&
      !service::store_new_issue_pairs(tx, ctx, j.tenant_id, string_of(p, "issueId")))
    throw std::runtime_error("flags: the new issue is not in this replica's index yet");
  service::publish_flags(tx, ctx, j.tenant_id, string_of(p, "issueId"), string_of(p, "issueKey"), what, j.attempts);
}

}  // namespace doppel::jobs
