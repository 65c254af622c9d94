// Wiki markup and ADF to text tables, including hostile input.
#include "core/markup.hpp"

#include <doctest/doctest.h>

#include <string>

using doppel::core::adf_json_to_text;
using doppel::core::wiki_to_text;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("wiki markup: code, noformat, quote and panel content is kept, tags dropped") {
  auto t = wiki_to_text("h2. Problem\n{code:java}\nif (!ok) throw new IOException(\"x\");\n{code}\n"
                        "{noformat}NPE at Foo.bar{noformat} {quote}quoted{quote} {panel:title=T}inside{panel}");
  CHECK(contains(t, "if (!ok) throw new IOException"));
  CHECK(contains(t, "NPE at Foo.bar"));
  CHECK(contains(t, "quoted"));
  CHECK(contains(t, "inside"));
  CHECK_FALSE(contains(t, "{code"));
  CHECK_FALSE(contains(t, "h2."));
  CHECK_FALSE(contains(t, "title=T"));
}

TEST_CASE("wiki markup: links, mentions, images, tables, colour") {
  auto t = wiki_to_text("see [the docs|http://example.org/doc] and [~accountid:5b10a2844c20165700ede21g] "
                        "!screenshot-1.png|thumbnail! ||a||b||\n|c|d| {color:red}alert{color} [HDFS-12]");
  CHECK(contains(t, "the docs"));
  CHECK(contains(t, "http://example.org/doc"));
  CHECK_FALSE(contains(t, "accountid"));
  CHECK_FALSE(contains(t, "screenshot"));
  CHECK_FALSE(contains(t, "|"));
  CHECK(contains(t, "alert"));
  CHECK_FALSE(contains(t, "color"));
  CHECK(contains(t, "HDFS-12"));
}

TEST_CASE("wiki markup: an unclosed code block keeps the rest verbatim, hostile sizes are linear") {
  CHECK(contains(wiki_to_text("{code}a[b]!c!"), "a[b]!c!"));
  std::string big(1 << 20, '[');
  CHECK(wiki_to_text(big).size() == big.size());
  std::string braces;
  for (int i = 0; i < 100000; ++i) braces += "{x";
  CHECK(wiki_to_text(braces).size() == braces.size());
  CHECK(wiki_to_text("").empty());
}

TEST_CASE("ADF: all text is collected, mentions and media dropped, unknown nodes walked") {
  const char* adf = R"({"type":"doc","version":1,"content":[
    {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Crash"}]},
    {"type":"paragraph","content":[{"type":"text","text":"NameNode fails "},{"type":"mention","attrs":{"id":"abc","text":"@Ann"}},
       {"type":"hardBreak"},{"type":"inlineCard","attrs":{"url":"https://x.example/y"}}]},
    {"type":"codeBlock","attrs":{"language":"java"},"content":[{"type":"text","text":"java.lang.NullPointerException"}]},
    {"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"m"}}]},
    {"type":"futureNode","content":[{"type":"text","text":"still here"}]},
    {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"cell"}]}]}]}]}
  ]})";
  auto t = adf_json_to_text(adf);
  CHECK(contains(t, "Crash"));
  CHECK(contains(t, "NameNode fails"));
  CHECK_FALSE(contains(t, "Ann"));
  CHECK(contains(t, "https://x.example/y"));
  CHECK(contains(t, "java.lang.NullPointerException"));
  CHECK(contains(t, "still here"));
  CHECK(contains(t, "cell"));
}

TEST_CASE("ADF: deep nesting and invalid JSON") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"type":"blockquote","content":[)";
  deep += R"({"type":"text","text":"bottom"})";
  for (int i = 0; i < 5000; ++i) deep += "]}";
  CHECK(adf_json_to_text(deep).find("bottom") == std::string::npos);  // below the depth limit: ignored
  std::string shallow;
  for (int i = 0; i < 50; ++i) shallow += R"({"type":"blockquote","content":[)";
  shallow += R"({"type":"text","text":"bottom"})";
  for (int i = 0; i < 50; ++i) shallow += "]}";
  CHECK(contains(adf_json_to_text(shallow), "bottom"));
  CHECK(adf_json_to_text("{not json").empty());
  CHECK(adf_json_to_text("").empty());
}
