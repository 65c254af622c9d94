// Review dashboard and admin queries: pairs listed with both issues' metadata, counts, series, stats, data deletion.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace doppel::store {

// Filters of /api/pairs and /api/pairs.csv (validated by the handler). Only pairs whose two issues are
// live in the index are listed; project matches the (newer) issue's project.
struct pair_filter {
  std::string status;   // pending | confirmed | dismissed | "" (all)
  std::string project;  // "" = all
  std::string q;        // case-insensitive substring of either issue's key or summary; "" = none
  double min_score = 0;
};

struct issue_ref {
  std::string issue_id;
  std::string key;
  std::string summary;
  std::string project;
  std::string status;
  std::int64_t created_ms = 0;
};

struct pair_item {
  issue_ref issue;
  issue_ref candidate;
  double score = 0;
  std::string status;
  std::string created_at;  // ISO 8601 UTC, millisecond precision
};

// The issues one viewer may see (decided with Jira by service/dashboard.cpp): issues without a security level whose
// (known) project is among project_ids, and the issues among issue_ids whatever their level. Default: nothing. The
// viewer's queries below list and count only pairs whose two issues are both visible.
struct visible_issues {
  std::vector<std::string> project_ids;  // browsable projects (Jira ids)
  std::vector<std::string> issue_ids;    // issues granted by the issue-level check
};

// What decides visibility in the tenant's index: the distinct project ids of its plain issues (no security level,
// project known; one id per project key), and the live issues that need an issue-level check (a security level, or
// project or level not known), those in a pair first, at most max_issue_ids of them.
struct visibility_inputs {
  std::vector<std::string> project_ids;
  std::vector<std::string> issue_ids;
};
visibility_inputs read_visibility_inputs(pqxx::transaction_base& tx, const std::string& tenant_id,
                                         std::int64_t max_issue_ids);

// Ordered by score (highest first), then newest, then ids (stable paging).
std::vector<pair_item> list_pairs(pqxx::transaction_base& tx, const std::string& tenant_id, const pair_filter& f,
                                  const visible_issues& visible, std::int64_t offset, std::int64_t limit);
std::int64_t count_pairs(pqxx::transaction_base& tx, const std::string& tenant_id, const pair_filter& f,
                         const visible_issues& visible);

// The stored pair between two issues given by key (either may be the pair's issue), with both issues.
std::optional<pair_item> find_pair_by_keys(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::string& issue_key, const std::string& candidate_key);

struct pair_counts {
  std::int64_t pending = 0, confirmed = 0, dismissed = 0;
};
// The whole tenant (admin statistics), or only what the viewer sees.
pair_counts count_by_status(pqxx::transaction_base& tx, const std::string& tenant_id);
pair_counts count_by_status(pqxx::transaction_base& tx, const std::string& tenant_id, const visible_issues& visible);

struct day_point {
  std::string date;  // YYYY-MM-DD (UTC)
  std::int64_t found = 0, confirmed = 0;
};
// One point per day for the last `days` days up to today (UTC), oldest first: pairs created that day,
// pairs confirmed (updated while confirmed) that day.
std::vector<day_point> daily_series(pqxx::transaction_base& tx, const std::string& tenant_id, int days,
                                    const visible_issues& visible);

struct project_point {
  std::string project;
  std::int64_t found = 0, confirmed = 0;
};
// Per project of the pair's issue, most pairs first, at most limit projects.
std::vector<project_point> by_project(pqxx::transaction_base& tx, const std::string& tenant_id, int limit,
                                      const visible_issues& visible);

struct backfill_state {
  std::string state;  // running | stopped | done | failed | "" (never started)
  std::int64_t seen = 0, indexed = 0;
  std::optional<std::int64_t> total;
  double elapsed_seconds = 0;  // from start to finish, last update (stopped/failed) or now (running)
  std::string waiting_for;     // why a running backfill is not fetching (e.g. forge_token_expired); "" otherwise
};
backfill_state read_backfill(pqxx::transaction_base& tx, const std::string& tenant_id);

struct index_overview {
  std::int64_t issues = 0;            // live documents
  std::int64_t terms = 0;             // distinct terms
  std::optional<std::string> last_event_at;  // ISO 8601 of the newest inbox row
};
// Live issues of the tenant the viewer may see.
std::int64_t count_visible_issues(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const visible_issues& visible);
index_overview read_index_overview(pqxx::transaction_base& tx, const std::string& tenant_id);

struct job_counts {
  std::int64_t queued = 0, running = 0, dead = 0;
};
job_counts count_jobs(pqxx::transaction_base& tx, const std::string& tenant_id);

struct deleted_counts {
  std::int64_t issues = 0, pairs = 0, events = 0, jobs = 0;
};
// Deletes the tenant's index, pairs, their action history and account inventory, inbox, backfill progress and jobs; keeps the tenant and its
// settings. The index_change of the index deletion is not returned: invalidate the cache after commit.
deleted_counts delete_tenant_data(pqxx::work& tx, const std::string& tenant_id);

}  // namespace doppel::store
