// Pure parts of ingestion: the routing fields of webhooks and Forge events, dedupe digests.
#include "core/inbound_event.hpp"

#include <doctest/doctest.h>

using namespace doppel;

TEST_CASE("Connect webhooks: issue events need a numeric issue id, unknown events are ignored") {
  auto created = core::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created","issue":{"id":"10001","key":"A-1"}})");
  REQUIRE(created);
  REQUIRE(created->has_value());
  CHECK((*created)->type == core::event_type::created);
  CHECK((*created)->issue_id == "10001");
  auto numeric = core::parse_connect_webhook(R"({"webhookEvent":"jira:issue_deleted","issue":{"id":42}})");
  REQUIRE(numeric);
  CHECK((*numeric)->issue_id == "42");
  auto project = core::parse_connect_webhook(R"({"webhookEvent":"project_deleted","project":{"key":"OPS"}})");
  REQUIRE(project);
  CHECK((*project)->type == core::event_type::project_deleted);
  CHECK((*project)->project_key == "OPS");
  auto other = core::parse_connect_webhook(R"({"webhookEvent":"comment_created"})");
  REQUIRE(other);
  CHECK_FALSE(other->has_value());
  CHECK_FALSE(core::parse_connect_webhook("{not json"));
  CHECK_FALSE(core::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created","issue":{"id":"1 OR 1=1"}})"));
  CHECK_FALSE(core::parse_connect_webhook(R"({"webhookEvent":"jira:issue_created"})"));
  CHECK_FALSE(core::parse_connect_webhook(R"({"issue":{"id":"1"}})"));
  CHECK_FALSE(core::parse_connect_webhook(R"([1,2])"));
}

TEST_CASE("Forge product events map to the same event types") {
  auto ev = core::parse_forge_event(R"({"eventType":"avi:jira:updated:issue","issue":{"id":"7","key":"B-7"}})");
  REQUIRE(ev);
  CHECK((*ev)->type == core::event_type::updated);
  CHECK((*ev)->issue_id == "7");
  auto ignored = core::parse_forge_event(R"({"eventType":"avi:jira:commented:issue","issue":{"id":"7"}})");
  REQUIRE(ignored);
  CHECK_FALSE(ignored->has_value());
}

TEST_CASE("body digests are stable and distinguish bodies") {
  CHECK(core::body_digest("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(core::body_digest("abc") != core::body_digest("abd"));
}

