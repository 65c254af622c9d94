// Surface forms: the words as they appear in given texts for the index terms (stems) that explain a match.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer.hpp"

namespace doppel::core {

// For each term (a stem such as "freez", a compound such as "java.io.ioexcept", or a summary bigram
// "appli freez"), the first piece of the texts (in the order given, e.g. the two issues' summaries, then
// their descriptions) that the tokenizer turns into that term, as written there ("Application", "freezes",
// "java.io.IOException", "Application freezes"); the term itself when no text holds it. A bigram takes the
// surface form of each of its two words. Same order and size as terms.
std::vector<std::string> surface_forms(std::span<const std::string> terms, std::span<const std::string_view> texts,
                                       tokenizer& tok);

}  // namespace doppel::core
