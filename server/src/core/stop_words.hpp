// Embedded stop word lists (no run-time dependency on files of the PostgreSQL installation).
#pragma once

#include <span>
#include <string_view>

namespace doppel::core {

// The Snowball English stop words (lower case, ASCII).
std::span<const std::string_view> english_stop_words();

}  // namespace doppel::core
