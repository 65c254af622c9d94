// Analysis: an issue_document becomes per-field term frequencies (what the index stores).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/issue_document.hpp"
#include "core/tokenizer.hpp"

namespace doppel::core {

// Field slots of a term frequency vector. description = the description's prose lines; environment = the
// environment field and the description's machine lines (stack frames, log lines: core/machine_text.hpp), so that
// a long stack trace weighs as its own evidence instead of swelling the description; meta = components, labels
// and the issue's own key.
enum field_slot : std::size_t { field_summary = 0, field_description = 1, field_environment = 2, field_meta = 3 };
inline constexpr std::size_t field_count = 4;

using field_tf = std::array<std::uint8_t, field_count>;        // saturates at 255
using field_lengths = std::array<std::uint16_t, field_count>;  // token counts, saturate at 65535

struct term_freq {
  std::string term;
  field_tf tf{};
  bool operator==(const term_freq&) const = default;
};

// The analysed form of one issue: terms sorted by text, no duplicates.
struct analyzed_document {
  std::vector<term_freq> terms;
  field_lengths lengths{};
  bool operator==(const analyzed_document&) const = default;
};

// Analysis limits (part of the stored index format: changing them needs a rebuild).
inline constexpr std::size_t max_field_bytes = 64 * 1024;  // longer text is cut (at a byte boundary)
inline constexpr std::size_t max_field_tokens = 4000;
inline constexpr int analysis_version = 2;  // 2: machine lines of the description in the environment slot

// Bigram terms (two consecutive summary words joined by one space) are kept in the summary slot.
inline bool is_bigram(std::string_view term) { return term.find(' ') != std::string_view::npos; }

// Analyses the text fields of doc (summary, description split by split_machine_text, environment, components,
// labels, key).
analyzed_document analyze(const issue_document& doc, tokenizer& tok);

// Analyses draft text (summary + description of an issue not yet saved; the description split as in analyze).
analyzed_document analyze_draft(std::string_view summary, std::string_view description, tokenizer& tok);

}  // namespace doppel::core
