// The pair action history (RFC M-006): recorded with each pair change, listed for the dashboard (only pairs whose
// two issues the viewer may browse), and summarised per pair for the CSV export.
#pragma once

#include "service/context.hpp"
#include "store/database.hpp"
#include "store/history_store.hpp"
#include "util/result.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace doppel::service {

// In the pair change's transaction: who (account id) did what (link | dismiss | restore, bulk or not) to the pair.
// A new account's first action queues its personal data report.
void record_pair_action(store::write_tx& tx, const std::string& tenant_id, const std::string& issue_id,
                        const std::string& candidate_id, const std::string& action, bool bulk,
                        const std::string& account_id);

struct history_query {
  std::int64_t before = 0;  // action id cursor from a previous page's "next" (0 = newest)
  std::int64_t limit = 50;
};
// {"items":[{"id","action","bulk","by","at","issue":{key,summary,project,status},"candidate":{...}}],"next"}:
// newest first, only actions on pairs whose two issues the viewer may browse; "by" is the account id or null once
// erased; "next" is the cursor of the next page or null. Errors: 401 anonymous_viewer, 503 permission_check_failed.
result<boost::json::object> pair_history(context& ctx, const caller& who, const history_query& q);

// "erased" for an account id removed on Atlassian's request, else the id (CSV and logs of the history).
std::string actor_text(const std::optional<std::string>& account_id);

}  // namespace doppel::service
