// Atlassian's personal data reporting for the account ids the pair history holds (docs/privacy.md): a periodic job
// per tenant reports them in batches of 90, erases closed accounts everywhere we store them, notes updated ones.
#pragma once

#include "service/context.hpp"
#include "store/database.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace doppel::service {

// Atlassian's documented default; a Cycle-Period header in the answer replaces it for the accounts it covers.
inline constexpr std::chrono::seconds default_report_cycle{7 * 24 * 3600};
// Batches per job run (each of <= 90 accounts); more due accounts continue in a new job right after the commit.
inline constexpr int report_batches_per_run = 10;

// An account id Atlassian's reporting API accepts: 1-128 characters of [A-Za-z0-9:-], and not "unknown".
bool reportable_account_id(std::string_view account_id);

// A Cycle-Period header: whole seconds ("604800") or an ISO 8601 duration of days/hours/minutes/seconds ("P7D",
// "PT12H"), clamped to [1 hour, 90 days]. nullopt when absent or not understood (the default then applies).
std::optional<std::chrono::seconds> parse_cycle_period(std::string_view header);

// In the transaction that recorded a new account's first action: its report job runs now (coalesced per tenant).
void schedule_account_report(store::write_tx& tx, const std::string& tenant_id);

// The report_accounts job: reports the tenant's due accounts (at most report_batches_per_run batches), erases
// closed ones, notes updated ones, and queues the next run when the next account falls due. A failed call with
// nothing reported yet throws (the queue retries with backoff); after some batches it keeps them and retries in a
// minute. A Forge tenant without a usable app system token waits an hour.
void report_accounts(store::write_tx& tx, context& ctx, const std::string& tenant_id);

}  // namespace doppel::service
