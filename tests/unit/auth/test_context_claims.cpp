// The Connect context claim's issue (context.jira.issue) and the rule a panel request must match.
#include "auth/context_claims.hpp"

#include <boost/json.hpp>

#include <doctest/doctest.h>

using namespace doppel::auth;

namespace {

context_issue of(const char* claims_json) { return context_issue_of(boost::json::parse(claims_json).as_object()); }

}  // namespace

TEST_CASE("context claims: the issue named by context.jira.issue, as AP.context.getToken() issues it") {
  auto c = of(R"({"sub":"u1","qsh":"context-qsh","context":{"license":{"active":true},
                  "jira":{"issue":{"issuetype":{"id":"10001"},"id":"10042","key":"OPEN-1"},
                          "project":{"id":"10000","key":"OPEN"}}}})");
  CHECK(c.named);
  CHECK(c.key == "OPEN-1");
  CHECK(c.id == "10042");
  auto numeric = of(R"({"context":{"jira":{"issue":{"id":10042}}}})");
  CHECK(numeric.named);
  CHECK(numeric.key.empty());
  CHECK(numeric.id == "10042");
}

TEST_CASE("context claims: no context, or a context without an issue, names nothing (tokens keep working)") {
  CHECK_FALSE(of(R"({"sub":"u1"})").named);
  CHECK_FALSE(of(R"({"context":{}})").named);
  CHECK_FALSE(of(R"({"context":{"jira":{"project":{"id":"10000","key":"OPEN"}}}})").named);
  CHECK_FALSE(of(R"({"context":"x"})").named);
  CHECK(context_allows(of(R"({"sub":"u1"})"), "HR-1", "31004"));
}

TEST_CASE("context claims: a named issue must match the request, a malformed one matches nothing") {
  auto c = of(R"({"context":{"jira":{"issue":{"id":"10042","key":"OPEN-1"}}}})");
  CHECK(context_allows(c, "OPEN-1", ""));
  CHECK(context_allows(c, "OPEN-1", "10042"));
  CHECK_FALSE(context_allows(c, "OPEN-2", ""));
  CHECK_FALSE(context_allows(c, "OPEN-2", "10042"));  // the key decides when it is given
  CHECK_FALSE(context_allows(c, "open-1", "10042"));
  auto by_id = of(R"({"context":{"jira":{"issue":{"id":"10042"}}}})");
  CHECK(context_allows(by_id, "OPEN-1", "10042"));
  CHECK_FALSE(context_allows(by_id, "OPEN-1", "10043"));
  CHECK_FALSE(context_allows(by_id, "OPEN-1", ""));  // id not known yet: no match
  for (const char* bad : {R"({"context":{"jira":{"issue":"OPEN-1"}}})", R"({"context":{"jira":{"issue":{"key":7}}}})",
                          R"({"context":{"jira":{"issue":{}}}})", R"({"context":{"jira":{"issue":{"id":-3}}}})"}) {
    CAPTURE(bad);
    auto m = of(bad);
    CHECK(m.named);
    CHECK_FALSE(context_allows(m, "OPEN-1", "10042"));
    CHECK_FALSE(context_allows(m, "OPEN-1", ""));
  }
}
