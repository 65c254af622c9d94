// Backfill progress rows: start (or restart) a tenant's backfill, stop it, and the running job's progress.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace doppel::store {

// Starts a backfill from the first page with this (bounded) JQL, resetting the counters.
// With only_if_absent, an existing row (a reinstall) is left alone; returns whether a run was started.
bool start_backfill(pqxx::work& tx, const std::string& tenant_id, const std::string& jql, bool only_if_absent);
void stop_backfill(pqxx::work& tx, const std::string& tenant_id);

// The bounded JQL for a whole site, or for a project list (keys validated by the caller).
std::string backfill_jql(const std::vector<std::string>& projects);

// A running backfill's position, row-locked for the job's transaction; nullopt when none is running.
struct backfill_position {
  std::string jql;
  std::string next_page_token;  // empty = first page
  bool total_unknown = true;
};
std::optional<backfill_position> lock_running_backfill(pqxx::work& tx, const std::string& tenant_id);
// Says why the backfill waits (forge_token_missing | forge_token_expired | forge_token_rejected); true when changed.
bool set_backfill_waiting(pqxx::work& tx, const std::string& tenant_id, const std::string& reason);
void set_backfill_total(pqxx::work& tx, const std::string& tenant_id, std::int64_t total);
// Adds a run's pages to the counters and moves the position (done = the last page was read).
void record_backfill_pages(pqxx::work& tx, const std::string& tenant_id, long seen, long indexed,
                           const std::string& next_page_token, bool done);

}  // namespace doppel::store
