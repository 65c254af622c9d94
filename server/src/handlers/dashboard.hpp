// Dashboard API: backfill/index status, the pairs review queue (list, bulk actions, CSV export), summary.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"
#include "service/dashboard.hpp"
#include "util/result.hpp"


#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::handlers {

net::reply api_status(env& e, net::request_context& ctx);
net::reply list_pairs(env& e, net::request_context& ctx);
net::reply bulk_pairs(env& e, net::request_context& ctx);
net::reply pairs_csv(env& e, net::request_context& ctx);
net::reply dashboard_summary(env& e, net::request_context& ctx);
net::reply pair_history(env& e, net::request_context& ctx);

// Query parameters of /api/pairs and /api/pairs.csv (errc::bad_request "invalid_filter" on bad values).
result<service::pairs_query> parse_pairs_query(const net::request_context& ctx);

}  // namespace doppel::handlers
