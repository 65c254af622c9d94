// Pure parts of ingestion: the routing fields of webhooks and Forge events, dedupe digests.
#include "core/inbound_event.hpp"

#include "core/analyzer.hpp"
#include "core/issue_document.hpp"

#include <boost/json.hpp>
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


TEST_CASE("stored_payload: a delivery up to max_verbatim_event_bytes is stored as received") {
  std::string body = R"({"webhookEvent":"jira:issue_created","issue":{"id":"1","key":"A-1","fields":{"summary":"s"}}})";
  CHECK(core::stored_payload(body) == body);
}

TEST_CASE("stored_payload: a larger delivery keeps a bounded prefix of each field, as valid JSON the worker reads") {
  // 3 MiB of description (with a two-byte character straddling the cut), 2,000 comments, a long label list.
  std::string description = "opening words " + std::string(core::max_field_bytes - 15, 'x') + "\xC3\xA9" +
                            std::string(3 * 1024 * 1024, 'y');
  boost::json::array comments, labels;
  for (int i = 0; i < 2000; ++i) comments.push_back(boost::json::object{{"body", std::string(1000, 'c')}});
  for (int i = 0; i < 20000; ++i) labels.push_back(boost::json::value("label" + std::to_string(i)));
  boost::json::object fields{{"summary", "Short summary"}, {"description", description},
                             {"comment", boost::json::object{{"comments", comments}}}, {"labels", labels}};
  boost::json::object body{{"webhookEvent", "jira:issue_updated"},
                           {"issue", boost::json::object{{"id", "10001"}, {"key", "BIG-1"}, {"fields", fields}}}};
  auto text = boost::json::serialize(body);
  REQUIRE(text.size() > core::max_verbatim_event_bytes);

  auto stored = core::stored_payload(text);
  CHECK(stored.size() < 5 * core::max_field_bytes);  // four fields of at most 64 KiB of text, plus JSON syntax
  auto v = boost::json::parse(stored).as_object();
  const auto& f = v.at("issue").at("fields").as_object();
  CHECK(v.at("issue").at("key").as_string() == "BIG-1");
  CHECK(f.at("summary").as_string() == "Short summary");
  auto d = std::string(f.at("description").as_string());
  CHECK(d.size() == core::max_field_bytes - 1);  // the "é" did not fit whole: cut before it
  CHECK(d.rfind("opening words ", 0) == 0);
  auto kept_comments = f.at("comment").at("comments").as_array().size();
  CHECK(kept_comments > 0);
  CHECK(kept_comments < 2000);
  CHECK(f.at("labels").as_array().size() < 20000);

  auto doc = core::parse_issue_json(stored);  // what the worker does with it
  REQUIRE(doc);
  CHECK(doc->key == "BIG-1");
  CHECK(doc->description.rfind("opening words ", 0) == 0);
}

TEST_CASE("stored_payload: a large body that is not a JSON object is returned unchanged") {
  std::string body(core::max_verbatim_event_bytes + 10, '[');
  CHECK(core::stored_payload(body) == body);
}
