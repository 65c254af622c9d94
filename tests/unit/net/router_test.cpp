// Route table matching: parameters, catch-all, 404 versus 405, hostile segments.
#include "net/router.hpp"

#include <doctest/doctest.h>

using namespace doppel::net;
using verb = http::verb;

namespace {
router sample() {
  auto h = [](request_context&) { return reply{}; };
  return router({
      {verb::get, "/livez", route_auth::public_, 0, "livez", h},
      {verb::get, "/api/issues/{issueKey}/similar", route_auth::api, 0, "similar", h},
      {verb::post, "/api/pairs/{issueKey}/{candidateKey}/link", route_auth::api, 0, "link", h},
      {verb::get, "/static/{path...}", route_auth::public_, 0, "static", h},
      {verb::put, "/api/admin/config", route_auth::api_admin, 1024, "config.put", h},
      {verb::get, "/api/admin/config", route_auth::api_admin, 0, "config.get", h},
  });
}
}  // namespace

TEST_CASE("exact and parameterised routes match with decoded parameters") {
  auto r = sample();
  auto m = r.match(verb::get, "/api/issues/PROJ-12/similar");
  REQUIRE(m.matched);
  CHECK(m.matched->name == "similar");
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0] == std::pair<std::string, std::string>{"issueKey", "PROJ-12"});
  auto link = r.match(verb::post, "/api/pairs/A-1/B%2D2/link");
  REQUIRE(link.matched);
  CHECK(link.params[1].second == "B-2");
}

TEST_CASE("404 when no path matches, 405 with Allow when only the method differs") {
  auto r = sample();
  auto none = r.match(verb::get, "/nope");
  CHECK(none.matched == nullptr);
  CHECK(none.allow.empty());
  auto wrong = r.match(verb::delete_, "/api/admin/config");
  CHECK(wrong.matched == nullptr);
  CHECK(wrong.allow == "PUT, GET");
  auto post_livez = r.match(verb::post, "/livez");
  CHECK(post_livez.allow == "GET");
}

TEST_CASE("HEAD is served by GET routes") {
  auto r = sample();
  auto m = r.match(verb::head, "/livez");
  REQUIRE(m.matched);
  CHECK(m.matched->name == "livez");
}

TEST_CASE("catch-all joins segments and refuses dot segments and bad escapes") {
  auto r = sample();
  auto ok = r.match(verb::get, "/static/assets/panel.js");
  REQUIRE(ok.matched);
  CHECK(ok.params[0].second == "assets/panel.js");
  CHECK(r.match(verb::get, "/static/../secret.key").matched == nullptr);
  CHECK(r.match(verb::get, "/static/%2e%2e/secret.key").matched == nullptr);
  CHECK(r.match(verb::get, "/static/a%zz").matched == nullptr);
  CHECK(r.match(verb::get, "/static/a%00b").matched == nullptr);
  CHECK(r.match(verb::get, "/static/").matched == nullptr);
}

TEST_CASE("trailing or doubled slashes do not match a different route") {
  auto r = sample();
  CHECK(r.match(verb::get, "/livez/").matched == nullptr);
  CHECK(r.match(verb::get, "/api/issues//similar").matched == nullptr);
  CHECK(r.match(verb::get, "/api/issues/A-1/similar/extra").matched == nullptr);
}

TEST_CASE("percent_decode_segment") {
  CHECK(percent_decode_segment("a%20b") == std::optional<std::string>("a b"));
  CHECK(percent_decode_segment("%4A%4b") == std::optional<std::string>("JK"));
  CHECK_FALSE(percent_decode_segment("%4").has_value());
  CHECK_FALSE(percent_decode_segment("%").has_value());
  CHECK_FALSE(percent_decode_segment("%00").has_value());
}
