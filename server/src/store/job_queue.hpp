// The PostgreSQL job queue: enqueue with coalescing, claim with SKIP LOCKED and leases, complete, retry, dead-letter.
#pragma once

#include "store/database.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <optional>
#include <string>

namespace doppel::store {

enum class job_kind { apply_issue, apply_project_delete, backfill, rescan, publish_flags, purge_tenant, report_accounts };

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

struct queue_stats {
  long queued = 0, running = 0, dead = 0;
};
queue_stats stats(pqxx::connection& conn);

}  // namespace doppel::store
