// Tokenizer tables: words, stop words, stemming, identifiers, versions, URLs, Unicode, hostile input.
#include "core/tokenizer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using doppel::core::tokenizer;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& t : v) out += t + " ";
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("tokenizer: words are case folded, stemmed, stop words and numbers dropped") {
  tokenizer tok;
  CHECK(tok.terms("The DataNodes are Running and 42 of them failed") ==
        std::vector<std::string>{"datanod", "data", "node", "run", "fail"});
}

TEST_CASE("tokenizer: identifier table") {
  tokenizer tok;
  struct row {
    const char* text;
    std::vector<std::string> expected;
  };
  const row rows[] = {
      {"java.io.IOException", {"java.io.ioexception", "java", "io", "ioexcept", "io", "except"}},
      {"dfs.replication", {"dfs.replication", "dfs", "replic"}},
      {"snake_case_name", {"snake_case_name", "snake", "case", "name"}},
      {"DFSClient.java:123", {"dfsclient.java", "dfsclient", "dfs", "client", "java"}},
      {"HDFS-1234", {"hdfs-1234", "hdfs"}},
      {"version 2.7.1", {"version", "2.7.1"}},
      {"read-write", {"read", "write"}},
      {"https://issues.apache.org/jira/browse/X?focused=1", {"issu", "apach", "org", "jira", "brows", "focus"}},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.text));
    CHECK(joined(tok.terms(r.text)) == joined(r.expected));
  }
}

TEST_CASE("tokenizer: stack trace frames keep the qualified method") {
  tokenizer tok;
  auto t = tok.terms("\tat org.apache.hadoop.hdfs.DFSClient.getFileInfo(DFSClient.java:1234)");
  CHECK(has(t, "org.apache.hadoop.hdfs.dfsclient.getfileinfo"));
  CHECK(has(t, "getfileinfo"));
  CHECK(has(t, "file"));
  CHECK(has(t, "dfsclient.java"));
  CHECK_FALSE(has(t, "1234"));
}

TEST_CASE("tokenizer: Unicode text (accents, Cyrillic, CJK)") {
  tokenizer tok;
  auto fr = tok.terms("Café RÉSUMÉ naïve Ångström");
  CHECK(has(fr, "cafe"));
  CHECK(has(fr, "resum"));  // accents folded, then stemmed like the English word
  CHECK(has(fr, "naiv"));
  CHECK(has(fr, "angstrom"));
  CHECK(tok.terms("cafe") == tok.terms("CAFÉ"));
  CHECK(tok.terms("Cafe\u0301") == tok.terms("café"));  // decomposed input folds the same
  CHECK(has(tok.terms("Дайте йогурт"), "йогурт"));  // Cyrillic й keeps its breve
  auto ru = tok.terms("Ошибка ПРИ запуске сервера");
  CHECK(has(ru, "ошибк"));
  CHECK(has(ru, "сервер"));
  auto zh = tok.terms("数据节点无法启动");
  CHECK_FALSE(zh.empty());
  for (const auto& t : zh) CHECK(!t.empty());
  auto ja = tok.terms("ファイルが見つかりません");
  CHECK_FALSE(ja.empty());
}

TEST_CASE("tokenizer: hostile input is survived") {
  tokenizer tok;
  CHECK(tok.terms("").empty());
  CHECK(tok.terms("   \n\t ").empty());
  std::string invalid = "valid \xff\xfe\xc3 word \xe2\x82";
  auto t = tok.terms(invalid);
  CHECK(has(t, "valid"));
  CHECK(has(t, "word"));
  std::string huge(1 << 20, 'a');
  CHECK(tok.terms(huge).empty());  // one 1 MiB "word" is longer than any real word
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "alpha.beta ";
  CHECK(tok.terms(many).size() == 60000);
  std::string punct(100000, '.');
  CHECK(tok.terms(punct).empty());
}
