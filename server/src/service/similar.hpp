// The issue panel's question: which issues most likely duplicate this one (an indexed issue, or a draft)?
#pragma once

#include "service/context.hpp"
#include "util/result.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace doppel::service {

struct similar_candidate {
  std::string key, summary, project, status, issue_type;
  double score = 0;              // normalised, at most 1
  double likelihood = 0;         // calibrated probability that the pair is a filed duplicate
  std::string tier;              // "likely" (counted by badge, comment, queue) | "related"
  std::string url;               // <site>/browse/<key>, empty when the site URL is unknown
  std::vector<std::string> terms;  // the matched words that explain it, as written in the issues, strongest first
  std::string pair_status;       // pending | confirmed | dismissed (pending when never decided)
};

struct similar_answer {
  bool indexed = false;  // the issue was in the index (false: fetched from Jira a moment after its creation)
  std::vector<similar_candidate> candidates;  // likely first, then related, each group best first
};

// Candidates for an issue by key: from the memory index, or, for an issue Jira has and the index not yet, from
// its text fetched as the caller. errc::not_found "issue_not_found" when neither has it.
result<similar_answer> similar_for_issue(context& ctx, const caller& who, const std::string& key, std::size_t limit);

struct draft {
  std::string summary, description, project_key, issue_type;
};
// Candidates for an issue not yet saved (hints while typing).
result<similar_answer> similar_for_draft(context& ctx, const caller& who, const draft& d, std::size_t limit);

}  // namespace doppel::service
