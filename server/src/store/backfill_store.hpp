// Backfill progress rows: start (or restart) a tenant's backfill, stop it.
#pragma once

#include <pqxx/pqxx>

#include <string>

namespace doppel::store {

// Starts a backfill from the first page with this (bounded) JQL, resetting the counters.
// With only_if_absent, an existing row (a reinstall) is left alone; returns whether a run was started.
bool start_backfill(pqxx::work& tx, const std::string& tenant_id, const std::string& jql, bool only_if_absent);
void stop_backfill(pqxx::work& tx, const std::string& tenant_id);

// The bounded JQL for a whole site, or for a project list (keys validated by the caller).
std::string backfill_jql(const std::vector<std::string>& projects);

}  // namespace doppel::store
