// The admin page's use-cases (/api/admin/*): settings, backfill, rescan, statistics, data deletion. Each checks
// first that the caller is a Jira administrator.
#pragma once

#include "service/context.hpp"
#include "service/settings.hpp"
#include "service/ui_modifications.hpp"
#include "store/dashboard_store.hpp"
#include "util/result.hpp"

#include <string_view>

namespace doppel::service {

// ok when the caller is a Jira admin; errc::forbidden "not_admin"; errc::unavailable "jira_unreachable" when Jira
// cannot answer. Answers are remembered per (tenant, account) in ctx.admins.
status require_admin(context& ctx, const caller& who);

result<tenant_settings> get_settings(context& ctx, const caller& who);
// Reads the JSON body (errc::bad_request "invalid_json"), validates (errc::unprocessable "invalid_settings") and
// saves it; the memory index is reloaded with the new model.
result<tenant_settings> put_settings(context& ctx, const caller& who, std::string_view body);
// Restarts the backfill over the admin's project scope (or the whole site).
status start_backfill(context& ctx, const caller& who);
result<std::string> stop_backfill(context& ctx, const caller& who);
// Queues a full rescan; false when one was already queued.
result<bool> queue_rescan(context& ctx, const caller& who);

struct admin_statistics {
  store::index_overview index;
  store::pair_counts pairs;
  store::job_counts jobs;
  store::backfill_state backfill;
  hints_status hints;  // the create-dialog hints (Forge UI modification)
};
result<admin_statistics> statistics(context& ctx, const caller& who);
// Deletes the tenant's index, pairs, events and jobs (settings and install kept).
result<store::deleted_counts> delete_data(context& ctx, const caller& who);

}  // namespace doppel::service
