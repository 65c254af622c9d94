// The PostgreSQL job queue: enqueue with coalescing, claim with SKIP LOCKED and leases, complete, retry, dead-letter.
#pragma once

#include "store/database.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace doppel::store {

enum class job_kind { apply_issue, apply_project_delete, backfill, rescan, publish_flags, purge_tenant, sync_ui_modification,
                      report_accounts };

std::string_view to_string(job_kind k);
std::optional<job_kind> job_kind_from(std::string_view s);

struct job {
  std::string tenant_id;
  std::int64_t job_id = 0;
  job_kind kind = job_kind::apply_issue;
  std::string unique_key;
  std::string payload;  // JSON text
  int attempts = 0;     // including this one
};

// The coalescing rule of every job insert: a queued twin with the same (tenant, unique_key) absorbs the new job and
// stays row-locked until the inserting transaction commits (see enqueue()). Appended to "INSERT INTO jobs ...".
inline constexpr const char* coalesce_into_queued_twin =
    " ON CONFLICT (tenant_id, unique_key) WHERE state = 'queued' DO UPDATE SET updated_at = jobs.updated_at";

// Queues a job unless one with the same (tenant, unique_key) is already queued (coalescing).
// Returns true when a new row was written.
// The transaction wakes the workers after its commit (write_tx::job_queued), so callers never nudge by hand.
bool enqueue(write_tx& tx, const std::string& tenant_id, job_kind kind, const std::string& unique_key,
             const std::string& payload_json, long delay_seconds = 0);

// A queued job of the tenant that waits for a later run_at (a backfill waiting for credentials) is due now.
void make_due_now(write_tx& tx, const std::string& tenant_id, job_kind kind);

// Claims the oldest due job (or one whose lease expired) and leases it; nullopt when none is due.
// Jobs of uninstalled tenants are skipped, except their purge.
std::optional<job> claim(pqxx::connection& conn, std::chrono::seconds lease);

// A job this process holds, as the lease checks name it (attempts tells a takeover apart: a new claim increments it).
struct lease_key {
  std::string tenant_id;
  std::int64_t job_id = 0;
  int attempts = 0;
};

// The heartbeat, in one statement: extends to now + `lease` the leases of `held` that are still ours (running with
// the same attempts) and ends at once those of `abandoned` (jobs whose transaction broke off: claimable now, not
// after their lease). Returns the ids of the `held` jobs renewed; one missing was taken over or is gone.
// Waits on the row lock of a job whose completion is committing (bounded by the connection's lock_timeout).
std::vector<std::int64_t> renew_leases(pqxx::connection& conn, const std::vector<lease_key>& held,
                                       const std::vector<lease_key>& abandoned, std::chrono::seconds lease);

// Finishes a claimed job inside the caller's transaction (commits with the job's effects).
// Throws lease_lost when another worker took the job over after our lease expired.
void complete(pqxx::work& tx, const job& j);

// Records a failure: re-queues with exponential backoff and jitter, or marks it dead after max_attempts.
// Returns true when the job is now dead.
bool fail(pqxx::connection& conn, const job& j, const std::string& error_text, int max_attempts);

// Backoff before attempt n+1 (n >= 1): min(cap, base * 2^(n-1)) scaled by jitter in [0.7, 1.3].
std::chrono::milliseconds backoff_delay(int attempts, double jitter01);

struct lease_lost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by a processor that cannot do its work now for a reason that is no failure of the job (its site's Jira
// asked us to wait, or is busy with this tenant's other calls): the worker pool defers the job by `delay`.
struct job_deferred : std::runtime_error {
  job_deferred(const std::string& why, std::chrono::milliseconds wait) : std::runtime_error(why), delay(wait) {}
  std::chrono::milliseconds delay;
};

// Puts a claimed job back in the queue to run after `delay`, without counting this run as an attempt (a job deferred
// any number of times is never dead-lettered for it). A queued twin that coalesced meanwhile covers it instead.
void defer(pqxx::connection& conn, const job& j, std::chrono::milliseconds delay, const std::string& reason);

struct queue_stats {
  long queued = 0, running = 0, dead = 0;
};
queue_stats stats(pqxx::connection& conn);

}  // namespace doppel::store
