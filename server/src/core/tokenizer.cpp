// Tokenizer implementation: an ASCII fast path and an ICU path for everything else.
#include "core/tokenizer.hpp"

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <stdexcept>

#include "core/stop_words.hpp"

namespace doppel::core {
namespace {

constexpr std::size_t max_compound_length = 120;
constexpr std::size_t max_word_length = 64;
constexpr std::size_t stem_cache_limit = 1 << 18;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c + 32) : c; }

// Characters that may join the parts of one identifier; anything else ASCII separates.
bool is_joiner(char c) { return c == '.' || c == '/' || c == '_' || c == '-' || c == ':' || c == '$' || c == '@'; }
bool in_chunk(unsigned char c) { return c >= 0x80 || is_alnum(static_cast<char>(c)) || is_joiner(static_cast<char>(c)); }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return !s.empty();
}

// "HDFS-1234": letters/digits starting with a letter, one dash, digits.
bool is_issue_key(std::string_view s) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos || dash < 2 || dash + 1 >= s.size() || !is_upper(s[0])) return false;
  for (std::size_t i = 0; i < dash; ++i)
    if (!is_upper(s[i]) && !is_digit(s[i])) return false;
  return all_digits(s.substr(dash + 1));
}

// "2.7.1", "0.20.205", "1.2.3-beta" (digits.digits at the start).
bool is_version(std::string_view s) {
  std::size_t i = 0, dots = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '.')) {
    dots += s[i] == '.';
    ++i;
  }
  if (dots == 0 || !is_digit(s[0]) || s[i - 1] == '.') return false;
  for (; i < s.size(); ++i)
    if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '.') return false;
  return true;
}

// Accent folding for Latin letters: NFD, drop combining diacritical marks (U+0300..U+036F) that
// follow a Latin base letter (below U+0250), then NFC. "Café" and "cafe" become one term; marks on
// other scripts (Cyrillic й, Greek tonos, Devanagari) are kept because there they change the word.
bool fold_latin_accents(std::u16string& text, std::u16string& buffer) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  const UNormalizer2* nfc = unorm2_getNFCInstance(&status);
  if (U_FAILURE(status)) return false;
  buffer.resize(text.size() * 4 + 1);
  int32_t n = unorm2_normalize(nfd, text.data(), static_cast<int32_t>(text.size()), buffer.data(),
                               static_cast<int32_t>(buffer.size()), &status);
  if (U_FAILURE(status)) return false;
  std::size_t kept = 0;
  char16_t base = 0;
  for (int32_t i = 0; i < n; ++i) {
    const char16_t ch = buffer[static_cast<std::size_t>(i)];
    const bool mark = ch >= 0x0300 && ch <= 0x036F;
    if (mark && base != 0 && base < 0x0250) continue;
    if (!mark) base = ch;
    buffer[kept++] = ch;
  }
  text.resize(kept * 3 + 1);
  status = U_ZERO_ERROR;
  int32_t m = unorm2_normalize(nfc, buffer.data(), static_cast<int32_t>(kept), text.data(),
                               static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) return false;
  text.resize(static_cast<std::size_t>(m));
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

}  // namespace

tokenizer::tokenizer() {
  for (auto w : english_stop_words()) stop_.insert(w);
  english_ = sb_stemmer_new("english", "UTF_8");
  russian_ = sb_stemmer_new("russian", "UTF_8");
  UErrorCode status = U_ZERO_ERROR;
  words_ = ubrk_open(UBRK_WORD, "", nullptr, 0, &status);
  if (!english_ || !russian_ || U_FAILURE(status)) {
    if (english_) sb_stemmer_delete(english_);
    if (russian_) sb_stemmer_delete(russian_);
    if (words_) ubrk_close(words_);
    throw std::runtime_error("tokenizer: cannot create stemmer or ICU word break iterator");
  }
}

tokenizer::~tokenizer() {
  sb_stemmer_delete(english_);
  sb_stemmer_delete(russian_);
  ubrk_close(words_);
}

std::vector<std::string> tokenizer::terms(std::string_view text) {
  std::vector<token> toks;
  tokenize(text, toks);
  std::vector<std::string> out;
  out.reserve(toks.size());
  for (auto& t : toks) out.push_back(std::move(t.text));
  return out;
}

void tokenizer::tokenize(std::string_view text, std::vector<token>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !in_chunk(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && in_chunk(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) chunk(text.substr(start, i - start), out);
  }
}

void tokenizer::chunk(std::string_view c, std::vector<token>& out) {
  while (!c.empty() && is_joiner(c.front())) c.remove_prefix(1);
  while (!c.empty() && is_joiner(c.back())) c.remove_suffix(1);
  if (c.empty()) return;
  for (char ch : c) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      unicode_chunk(c, out);
      return;
    }
  }
  ascii_chunk(c, out);
}

void tokenizer::ascii_chunk(std::string_view c, std::vector<token>& out) {
  if (auto scheme = c.find("://"); scheme != std::string_view::npos) {  // URL: host and path words
    std::string_view rest = c.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    std::size_t i = 0;
    while (i < rest.size()) {
      while (i < rest.size() && !is_alnum(rest[i])) ++i;
      std::size_t s = i;
      while (i < rest.size() && is_alnum(rest[i])) ++i;
      if (i > s) word(rest.substr(s, i - s), out);
    }
    return;
  }
  if (is_issue_key(c)) {
    out.push_back({lower(c), true});
    word(c.substr(0, c.find('-')), out);
    return;
  }
  if (is_version(c)) {
    if (c.size() <= max_word_length) out.push_back({lower(c), true});
    return;
  }
  // Drop a trailing ":123" (line number of a stack frame or host:port).
  if (auto colon = c.rfind(':'); colon != std::string_view::npos && all_digits(c.substr(colon + 1)))
    c = c.substr(0, colon);
  std::size_t parts = 0;
  bool joined = false;
  for (std::size_t i = 0; i < c.size();) {
    while (i < c.size() && is_joiner(c[i])) ++i;
    std::size_t s = i;
    while (i < c.size() && !is_joiner(c[i])) ++i;
    if (i > s) {
      ++parts;
      if (i < c.size() && c[i] != '-') joined = true;
    }
  }
  if (parts >= 2 && joined && c.size() <= max_compound_length) out.push_back({lower(c), true});
  for (std::size_t i = 0; i < c.size();) {
    while (i < c.size() && is_joiner(c[i])) ++i;
    std::size_t s = i;
    while (i < c.size() && !is_joiner(c[i])) ++i;
    if (i > s) word(c.substr(s, i - s), out);
  }
}

void tokenizer::word(std::string_view w, std::vector<token>& out) {
  if (w.size() > max_word_length || all_digits(w)) return;
  // camelCase boundaries: aB, and ABc (an upper-case run followed by a capitalised word).
  std::size_t cuts[max_word_length + 1];
  std::size_t n = 0;
  cuts[n++] = 0;
  for (std::size_t i = 1; i < w.size(); ++i) {
    bool boundary = (is_lower(w[i - 1]) && is_upper(w[i])) ||
                    (is_upper(w[i - 1]) && is_upper(w[i]) && i + 1 < w.size() && is_lower(w[i + 1]));
    if (boundary) cuts[n++] = i;
  }
  cuts[n] = w.size();
  if (n == 1) {
    emit_word(lower(w), out);
    return;
  }
  std::string whole = lower(w);
  const std::string& whole_stem = stem(whole, false);
  out.push_back({whole_stem, true});
  for (std::size_t k = 0; k < n; ++k) emit_word(lower(w.substr(cuts[k], cuts[k + 1] - cuts[k])), out);
}

void tokenizer::emit_word(std::string_view lw, std::vector<token>& out) {
  if (lw.size() < 2 || all_digits(lw) || stop_.count(lw)) return;
  out.push_back({stem(lw, false), false});
}

const std::string& tokenizer::stem(std::string_view lw, bool cyrillic) {
  scratch_.assign(lw);
  if (cyrillic) scratch_.insert(0, 1, '\x01');  // separate cache namespace for the Russian stemmer
  auto it = stem_cache_.find(scratch_);
  if (it != stem_cache_.end()) return it->second;
  if (stem_cache_.size() >= stem_cache_limit) stem_cache_.clear();
  sb_stemmer* st = cyrillic ? russian_ : english_;
  const sb_symbol* s = sb_stemmer_stem(st, reinterpret_cast<const sb_symbol*>(lw.data()), static_cast<int>(lw.size()));
  std::string stemmed = s ? std::string(reinterpret_cast<const char*>(s), static_cast<std::size_t>(sb_stemmer_length(st)))
                          : std::string(lw);
  return stem_cache_.emplace(scratch_, std::move(stemmed)).first->second;
}

void tokenizer::unicode_chunk(std::string_view c, std::vector<token>& out) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t len16 = 0;
  u16_.resize(c.size() + 1);
  u_strFromUTF8WithSub(u16_.data(), static_cast<int32_t>(u16_.size()), &len16, c.data(),
                       static_cast<int32_t>(c.size()), 0xFFFD, nullptr, &status);
  if (U_FAILURE(status)) return;
  folded_.resize(static_cast<std::size_t>(len16) * 3 + 1);
  status = U_ZERO_ERROR;
  int32_t flen = u_strFoldCase(folded_.data(), static_cast<int32_t>(folded_.size()), u16_.data(), len16,
                               U_FOLD_CASE_DEFAULT, &status);
  if (U_FAILURE(status)) return;
  folded_.resize(static_cast<std::size_t>(flen));
  if (!fold_latin_accents(folded_, u16_)) return;
  flen = static_cast<int32_t>(folded_.size());
  status = U_ZERO_ERROR;
  ubrk_setText(words_, folded_.data(), flen, &status);
  if (U_FAILURE(status)) return;
  std::string utf8;
  int32_t start = ubrk_first(words_);
  for (int32_t end = ubrk_next(words_); end != UBRK_DONE; start = end, end = ubrk_next(words_)) {
    int32_t rule = ubrk_getRuleStatus(words_);
    if (rule < UBRK_WORD_NUMBER_LIMIT && rule >= UBRK_WORD_NONE_LIMIT) continue;  // numbers
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation
    bool ascii = true, cyrillic = false, has_replacement = false;
    for (int32_t k = start; k < end; ++k) {
      char16_t ch = folded_[static_cast<std::size_t>(k)];
      if (ch >= 0x80) ascii = false;
      if (ch >= 0x0400 && ch <= 0x04FF) cyrillic = true;
      if (ch == 0xFFFD) has_replacement = true;
    }
    if (has_replacement) continue;
    int32_t n8 = 0;
    status = U_ZERO_ERROR;
    utf8.resize(static_cast<std::size_t>(end - start) * 3 + 1);
    u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &n8, folded_.data() + start, end - start, &status);
    if (U_FAILURE(status)) continue;
    utf8.resize(static_cast<std::size_t>(n8));
    if (ascii) {
      ascii_chunk(utf8, out);
      continue;
    }
    if (utf8.size() > 4 * max_word_length) continue;
    if (end - start < 2 && rule < UBRK_WORD_IDEO) continue;  // single letters (not ideographs)
    if (rule >= UBRK_WORD_KANA) {  // kana/ideographic words: no stemming
      out.push_back({utf8, false});
      continue;
    }
    if (stop_.count(utf8)) continue;
    out.push_back({stem(utf8, cyrillic), false});
  }
}

}  // namespace doppel::core
