// Surface forms: explaining stems, compounds and bigrams back to the words as the issues write them.
#include "core/surface_forms.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace doppel::core;

namespace {

// The index term of one word, as the analyzer makes it (so the tests do not hard-code the stemmer).
std::string term_of(tokenizer& tok, std::string_view word) {
  auto terms = tok.terms(word);
  REQUIRE(!terms.empty());
  return terms.front();
}

std::vector<std::string> forms(tokenizer& tok, std::vector<std::string> terms, std::vector<std::string_view> texts) {
  return surface_forms(terms, texts, tok);
}

}  // namespace

TEST_CASE("stems map to the first word in the texts that analyses to them, as written") {
  tokenizer tok;
  const std::string appli = term_of(tok, "application"), freez = term_of(tok, "freezes");
  CHECK(appli != "Application");
  CHECK(freez == "freez");
  const auto out = forms(tok, {appli, freez, "unseen"}, {"Application freezes, then (freezing) again", "freeze"});
  CHECK(out == std::vector<std::string>{"Application", "freezes", "unseen"});
  // The first text given wins over later ones.
  CHECK(forms(tok, {freez}, {"UI froze", "it FREEZES"}) == std::vector<std::string>{"FREEZES"});
  REQUIRE(term_of(tok, "freezing") == freez);
  CHECK(forms(tok, {freez}, {"Freezing"}) == std::vector<std::string>{"Freezing"});
}

TEST_CASE("bigrams take each word's surface form, compounds and issue keys keep their spelling") {
  tokenizer tok;
  const std::string bigram = term_of(tok, "application") + " " + term_of(tok, "freezes");
  CHECK(forms(tok, {bigram}, {"The Application freezes"}) == std::vector<std::string>{"Application freezes"});
  // One word of the bigram absent from the texts: that word stays a stem.
  CHECK(forms(tok, {bigram}, {"Application hangs"}) ==
        std::vector<std::string>{"Application " + term_of(tok, "freezes")});

  const std::string text = "NameNode throws java.io.IOException: see HDFS-1234.";
  const auto compound = tok.terms("java.io.IOException").front();  // the whole identifier, listed first
  const auto namenode = tok.terms("NameNode").front();  // the whole camelCase word, listed before its parts
  const auto out = forms(tok, {compound, "hdfs-1234", term_of(tok, "exception"), namenode, "name", "node"}, {text});
  CHECK(out[0] == "java.io.IOException");
  CHECK(out[1] == "HDFS-1234");
  CHECK(out[2] == "Exception");  // a camelCase part of the identifier
  CHECK(out[4] == "Name");
  CHECK(out[5] == "Node");
  CHECK(out[3] == "NameNode");
}

TEST_CASE("no texts or no terms, so stems come back unchanged") {
  tokenizer tok;
  CHECK(forms(tok, {"freez", "a b"}, {}) == std::vector<std::string>{"freez", "a b"});
  CHECK(forms(tok, {}, {"anything"}).empty());
  CHECK(forms(tok, {"cafe"}, {"Un café crème"}) == std::vector<std::string>{"café"});
}
