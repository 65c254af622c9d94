// Analysis implementation: tokenise each field, count per slot, add summary bigrams.
#include "core/analyzer.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/machine_text.hpp"

namespace doppel::core {
namespace {

class counter {
 public:
  void add(std::string term, field_slot slot) {
    auto& tf = counts_[std::move(term)];
    if (tf[slot] < 255) ++tf[slot];
  }
  analyzed_document finish(field_lengths lengths) {
    analyzed_document out;
    out.terms.reserve(counts_.size());
    for (auto& [term, tf] : counts_) out.terms.push_back({term, tf});
    std::sort(out.terms.begin(), out.terms.end(), [](const term_freq& a, const term_freq& b) { return a.term < b.term; });
    out.lengths = lengths;
    return out;
  }

 private:
  std::unordered_map<std::string, field_tf> counts_;
};

std::string_view clip(std::string_view text) { return text.substr(0, std::min(text.size(), max_field_bytes)); }

std::uint16_t add_field(std::string_view text, field_slot slot, tokenizer& tok, counter& c, bool bigrams) {
  std::vector<token> toks;
  tok.tokenize(clip(text), toks);
  if (toks.size() > max_field_tokens) toks.resize(max_field_tokens);
  const std::string* prev = nullptr;
  for (auto& t : toks) {
    if (bigrams && !t.compound) {
      if (prev) c.add(*prev + ' ' + t.text, slot);
      prev = &t.text;
    }
  }
  for (auto& t : toks) c.add(t.text, slot);
  return static_cast<std::uint16_t>(std::min<std::size_t>(toks.size(), 65535));
}

}  // namespace

analyzed_document analyze(const issue_document& doc, tokenizer& tok) {
  counter c;
  field_lengths len{};
  len[field_summary] = add_field(doc.summary, field_summary, tok, c, true);
  const split_text description = split_machine_text(doc.description);
  len[field_description] = add_field(description.prose, field_description, tok, c, false);
  len[field_environment] = static_cast<std::uint16_t>(
      std::min<std::size_t>(std::size_t{add_field(doc.environment, field_environment, tok, c, false)} +
                                add_field(description.machine, field_environment, tok, c, false),
                            65535));
  std::size_t meta = 0;
  for (const auto& s : doc.components) meta += add_field(s, field_meta, tok, c, false);
  for (const auto& s : doc.labels) meta += add_field(s, field_meta, tok, c, false);
  meta += add_field(doc.key, field_meta, tok, c, false);
  len[field_meta] = static_cast<std::uint16_t>(std::min<std::size_t>(meta, 65535));
  return c.finish(len);
}

analyzed_document analyze_draft(std::string_view summary, std::string_view description, tokenizer& tok) {
  counter c;
  field_lengths len{};
  len[field_summary] = add_field(summary, field_summary, tok, c, true);
  const split_text text = split_machine_text(description);
  len[field_description] = add_field(text.prose, field_description, tok, c, false);
  len[field_environment] = add_field(text.machine, field_environment, tok, c, false);
  return c.finish(len);
}

}  // namespace doppel::core
