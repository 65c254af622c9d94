// Tokenizer: text to index terms (Unicode word break, case folding, stop words, stemming,
// identifier splitting). One instance per thread (holds an ICU break iterator and stemmers).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct sb_stemmer;
struct UBreakIterator;

namespace doppel::core {

struct token {
  std::string text;
  bool compound = false;  // a whole identifier/path/version/issue key kept beside its parts
};

// Rules, in order, for each run of non-separator characters:
//  - URLs ("scheme://host/path"): the host and path words (no scheme, no query string).
//  - Issue keys ("HDFS-1234"): the whole key lower-cased (compound) plus the project word.
//  - Versions ("2.7.1", "0.20.205"): the whole version (compound); bare numbers are dropped.
//  - Identifiers with '.', '/', '_', '$', '::' (java.io.IOException, path/to/File.java,
//    snake_case, Outer$Inner) and camelCase words: the whole lower-cased identifier (compound,
//    a trailing ":123" line number removed) plus every part, camelCase parts split further.
//  - Words: case folded, accents on Latin letters removed (café = cafe), stop words and 1-character words dropped, Snowball-stemmed
//    (English; Russian for Cyrillic words). Non-ASCII runs are segmented with ICU word break
//    (dictionary based for CJK); invalid UTF-8 becomes U+FFFD and is dropped.
class tokenizer {
 public:
  tokenizer();
  ~tokenizer();
  tokenizer(const tokenizer&) = delete;
  tokenizer& operator=(const tokenizer&) = delete;

  // Appends the tokens of text to out, in text order.
  void tokenize(std::string_view text, std::vector<token>& out);

  // Convenience for tests: only the token texts.
  std::vector<std::string> terms(std::string_view text);

 private:
  void chunk(std::string_view c, std::vector<token>& out);
  void ascii_chunk(std::string_view c, std::vector<token>& out);
  void unicode_chunk(std::string_view c, std::vector<token>& out);
  void word(std::string_view w, std::vector<token>& out);  // ASCII alnum, splits camelCase
  void emit_word(std::string_view lower, std::vector<token>& out);  // lower-cased single word
  const std::string& stem(std::string_view lower, bool cyrillic);

  std::unordered_set<std::string_view> stop_;
  sb_stemmer* english_ = nullptr;
  sb_stemmer* russian_ = nullptr;
  UBreakIterator* words_ = nullptr;
  std::unordered_map<std::string, std::string> stem_cache_;
  std::u16string u16_, folded_;
  std::string scratch_;
};

}  // namespace doppel::core
