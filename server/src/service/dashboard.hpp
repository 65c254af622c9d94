// The review dashboard's use-cases: status, the pairs queue (page, CSV), the summary charts.
#pragma once

#include "service/context.hpp"
#include "store/dashboard_store.hpp"
#include "util/result.hpp"

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

// Issue-level permission checks one dashboard request makes at most (two Jira calls of 1,000 ids): issues with a
// security level, or whose level or project is not known, beyond this many (those in pairs go first) are not shown.
inline constexpr std::int64_t max_issue_checks = 2000;

// What the viewer may see of the tenant's index, asked of Jira for this request (project grants from the 60 s
// cache, issue-level grants fresh). partial = more than max_issue_checks issues needed an issue-level check: the
// rest count as not visible (fail closed). Errors: errc::unauthorized "anonymous_viewer"; errc::unavailable
// "permission_check_failed" (nothing shown); jira_for_tenant's errors.
struct viewer_scope {
  store::visible_issues visible;
  bool partial = false;
};
result<viewer_scope> scope_for(context& ctx, const caller& who);

// JSON of /api/status: backfill progress (rate, ETA, what it waits for) and index overview. Tenant-wide counts with
// no issue content, so not filtered per viewer; a viewer is required (errc::unauthorized "anonymous_viewer").
result<boost::json::object> status(context& ctx, const caller& who);
// {"items","total","page","pageSize","partial"}: count and page from one snapshot, only pairs whose two issues the
// viewer may browse. Errors: scope_for's.
result<boost::json::object> pairs_page(context& ctx, const caller& who, const pairs_query& q);
// The CSV export of the pairs matching f the viewer may see (at most 50,000 rows). Errors: scope_for's.
result<std::string> pairs_csv(context& ctx, const caller& who, const store::pair_filter& f);
// JSON of /api/dashboard/summary: headline counts, the daily series, per project, all over what the viewer may see;
// "partial" as in viewer_scope. Errors: scope_for's.
result<boost::json::object> summary(context& ctx, const caller& who);

// One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF; a cell starting with
// = + - @ TAB or CR is prefixed with ' so spreadsheets do not run it as a formula.
std::string csv_cell(std::string_view text);
// The CSV export of the tenant's pairs matching f among the visible issues: header line, then at most max_rows rows
// read in pages of page_rows (CRLF line ends). The last three columns come from the pair history: last_action (link,
// dismiss, restore), last_action_by (account id, or "erased"), last_action_at (ISO 8601); empty when none.
std::string build_pairs_csv(store::tx_base& tx, const std::string& tenant_id, const store::pair_filter& f,
                            const store::visible_issues& visible, std::size_t max_rows, std::size_t page_rows = 1000);
// The same JSON as status() / summary(), read in the caller's transaction.
boost::json::object status_json(store::tx_base& tx, const std::string& tenant_id);
boost::json::object summary_json(store::tx_base& tx, const std::string& tenant_id, const store::visible_issues& visible);

}  // namespace doppel::service
