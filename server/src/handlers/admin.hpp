// Admin API (/api/admin/*): settings, backfill start/stop, rescan, statistics, data deletion. Jira admins only.
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/context.hpp"

#include <optional>

namespace doppel::handlers {

// The server-side admin check every /api/admin/* handler runs first: nullopt when the caller is a Jira
// admin, else the reply to send (403 not_admin; 503 jira_unreachable when Jira cannot answer).
// Answers are remembered per (tenant, account) in svc.admins.
std::optional<net::reply> require_admin(app::app_context& app, app::services& svc, const net::caller& who);

net::reply get_config(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply put_config(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply start_backfill(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply stop_backfill(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply queue_rescan(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply admin_stats(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply delete_data(app::app_context& app, app::services& svc, net::request_context& ctx);

}  // namespace doppel::handlers
