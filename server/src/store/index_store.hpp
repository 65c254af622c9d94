// PostgreSQL persistence of the per-tenant duplicate index (tables of migrations/0002_index.sql).
// Every write takes the caller's pqxx::work so it commits with the caller's job; each returns the
// index_change to hand to index_cache::apply after that commit.
#pragma once

#include <pqxx/pqxx>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/index.hpp"
#include "core/issue_document.hpp"
#include "core/model_options.hpp"
#include "core/tokenizer.hpp"
#include "store/pair_store.hpp"

namespace doppel::store {

enum class upsert_outcome {
  applied,     // stored; terms, frequencies and statistics updated
  stale,       // the stored document is as new or newer (updated_ms)
  tombstoned,  // the issue was deleted at or after this version's updated_ms
};

// What a write changed, for the in-memory copies (index_cache::apply).
struct index_change {
  enum class kind { none, put, remove, remove_project, clear };
  kind what = kind::none;
  std::string issue_id;           // remove
  std::string project;            // remove_project
  core::indexed_document document;  // put
  std::int64_t generation = 0;    // the tenant's index generation after the write
};

struct upsert_result {
  upsert_outcome outcome = upsert_outcome::applied;
  index_change change;
};

// Stored metadata of one live issue.
struct issue_meta {
  std::string issue_id;
  std::string key;
  std::string summary;
  std::string project;
  std::string issue_type;
  std::string status;
  std::int64_t created_ms = 0;  // epoch ms (0 = unknown)
  std::string project_id;         // Jira's project id; "" = not known (indexed before it was stored)
  bool security_known = false;    // false = the security level is not known (fail closed: check by issue id)
  std::string security_level_id;  // "" = no level (when known)
};

// Statistics and document frequencies as stored (for consistency checks and tests).
struct index_statistics {
  std::int64_t documents = 0;
  std::array<std::int64_t, core::field_count> total_lengths{};
  std::int64_t generation = 0;
  std::map<std::string, std::int64_t> document_frequencies;
  bool operator==(const index_statistics& o) const {
    return documents == o.documents && total_lengths == o.total_lengths &&
           document_frequencies == o.document_frequencies;  // generation excluded
  }
};

// Stores doc for (tenant, doc.issue_id) if its updated_ms is newer than the stored version and
// it was not deleted later; old terms out, new terms in, frequencies and statistics adjusted.
upsert_result upsert_document(pqxx::work& tx, const std::string& tenant_id, const core::indexed_document& doc);
// The same from an issue document (analysed here).
upsert_result upsert_issue(pqxx::work& tx, const std::string& tenant_id, const core::issue_document& doc,
                           core::tokenizer& tok);

// Deletes the issue, leaving a tombstone at deleted_ms (a later delete keeps the later time).
index_change delete_document(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                             std::int64_t deleted_ms);
// Deletes (tombstones) every live document of the project.
index_change delete_project(pqxx::work& tx, const std::string& tenant_id, const std::string& project,
                            std::int64_t deleted_ms);
// Removes the tenant's whole index (documents, tombstones, frequencies, statistics).
index_change delete_tenant_index(pqxx::work& tx, const std::string& tenant_id);

// Loads the tenant's live documents into a memory index (keyset-paged reads); generation is the
// stored generation read in the same transaction (use a repeatable-read transaction).
core::search_index load_index(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const core::model_options& options, std::int64_t& generation);

// PostgreSQL array literals for parameters cast with ::text[] (each item quoted and escaped) or ::bigint[].
std::string array_literal(const std::vector<std::string>& items);
std::string array_literal(const std::vector<long long>& items);

std::optional<issue_meta> find_issue_by_key(pqxx::transaction_base& tx, const std::string& tenant_id,
                                            const std::string& key);
std::optional<issue_meta> find_issue_by_id(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::string& issue_id);
// Jira's id of the project with this key, as a stored live issue of it carries it (nullopt when none does).
std::optional<std::string> find_project_id(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::string& project_key);
// find_issue_by_key and, when found, the issue's stored pairs in either direction (what pairs_for reads), in one
// statement: the panel's one read before its search.
struct issue_with_pairs {
  std::optional<issue_meta> meta;
  std::vector<pair_row> pairs;
};
issue_with_pairs find_issue_with_pairs(pqxx::transaction_base& tx, const std::string& tenant_id,
                                       const std::string& key);
// Live issues among ids, in the order of ids (missing ones skipped).
std::vector<issue_meta> find_issues_by_ids(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::vector<std::string>& issue_ids);

index_statistics read_statistics(pqxx::transaction_base& tx, const std::string& tenant_id);
// Recomputes frequencies and statistics from the stored documents (repair; tests prove the
// incremental path leaves nothing to repair). Bumps the generation.
index_statistics rebuild_statistics(pqxx::work& tx, const std::string& tenant_id);

// The stored term vector text format (exposed for tests).
std::string encode_term_vector(const core::analyzed_document& a);
bool decode_term_vector(std::string_view text, std::vector<core::term_freq>& out);

// Tells other replicas (LISTEN doppel_index) that the tenant's index reached `generation` (sent at commit).
void notify_index_generation(pqxx::work& tx, const std::string& tenant_id, std::int64_t generation);

// Live issues in issue id order after `after_issue_id`, at most `limit` (the rescan's batches).
struct issue_position {
  std::string issue_id;
  std::string project;
  std::int64_t created_ms = 0;
};
std::vector<issue_position> live_issues_after(pqxx::transaction_base& tx, const std::string& tenant_id,
                                              const std::string& after_issue_id, int limit);
std::vector<std::string> live_issue_ids_in_project(pqxx::transaction_base& tx, const std::string& tenant_id,
                                                   const std::string& project);

}  // namespace doppel::store
