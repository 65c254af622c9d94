// Admin API (/api/admin/*): settings, backfill start/stop, rescan, statistics, data deletion. Jira admins only.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"


namespace doppel::handlers {

net::reply get_config(env& e, net::request_context& ctx);
net::reply put_config(env& e, net::request_context& ctx);
net::reply start_backfill(env& e, net::request_context& ctx);
net::reply stop_backfill(env& e, net::request_context& ctx);
net::reply queue_rescan(env& e, net::request_context& ctx);
net::reply admin_stats(env& e, net::request_context& ctx);
net::reply delete_data(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
