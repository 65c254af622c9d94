// Pair decisions: link two issues as duplicates in Jira, dismiss or restore a suggestion, one at a time from the
// panel or in bulk from the review queue. Every status change is recorded in the pair's history (who, what, when) and
// queues the badge refresh of the pair's issue, in the same transaction.
#pragma once

#include "service/context.hpp"
#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace doppel::service {

// Which of two issues duplicates the other: the newer one (by creation time) duplicates the older; on a tie the
// first (the issue being looked at, or the pair's own issue) is the newer.
struct link_direction {
  std::string older_key, newer_key;
};
link_direction duplicate_direction(const std::string& first_key, std::int64_t first_created_ms,
                                   const std::string& second_key, std::int64_t second_created_ms);

enum class pair_action { link, dismiss, restore };

// One pair from the panel (issue being looked at, candidate): link creates the Duplicate link in Jira first and
// records "confirmed"; dismiss and restore record "dismissed" / "pending". Returns the new status.
// Errors: bad_request invalid_issue_key; not_found issue_not_found; Jira's error for a failed link.
result<std::string> decide_pair(context& ctx, const caller& who, const std::string& issue_key,
                                const std::string& candidate_key, pair_action action);

struct bulk_outcome {
  std::int64_t done = 0;
  struct failure {
    std::string issue, candidate, error;
  };
  std::vector<failure> failed;
};
// Stored pairs by (issue key, candidate key) from the review queue: link (dismiss) each; unknown pairs and failed
// links are reported per pair. errc::bad_request when an action is not link or dismiss.
result<bulk_outcome> decide_pairs(context& ctx, const caller& who, pair_action action,
                                  const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace doppel::service
