// The issue a Connect context token was issued for (its `context.jira.issue` claim) and whether a request matches it.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace doppel::auth {

// From the claim {"context":{"jira":{"issue":{"key":"ABC-1","id":"10001",...}}}} (AP.context.getToken() in an issue
// module). named = the token names an issue (context.jira.issue is present); key and id as given ("" when absent;
// a numeric id is kept as its decimal text).
struct context_issue {
  bool named = false;
  std::string key;
  std::string id;
};

// The context issue of a token's claims; named = false when there is no context.jira.issue object. A present but
// malformed one (not an object, or neither a string key nor an id) is named with empty key and id: it matches no
// issue (fail closed).
context_issue context_issue_of(const boost::json::object& claims);

// May a request about (issue_key, issue_id) be served with this token: always when it names no issue; otherwise the
// key must equal the named key, or, when the claim carries only an id, issue_id must equal it (issue_id "" = not
// known yet: only a key can match then).
bool context_allows(const context_issue& context, std::string_view issue_key, std::string_view issue_id);

}  // namespace doppel::auth
