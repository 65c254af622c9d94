// Candidate duplicate pairs: stored when an issue is indexed or rescanned; reviewers confirm or dismiss them.
#pragma once

#include "core/index.hpp"

#include <pqxx/pqxx>

#include <string>
#include <unordered_set>
#include <vector>

namespace doppel::store {

struct pair_row {
  std::string issue_id;
  std::string candidate_id;
  double score = 0;
  std::string status;  // pending | confirmed | dismissed
};

// Stores hits as pending pairs for issue_id; existing pairs keep their status (only the score and terms
// of pending ones are refreshed). Returns the number of pending pairs of the issue afterwards.
int upsert_candidates(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                      const std::vector<core::search_hit>& hits);

// Sets a pair's status (inserting it when the reviewer acted on a suggestion not stored yet).
void set_pair_status(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                     const std::string& candidate_id, const std::string& status, double score_if_new);

// Candidates the reviewers dismissed for this issue, in either direction (never suggested again).
std::unordered_set<std::string> dismissed_for(pqxx::transaction_base& tx, const std::string& tenant_id,
                                              const std::string& issue_id);
// The same, from pairs already read with pairs_for(issue_id).
std::unordered_set<std::string> dismissed_among(const std::vector<pair_row>& pairs, const std::string& issue_id);

// The stored pairs of issue_id, in either direction (missing = not stored).
std::vector<pair_row> pairs_for(pqxx::transaction_base& tx, const std::string& tenant_id, const std::string& issue_id);

// Removes every pair touching one of these issues (deleted issues).
void delete_pairs_of(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& issue_ids);

int pending_count(pqxx::transaction_base& tx, const std::string& tenant_id, const std::string& issue_id);

// The issue's pending candidates best first (key and summary of each live one), at most `limit`.
struct candidate_line {
  std::string key;
  std::string summary;
};
std::vector<candidate_line> pending_candidates(pqxx::transaction_base& tx, const std::string& tenant_id,
                                               const std::string& issue_id, int limit);

}  // namespace doppel::store
