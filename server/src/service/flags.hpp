// Flags in Jira: the issue panel's badge (an issue property with the pending count) and the comment listing a new
// issue's likely duplicates, published by a job with the tenant's credentials.
#pragma once

#include "service/context.hpp"

#include <cstddef>
#include <string>

namespace doppel::service {

// How many of the best candidates a new or rescanned issue's flags consider (the likely ones among them become
// pending pairs: badge, review queue), and how many the comment lists at most.
inline constexpr std::size_t flags_considered = 10;
inline constexpr std::size_t comment_limit = 5;

enum class flags_refresh {
  new_issue,  // badge and, when the tenant wants it, the comment
  badge_only, // after a link, dismiss or restore: the badge is rewritten, no comment
};

// Queues the publish job for the issue (coalesced per issue): the one way a pending count change reaches Jira.
void queue_flags(store::write_tx& tx, const std::string& tenant_id, const std::string& issue_id,
                 const std::string& issue_key, flags_refresh what);

// The publish job: rewrites the badge and, for a new issue, posts the comment once (a retry looks for the comment's
// marker property before posting again). `attempt` counts from 1.
void publish_flags(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id,
                   const std::string& issue_key, flags_refresh what, int attempt);

// Name of the issue property that drives the panel's label in Jira.
std::string panel_status_property(const std::string& app_key);
// The comment property that marks Doppel's candidates comment (looked for before a retry posts again).
std::string comment_marker_property(const std::string& app_key);

}  // namespace doppel::service
