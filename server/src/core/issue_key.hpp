// Jira issue keys: the one validator every route and use-case applies.
#pragma once

#include <string_view>

namespace doppel::core {

// PROJECT-123: a letter, then letters, digits or underscores, a dash, digits; at most 255 characters.
bool valid_issue_key(std::string_view key);

}  // namespace doppel::core
