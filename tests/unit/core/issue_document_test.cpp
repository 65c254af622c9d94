// Jira issue JSON (v2, v3/ADF, webhook envelope) to issue_document.
#include "core/issue_document.hpp"

#include "core/analyzer.hpp"
#include "core/index.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace doppel::core;

TEST_CASE("issue JSON v2 with wiki markup") {
  auto d = parse_issue_json(R"({"id":"10001","key":"HDFS-7","fields":{"summary":"DataNode dies",
    "description":"{code}NPE{code} see [~bob]","environment":"Linux *x86*","created":"2019-03-01T10:20:30.123+0100",
    "updated":"2019-03-02T00:00:00.000+0000","labels":["crash"],"components":[{"name":"datanode"}],
    "issuetype":{"name":"Bug"},"status":{"name":"Open"},"project":{"key":"HDFS"}}})");
  REQUIRE(d.ok());
  CHECK(d->issue_id == "10001");
  CHECK(d->key == "HDFS-7");
  CHECK(d->project == "HDFS");
  CHECK(d->issue_type == "Bug");
  CHECK(d->status == "Open");
  CHECK(d->summary == "DataNode dies");
  CHECK(d->description.find("NPE") != std::string::npos);
  CHECK(d->description.find("bob") == std::string::npos);
  CHECK(d->labels == std::vector<std::string>{"crash"});
  CHECK(d->components == std::vector<std::string>{"datanode"});
  CHECK(d->created_ms == 1551432030123LL);  // 09:20:30.123 UTC
  CHECK(d->updated_ms == 1551484800000LL);
}

TEST_CASE("issue JSON v3 (ADF) inside a webhook envelope, numeric id") {
  auto d = parse_issue_json(R"({"webhookEvent":"jira:issue_updated","issue":{"id":42,"key":"X-1","fields":{
    "summary":"s","description":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"adf body"}]}]},
    "environment":null}}})");
  REQUIRE(d.ok());
  CHECK(d->issue_id == "42");
  CHECK(d->project == "X");  // derived from the key when fields.project is absent
  CHECK(d->description.find("adf body") != std::string::npos);
  CHECK(d->environment.empty());
}

TEST_CASE("issue JSON errors and empty fields") {
  CHECK_FALSE(parse_issue_json("{").ok());
  CHECK_FALSE(parse_issue_json("[]").ok());
  CHECK_FALSE(parse_issue_json(R"({"fields":{}})").ok());
  CHECK_FALSE(parse_issue_json("{\"id\":\"1\",\"key\":\"A-1\",\"x\":\"\xff\"}").ok());  // invalid UTF-8
  auto d = parse_issue_json(R"({"id":"1","key":"A-1","fields":{"summary":null,"description":"","labels":null}})");
  REQUIRE(d.ok());
  CHECK(d->summary.empty());
  CHECK(d->labels.empty());
}

TEST_CASE("Jira timestamps") {
  std::int64_t ms = 0;
  CHECK(parse_jira_time("1970-01-01T00:00:00.000+0000", ms));
  CHECK(ms == 0);
  CHECK(parse_jira_time("1970-01-02T00:00:00Z", ms));
  CHECK(ms == 86400000);
  CHECK(parse_jira_time("1970-01-01T01:00:00.000+01:00", ms));
  CHECK(ms == 0);
  CHECK(parse_jira_time("2000-03-01", ms));
  CHECK(ms == 951868800000LL);
  CHECK_FALSE(parse_jira_time("yesterday", ms));
  CHECK_FALSE(parse_jira_time("", ms));
}

TEST_CASE("analysis caps megabyte fields and counts per field slot") {
  issue_document d;
  d.issue_id = "1";
  d.key = "BIG-1";
  d.summary = "DataNode disk failure";
  std::string big;
  while (big.size() < (2u << 20)) big += "replication pipeline recovery failed ";
  d.description = big;
  d.components = {"hdfs-client"};
  d.labels = {"disk"};
  tokenizer tok;
  auto a = analyze(d, tok);
  CHECK(a.lengths[field_description] <= max_field_tokens);
  CHECK(a.lengths[field_summary] == 5);  // datanod, data, node, disk, failur
  bool saw_bigram = false, saw_key = false;
  for (const auto& t : a.terms) {
    saw_bigram |= t.term == "disk failur";
    saw_key |= t.term == "big-1" && t.tf[field_meta] == 1;
    if (t.term == "replic") CHECK(t.tf[field_description] == 255);  // saturated count
  }
  CHECK(saw_bigram);
  CHECK(saw_key);
  CHECK(std::is_sorted(a.terms.begin(), a.terms.end(),
                       [](const term_freq& x, const term_freq& y) { return x.term < y.term; }));
}

TEST_CASE("parse_issue_json: project id and issue security level (fields.project.id, fields.security)") {
  auto secured = parse_issue_json(R"({"issue":{"id":"20001","key":"HR-1","fields":{"summary":"s",
      "project":{"id":"10001","key":"HR"},"security":{"self":"x","id":"10050","name":"Staff only"}}}})");
  REQUIRE(secured.ok());
  CHECK(secured->project_id == "10001");
  CHECK(secured->security_known);
  CHECK(secured->security_level_id == "10050");

  auto open = parse_issue_json(R"({"id":"20002","key":"OPEN-1","fields":{"project":{"id":10002,"key":"OPEN"},"security":null}})");
  REQUIRE(open.ok());
  CHECK(open->project_id == "10002");  // a numeric id is accepted too
  CHECK(open->security_known);
  CHECK(open->security_level_id.empty());

  // No security field at all (asked without it, or an older payload): not known, so the filter asks Jira.
  auto absent = parse_issue_json(R"({"id":"20003","key":"OPEN-2","fields":{"project":{"key":"OPEN"}}})");
  REQUIRE(absent.ok());
  CHECK(absent->project_id.empty());
  CHECK_FALSE(absent->security_known);
  // A malformed level (no id, wrong type) is not taken as "no level".
  for (const char* sec : {R"({"name":"Staff only"})", R"("10050")", "7", "[]"}) {
    auto odd = parse_issue_json(std::string(R"({"id":"1","key":"A-1","fields":{"security":)") + sec + "}}");
    REQUIRE(odd.ok());
    CHECK_FALSE(odd->security_known);
  }
  // The indexed form keeps them for the store.
  tokenizer tok;
  auto indexed = make_indexed_document(*secured, tok);
  CHECK(indexed.project_id == "10001");
  CHECK(indexed.security_known);
  CHECK(indexed.security_level_id == "10050");
}
