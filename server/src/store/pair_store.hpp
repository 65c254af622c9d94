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

// A suggested pair's candidate: its score (the likelihood) and the words that explain it.
struct scored_candidate {
  std::string issue_id;
  double score = 0;
  std::vector<std::string> terms;
};
// Stores the candidates as pending pairs of the issue (a decided pair keeps its status and score; a pending one
// takes the new score and terms). Returns the issue's pending count.
int upsert_candidates(pqxx::work& tx, const std::string& tenant_id, const std::string& issue_id,
                      const std::vector<scored_candidate>& candidates);

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

// Removes every pair touching one of these issues (deleted issues), with the pairs' action history.
void delete_pairs_of(pqxx::work& tx, const std::string& tenant_id, const std::vector<std::string>& issue_ids);

int pending_count(pqxx::transaction_base& tx, const std::string& tenant_id, const std::string& issue_id);

// The issue's pending candidates that every viewer of the issue may see, best first (key and summary), at most
// `limit`: live, in the issue's own project, without an issue security level (a level not known yet counts as one).
// What a comment on the issue may list.
struct candidate_line {
  std::string key;
  std::string summary;
};
std::vector<candidate_line> pending_candidates(pqxx::transaction_base& tx, const std::string& tenant_id,
                                               const std::string& issue_id, int limit);

}  // namespace doppel::store
