// The review dashboard's use-cases: status, the pairs queue (page, CSV), the summary charts.
#pragma once

#include "service/context.hpp"
#include "store/dashboard_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace doppel::service {

// A page of the review queue.
struct pairs_query {
  store::pair_filter filter;
  std::int64_t page = 1;
  std::int64_t page_size = 25;
};

// JSON of /api/status: backfill progress (rate, ETA, what it waits for) and index overview.
boost::json::object status(context& ctx, const caller& who);
// {"items","total","page","pageSize"}: count and page from one snapshot.
boost::json::object pairs_page(context& ctx, const caller& who, const pairs_query& q);
// The CSV export of the pairs matching f (at most 50,000 rows).
std::string pairs_csv(context& ctx, const caller& who, const store::pair_filter& f);
// JSON of /api/dashboard/summary: headline counts, the daily series, per project.
boost::json::object summary(context& ctx, const caller& who);

// One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF; a cell starting with
// = + - @ TAB or CR is prefixed with ' so spreadsheets do not run it as a formula.
std::string csv_cell(std::string_view text);
// The CSV export of the tenant's pairs matching f: header line, then at most max_rows rows read in
// pages of page_rows (CRLF line ends). The last three columns come from the pair history: last_action (link,
// dismiss, restore), last_action_by (account id, or "erased"), last_action_at (ISO 8601); empty when none.
std::string build_pairs_csv(store::tx_base& tx, const std::string& tenant_id, const store::pair_filter& f,
                            std::size_t max_rows, std::size_t page_rows = 1000);
// The same JSON as status() / summary(), read in the caller's transaction.
boost::json::object status_json(store::tx_base& tx, const std::string& tenant_id);
boost::json::object summary_json(store::tx_base& tx, const std::string& tenant_id);

}  // namespace doppel::service
