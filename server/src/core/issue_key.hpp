// Jira issue and project keys: the one validator of each that every route and use-case applies.
#pragma once

#include <string_view>

namespace doppel::core {

// PROJECT-123: a letter, then letters, digits or underscores, a dash, digits; at most 255 characters.
bool valid_issue_key(std::string_view key);

// PROJ: an upper-case letter, then upper-case letters, digits or underscores; at most 255 characters.
bool valid_project_key(std::string_view key);

}  // namespace doppel::core
