// Pure parts of ingestion: event routing fields, dedupe digests, retry backoff bounds.
#include "jobs/inbox.hpp"
#include "jobs/job_queue.hpp"

#include <doctest/doctest.h>

using namespace doppel;

TEST_CASE("Connect webhooks: issue events need a numeric issue id, unknown events are ignored") {
  auto created = jobs::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created","issue":{"id":"10001","key":"A-1"}})");
  REQUIRE(created);
  REQUIRE(created->has_value());
  CHECK((*created)->type == jobs::event_type::created);
  CHECK((*created)->issue_id == "10001");
  auto numeric = jobs::parse_connect_webhook(R"({"webhookEvent":"jira:issue_deleted","issue":{"id":42}})");
  REQUIRE(numeric);
  CHECK((*numeric)->issue_id == "42");
  auto project = jobs::parse_connect_webhook(R"({"webhookEvent":"project_deleted","project":{"key":"OPS"}})");
  REQUIRE(project);
  CHECK((*project)->type == jobs::event_type::project_deleted);
  CHECK((*project)->project_key == "OPS");
  auto other = jobs::parse_connect_webhook(R"({"webhookEvent":"comment_created"})");
  REQUIRE(other);
  CHECK_FALSE(other->has_value());
  CHECK_FALSE(jobs::parse_connect_webhook("{not json"));
  CHECK_FALSE(jobs::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created","issue":{"id":"1 OR 1=1"}})"));
  CHECK_FALSE(jobs::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created"})"));
  CHECK_FALSE(jobs::parse_connect_webhook(R"({"issue":{"id":"1"}})"));
  CHECK_FALSE(jobs::parse_connect_webhook(R"([1,2])"));
}

TEST_CASE("Forge product events map to the same event types") {
  auto ev = jobs::parse_forge_event(R"({"eventType":"avi:jira:updated:issue","issue":{"id":"7","key":"B-7"}})");
  REQUIRE(ev);
  CHECK((*ev)->type == jobs::event_type::updated);
  CHECK((*ev)->issue_id == "7");
  auto ignored = jobs::parse_forge_event(R"({"eventType":"avi:jira:commented:issue","issue":{"id":"7"}})");
  REQUIRE(ignored);
  CHECK_FALSE(ignored->has_value());
}

TEST_CASE("body digests are stable and distinguish bodies") {
  CHECK(jobs::body_digest("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(jobs::body_digest("abc") != jobs::body_digest("abd"));
}

TEST_CASE("backoff doubles from 1 s, caps at 5 min, jitter within 0.7..1.3") {
  using std::chrono::milliseconds;
  CHECK(jobs::backoff_delay(1, 0.5) == milliseconds(1000));
  CHECK(jobs::backoff_delay(2, 0.5) == milliseconds(2000));
  CHECK(jobs::backoff_delay(4, 0.5) == milliseconds(8000));
  CHECK(jobs::backoff_delay(30, 0.5) == milliseconds(300000));
  CHECK(jobs::backoff_delay(1, 0.0) == milliseconds(700));
  CHECK(jobs::backoff_delay(1, 1.0) == milliseconds(1300));
}

TEST_CASE("job kinds round-trip through their names") {
  for (auto k : {jobs::job_kind::apply_issue, jobs::job_kind::apply_project_delete, jobs::job_kind::backfill,
                 jobs::job_kind::rescan, jobs::job_kind::publish_flags, jobs::job_kind::purge_tenant})
    CHECK(jobs::job_kind_from(jobs::to_string(k)) == k);
  CHECK_FALSE(jobs::job_kind_from("drop_table").has_value());
}
