// The pair action history (who did what to which pair, when) and the inventory of the account ids it holds, which
// the personal data report reads and erases (migration 0010, docs/privacy.md).
#pragma once

#include "store/index_store.hpp"

#include <pqxx/pqxx>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace doppel::store {

// Records one action on the pair (issue_id, candidate_id) by account_id and adds the account to the inventory.
// Returns true when the account is new to the inventory (it is due for its first report now).
bool record_pair_action(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                        const std::string& candidate_id, const std::string& action, bool bulk,
                        const std::string& account_id);

struct pair_action_row {
  std::int64_t action_id = 0;
  issue_meta issue, candidate;  // both live in the index
  std::string action;           // link | dismiss | restore
  bool bulk = false;
  std::optional<std::string> account_id;  // nullopt = erased
  std::string acted_at;                   // ISO 8601 UTC, millisecond precision
};
// Newest first, action ids below before_id (0 = from the newest), at most limit, only pairs whose two issues are live.
std::vector<pair_action_row> list_pair_actions(pqxx::transaction_base& tx, const std::string& tenant_id,
                                               std::int64_t before_id, std::int64_t limit);

struct last_action {
  std::string action;
  std::optional<std::string> account_id;  // nullopt = erased
  std::string acted_at;
};
// The newest action of each of these pairs (issue_id, candidate_id) that has one.
std::map<std::pair<std::string, std::string>, last_action> last_pair_actions(
    pqxx::transaction_base& tx, const std::string& tenant_id,
    const std::vector<std::pair<std::string, std::string>>& pairs);

// Deletes the history of every pair touching one of these issues (with the pairs, store::delete_pairs_of).
void delete_actions_of(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& issue_ids);

// The tenant's whole history and account inventory (the admin's "delete data"; uninstall's purge cascades).
void delete_tenant_history(pqxx::work& tx, const std::string& tenant_id);

// --- the inventory, for the personal data report ---

struct account_due {
  std::string account_id;
  std::string updated_at;  // RFC 3339: the time of the oldest record of the account we hold
};
// Drops inventory rows whose account no longer appears in the history (nothing held: nothing to report), then
// returns at most limit accounts whose report is due, oldest due first.
std::vector<account_due> due_accounts(pqxx::work& tx, const std::string& tenant_id, std::int64_t limit);
// The accounts were reported now; next report after cycle_seconds.
void mark_reported(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& account_ids,
                   std::int64_t cycle_seconds);
// Atlassian said the account was updated: the time is noted (no profile data is kept, so nothing to refresh).
void note_account_updated(pqxx::work& tx, const std::string& tenant_id, const std::string& account_id);
// Atlassian said the account is closed: its id is removed from the history (actions kept, actor erased) and from the
// inventory. Returns the number of history rows erased.
std::int64_t erase_account(pqxx::work& tx, const std::string& tenant_id, const std::string& account_id);
// Seconds until the next inventory row is due (0 when one is due now); nullopt when the inventory is empty.
std::optional<std::int64_t> seconds_to_next_report(pqxx::transaction_base& tx, const std::string& tenant_id);

}  // namespace doppel::store
