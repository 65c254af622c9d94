// The document model: one Jira issue reduced to the fields the duplicate engine reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace doppel::core {

// Plain-text fields (markup already removed) plus the metadata used by filters and priors.
struct issue_document {
  std::string issue_id;     // Jira's numeric id as text ("10001")
  std::string key;          // "PROJ-12"
  std::string project;      // project key
  std::string project_id;   // fields.project.id ("" = not in the payload)
  std::string issue_type;   // issue type name
  std::string status;       // status name
  std::string summary;
  std::string description;  // plain text (wiki markup or ADF converted)
  std::string environment;  // plain text
  std::vector<std::string> components;
  std::vector<std::string> labels;
  std::int64_t created_ms = 0;  // epoch milliseconds (0 = unknown)
  std::int64_t updated_ms = 0;
  // Issue security (fields.security {id, name}): security_known = the payload carried the field (null = no level);
  // security_level_id is the level's id, "" for none. A payload without the field leaves it not known.
  bool security_known = false;
  std::string security_level_id;
};

// Parses a Jira issue object (REST v2 or v3 shape) or a webhook envelope holding one under
// "issue". Invalid JSON or a missing key/id is a bad_request error; missing optional fields
// stay empty. A `security` that is neither null nor an object with an id leaves security not known. Invalid UTF-8 inside strings is rejected by the JSON parser (bad_request).
result<issue_document> parse_issue_json(std::string_view json);

// Parses a Jira timestamp ("2019-03-01T10:20:30.123+0000", "...Z", "...+01:00", or a bare
// date) into epoch milliseconds; returns false when the text is not a timestamp.
bool parse_jira_time(std::string_view text, std::int64_t& out_ms);

}  // namespace doppel::core
