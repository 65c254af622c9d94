// Jira issue JSON (v2, v3/ADF, webhook envelope) to issue_document.
#include "core/issue_document.hpp"

#include <doctest/doctest.h>

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
