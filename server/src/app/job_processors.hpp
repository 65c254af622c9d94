// The background job processors: apply events, backfill from Jira, rescan, publish flags, purge tenants.
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "app/tenant_settings.hpp"
#include "core/index.hpp"
#include "jobs/worker_pool.hpp"

namespace doppel::app {

void register_job_processors(jobs::worker_pool& workers, app_context& app, services& svc);

// The search filter a tenant's settings give for suggestions about an issue of `project`.
core::search_filter filter_for(const tenant_settings& s, const std::string& project, std::size_t limit);

// Queues the next scheduled full rescan for the tenant's schedule ("daily" | "weekly"; "off" queues nothing).
// One scheduled rescan is queued at a time (coalesced on its unique key).
void schedule_rescan(pqxx::work& tx, const std::string& tenant_id, const std::string& schedule);

// Name of the issue property that drives the panel's label in Jira.
std::string panel_status_property(const std::string& app_key);
// The comment property that marks Doppel's candidates comment (looked for before a retry posts again).
std::string comment_marker_property(const std::string& app_key);

}  // namespace doppel::app
