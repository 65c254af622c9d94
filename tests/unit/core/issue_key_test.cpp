// The one issue key rule: what the panel, the pair actions and the review queue's bulk action accept.
#include "core/issue_key.hpp"

#include <doctest/doctest.h>

#include <string>

using doppel::core::valid_issue_key;

TEST_CASE("issue keys: PROJECT-123 and nothing else") {
  CHECK(valid_issue_key("ABC-1"));
  CHECK(valid_issue_key("A_B2-100"));
  CHECK(valid_issue_key("abc-7"));  // Jira matches project keys case-insensitively
  CHECK_FALSE(valid_issue_key(""));
  CHECK_FALSE(valid_issue_key("ABC"));
  CHECK_FALSE(valid_issue_key("ABC-"));
  CHECK_FALSE(valid_issue_key("-12"));
  CHECK_FALSE(valid_issue_key("1BC-12"));
  CHECK_FALSE(valid_issue_key("ABC-12a"));
  CHECK_FALSE(valid_issue_key("AB C-12"));
  CHECK_FALSE(valid_issue_key("ABC-12;DROP"));
  CHECK_FALSE(valid_issue_key("not a key!"));  // the review queue's old rule let anything printable through
  CHECK(valid_issue_key(std::string(250, 'A') + "-1234"));
  CHECK_FALSE(valid_issue_key(std::string(251, 'A') + "-1234"));
}

TEST_CASE("project keys: upper-case letter first, then upper-case letters, digits or underscores") {
  using doppel::core::valid_project_key;
  CHECK(valid_project_key("ABC"));
  CHECK(valid_project_key("A1_B"));
  CHECK_FALSE(valid_project_key(""));
  CHECK_FALSE(valid_project_key("abc"));
  CHECK_FALSE(valid_project_key("1AB"));
  CHECK_FALSE(valid_project_key("AB-C"));
  CHECK_FALSE(valid_project_key(std::string(256, 'A')));
}
