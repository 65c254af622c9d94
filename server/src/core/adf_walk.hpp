// Internal: ADF node walk over a parsed simdjson element (shared by markup.cpp and issue_document.cpp).
#pragma once

#include <simdjson.h>

#include <string>

namespace doppel::core::detail {

// Appends the plain text of an ADF node (and its children) to out; unknown node types are
// walked through their "content"; nothing below max_depth is visited.
void adf_append_text(simdjson::dom::element node, std::string& out, int depth, int max_depth);

}  // namespace doppel::core::detail
