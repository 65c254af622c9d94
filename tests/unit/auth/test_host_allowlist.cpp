// Host allowlist: entry parsing and tenant base URL checks (schemes, ports, IP literals, userinfo, length).
#include "auth/host_allowlist.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace doppel::auth;

namespace {

std::string check(const host_allowlist& list, std::string_view url) {
  auto s = list.check_base_url(url);
  return s.ok() ? "ok" : s.error().stable_code;
}

}  // namespace

TEST_CASE("allowlist: default Atlassian list") {
  auto list = host_allowlist::parse(default_allowed_hosts);
  REQUIRE(list.ok());
  CHECK(list->size() == 3);
  CHECK(check(*list, "https://acme.atlassian.net") == "ok");
  CHECK(check(*list, "https://acme.atlassian.net/") == "ok");
  CHECK(check(*list, "https://ACME.Atlassian.NET/jira") == "ok");
  CHECK(check(*list, "https://acme.atlassian.net:443") == "ok");
  CHECK(check(*list, "https://acme.jira-dev.com") == "ok");
  CHECK(check(*list, "https://acme.atlassian.net:8443") == "base_url_not_allowed");  // odd port
  CHECK(check(*list, "http://acme.atlassian.net") == "base_url_not_allowed");        // plain http
  CHECK(check(*list, "https://atlassian.net") == "base_url_not_allowed");            // apex
  CHECK(check(*list, "https://a.b.atlassian.net") == "base_url_not_allowed");        // one label only
  CHECK(check(*list, "https://acme.atlassian.net.evil.com") == "base_url_not_allowed");
  CHECK(check(*list, "https://evilatlassian.net") == "base_url_not_allowed");
  CHECK(check(*list, "https://user:pw@acme.atlassian.net") == "base_url_not_allowed");
  CHECK(check(*list, "https://acme.atlassian.net@evil.com") == "base_url_not_allowed");
  CHECK(check(*list, "https://127.0.0.1") == "base_url_not_allowed");
  CHECK(check(*list, "https://[::1]") == "base_url_not_allowed");
  CHECK(check(*list, "ftp://acme.atlassian.net") == "base_url_invalid");
  CHECK(check(*list, "javascript:alert(1)") == "base_url_invalid");
  CHECK(check(*list, "acme.atlassian.net") == "base_url_invalid");
  CHECK(check(*list, "https://acme.atlassian.net/?x=1") == "base_url_invalid");
  CHECK(check(*list, "https://acme.atlassian.net/#f") == "base_url_invalid");
  CHECK(check(*list, "https://ac%6De.atlassian.net") == "base_url_invalid");
  CHECK(check(*list, "https://acme.atlassian.net:0") == "base_url_invalid");
  CHECK(check(*list, "https://acme.atlassian.net:99999") == "base_url_invalid");
  CHECK(check(*list, "https://acme.atlassian.net/" + std::string(300, 'a')) == "base_url_invalid");
  CHECK(check(*list, "") == "base_url_invalid");
}

TEST_CASE("allowlist: explicit hosts, ports and loopback http") {
  auto list = host_allowlist::parse(" 127.0.0.1:* , jira.local:8443,localhost:9000, [::1]:8080,*.example.org ");
  REQUIRE(list.ok());
  CHECK(list->size() == 5);
  CHECK(check(*list, "http://127.0.0.1:39999") == "ok");
  CHECK(check(*list, "https://127.0.0.1:4443/jira") == "ok");
  CHECK(check(*list, "http://127.0.0.2:39999") == "base_url_not_allowed");
  CHECK(check(*list, "https://jira.local:8443") == "ok");
  CHECK(check(*list, "http://jira.local:8443") == "base_url_not_allowed");  // not loopback: https only
  CHECK(check(*list, "https://jira.local") == "base_url_not_allowed");
  CHECK(check(*list, "http://localhost:9000") == "ok");
  CHECK(check(*list, "http://[::1]:8080") == "ok");
  CHECK(check(*list, "https://a.example.org") == "ok");
  CHECK(check(*list, "https://a.example.org:8443") == "base_url_not_allowed");
}

TEST_CASE("allowlist: bad entries are refused") {
  for (std::string_view bad : {"", " , ", "*.com", "*.", "host:", "host:abc", "host:70000", "[::1", "bad_host.com",
                               "*.bad_host.com", "ho st"}) {
    CAPTURE(bad);
    auto r = host_allowlist::parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "allowed_hosts_invalid");
  }
}
