// Dashboard API: backfill/index status, the pairs review queue (list, bulk actions, CSV export), summary.
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/context.hpp"
#include "store/dashboard_store.hpp"
#include "util/result.hpp"

#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::handlers {

net::reply api_status(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply list_pairs(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply bulk_pairs(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply pairs_csv(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply dashboard_summary(app::app_context& app, app::services& svc, net::request_context& ctx);

// Query parameters of /api/pairs and /api/pairs.csv (errc::bad_request "invalid_filter" on bad values).
struct pairs_query {
  store::pair_filter filter;
  std::int64_t page = 1;
  std::int64_t page_size = 25;
};
result<pairs_query> parse_pairs_query(const net::request_context& ctx);

// One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF; a cell starting with
// = + - @ TAB or CR is prefixed with ' so spreadsheets do not run it as a formula.
std::string csv_cell(std::string_view text);
// The CSV export of the tenant's pairs matching f: header line, then at most max_rows rows read in
// pages of page_rows (CRLF line ends).
std::string build_pairs_csv(pqxx::transaction_base& tx, const std::string& tenant_id, const store::pair_filter& f,
                            std::size_t max_rows, std::size_t page_rows = 1000);

// JSON of /api/status and /api/dashboard/summary for a tenant (read in the caller's transaction).
boost::json::object status_json(pqxx::transaction_base& tx, const std::string& tenant_id);
boost::json::object summary_json(pqxx::transaction_base& tx, const std::string& tenant_id);

}  // namespace doppel::handlers
