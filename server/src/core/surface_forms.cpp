// Surface forms: stems back to the words as written, by tokenizing the texts' pieces one at a time.
#include "core/surface_forms.hpp"

#include <unordered_map>

#include "core/analyzer.hpp"

namespace doppel::core {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_ascii_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
// ASCII punctuation separates; bytes >= 0x80 belong to (non-ASCII) words.
bool is_word_byte(char c) { return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80; }

// Looks up the single words the terms need and records, for each, the first piece that spells it.
class finder {
 public:
  finder(std::unordered_map<std::string, std::string>& found, std::size_t wanted, tokenizer& tok)
      : found_(found), missing_(wanted), tok_(tok) {}
  bool done() const { return missing_ == 0; }

  // One whitespace-separated piece: the whole (punctuation around it trimmed), then its runs of word
  // bytes, then the camelCase parts of each run.
  void piece(std::string_view p) {
    while (!p.empty() && !is_word_byte(p.front())) p.remove_prefix(1);
    while (!p.empty() && !is_word_byte(p.back())) p.remove_suffix(1);
    if (p.empty()) return;
    try_spelling(p);
    for (std::size_t i = 0; i < p.size() && !done();) {
      while (i < p.size() && !is_word_byte(p[i])) ++i;
      const std::size_t start = i;
      while (i < p.size() && is_word_byte(p[i])) ++i;
      if (i > start) run(p.substr(start, i - start));
    }
  }

 private:
  void run(std::string_view r) {
    try_spelling(r);
    std::size_t start = 0;
    for (std::size_t i = 1; i <= r.size(); ++i) {
      const bool cut = i == r.size() || (is_lower(r[i - 1]) && is_upper(r[i])) ||
                       (is_upper(r[i - 1]) && is_upper(r[i]) && i + 1 < r.size() && is_lower(r[i + 1]));
      if (!cut) continue;
      if (start > 0 || i < r.size()) try_spelling(r.substr(start, i - start));
      start = i;
    }
  }
  // c spells the term its tokenization starts with when that is its only token or a compound (the whole
  // identifier, issue key or camelCase word, listed before its parts).
  void try_spelling(std::string_view c) {
    tokens_.clear();
    tok_.tokenize(c, tokens_);
    if (tokens_.empty() || (tokens_.size() > 1 && !tokens_.front().compound)) return;
    auto it = found_.find(tokens_.front().text);
    if (it == found_.end() || !it->second.empty()) return;
    it->second = std::string(c);
    --missing_;
  }

  std::unordered_map<std::string, std::string>& found_;
  std::size_t missing_;
  tokenizer& tok_;
  std::vector<token> tokens_;
};

}  // namespace

std::vector<std::string> surface_forms(std::span<const std::string> terms, std::span<const std::string_view> texts,
                                       tokenizer& tok) {
  std::unordered_map<std::string, std::string> found;  // word term -> surface ("" = not found yet)
  for (const auto& t : terms) {
    if (!is_bigram(t)) {
      found.try_emplace(t);
      continue;
    }
    const auto space = t.find(' ');
    found.try_emplace(t.substr(0, space));
    found.try_emplace(t.substr(space + 1));
  }
  finder f(found, found.size(), tok);
  for (std::string_view text : texts) {
    for (std::size_t i = 0; i < text.size() && !f.done();) {
      while (i < text.size() && is_space(text[i])) ++i;
      const std::size_t start = i;
      while (i < text.size() && !is_space(text[i])) ++i;
      if (i > start) f.piece(text.substr(start, i - start));
    }
  }
  auto surface = [&](const std::string& word) {
    const std::string& s = found.at(word);
    return s.empty() ? word : s;
  };
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const auto& t : terms) {
    if (!is_bigram(t)) {
      out.push_back(surface(t));
      continue;
    }
    const auto space = t.find(' ');
    out.push_back(surface(t.substr(0, space)) + ' ' + surface(t.substr(space + 1)));
  }
  return out;
}

}  // namespace doppel::core
