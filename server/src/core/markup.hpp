// Markup to plain text: Jira wiki markup and Atlassian Document Format (ADF).
#pragma once

#include <string>
#include <string_view>

namespace doppel::core {

// Converts Jira wiki markup to plain text. Keeps the content of {code}, {noformat}, {quote}
// and {panel} blocks (identifiers and error messages are strong duplicate signals), keeps link
// text and URLs, and drops macro tags, user mentions ([~...]), images/attachments (!x.png!),
// heading/list/table markers and colour tags. Linear time, any byte input.
std::string wiki_to_text(std::string_view markup);

// Converts an ADF document given as JSON text to plain text (walks every node type, ignores
// unknown ones, stops descending below adf_max_depth). Returns empty text for invalid JSON.
std::string adf_json_to_text(std::string_view json);

inline constexpr int adf_max_depth = 256;

}  // namespace doppel::core
