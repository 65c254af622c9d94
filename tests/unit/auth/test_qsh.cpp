// qsh canonicalisation against Atlassian's conformance vectors (79 signed URLs, atlassian-jwt cases) and edge rules.
#include "auth/jwt.hpp"
#include "auth/qsh.hpp"
#include "unit/auth/test_util.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace doppel;
using namespace doppel::auth;

namespace {

std::string jwt_param(std::string_view url) {
  auto pos = url.find("jwt=");
  REQUIRE(pos != std::string_view::npos);
  auto end = url.find('&', pos);
  return std::string(url.substr(pos + 4, end == std::string_view::npos ? std::string_view::npos : end - pos - 4));
}

}  // namespace

TEST_CASE("qsh: all 79 Atlassian interoperability signed URLs (canonical, qsh, HS256 signature)") {
  auto doc = test::read_json_file(test::shared_path("conformance/jwt-signed-urls.json")).as_object();
  const std::string secret(doc.at("secret").as_string());
  const auto& tests = doc.at("tests").as_array();
  CHECK(tests.size() == 79);
  int checked = 0;
  for (const auto& t : tests) {
    const auto& o = t.as_object();
    const std::string name(o.at("name").as_string());
    const std::string expected(o.at("canonicalUrl").as_string());
    const std::string url(o.at("signedUrl").as_string());
    const std::string base = o.contains("addonBaseUrl") ? std::string(o.at("addonBaseUrl").as_string()) : std::string();
    CAPTURE(name);
    CHECK(canonical_request("GET", url, base) == expected);

    auto token = decode_jwt(jwt_param(url));
    REQUIRE(token.ok());
    CHECK(verify_hs256(*token, secret));
    CHECK_FALSE(verify_hs256(*token, "fake-jwt-secret"));
    const std::string qsh = claim_string(token->claims, "qsh");
    CHECK(qsh == query_string_hash(expected));
    CHECK(qsh_matches(qsh, "GET", url, base));
    // The tokens were issued in Feb 2014: valid at iat, expired today.
    auto iat = token->claims.at("iat").to_number<std::int64_t>();
    CHECK(check_times(token->claims, test::at_unix(iat + 1), {}).ok());
    auto late = check_times(token->claims, test::at_unix(1'700'000'000), {});
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().stable_code == "jwt_expired");
    ++checked;
  }
  CHECK(checked == 79);
}

TEST_CASE("qsh: every atlassian-jwt 2.0.3 case (canonical string and hash)") {
  auto doc = test::read_json_file(test::shared_path("conformance/qsh-atlassian-jwt.json")).as_object();
  const auto& cases = doc.at("cases").as_array();
  REQUIRE(cases.size() >= 20);
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    const std::string method(o.at("method").as_string());
    const std::string url(o.at("url").as_string());
    const std::string base = o.contains("baseUrl") ? std::string(o.at("baseUrl").as_string()) : std::string();
    CAPTURE(url);
    const std::string canonical = canonical_request(method, url, base);
    CHECK(canonical == std::string(o.at("canonical").as_string()));
    CHECK(query_string_hash(canonical) == std::string(o.at("qsh").as_string()));
    CHECK(compute_qsh(method, url, base) == std::string(o.at("qsh").as_string()));
  }
}

TEST_CASE("qsh: base path strip is segment-aware, not a substring strip") {
  CHECK(canonical_request("GET", "/addon/panel", "https://x.example/addon") == "GET&/panel&");
  CHECK(canonical_request("GET", "/addon", "https://x.example/addon/") == "GET&/&");
  CHECK(canonical_request("GET", "/addons/panel", "https://x.example/addon") == "GET&/addons/panel&");
  CHECK(canonical_request("GET", "/x/addon/panel", "/addon") == "GET&/x/addon/panel&");
  CHECK(canonical_request("GET", "/panel", "https://x.example") == "GET&/panel&");
  CHECK(canonical_request("GET", "/panel", "https://x.example/") == "GET&/panel&");
}

TEST_CASE("qsh: path rules (ampersand, trailing slash, missing leading slash, fragment)") {
  CHECK(canonical_request("post", "/a&b/c/", "") == "POST&/a%26b/c&");
  CHECK(canonical_request("GET", "relative?x=1", "") == "GET&/relative&x=1");
  CHECK(canonical_request("GET", "/p?x=1#frag", "") == "GET&/p&x=1");
  CHECK(canonical_request("GET", "//", "") == "GET&/&");
  CHECK(canonical_request("GET", "?a=1", "") == "GET&/&a=1");
  CHECK(canonical_request("GET", "https://h.example", "") == "GET&/&");
}

TEST_CASE("qsh: query rules (jwt dropped, grouping, + vs %20, empty values, encoding)") {
  CHECK(canonical_query("jwt=abc&b=1") == "b=1");
  CHECK(canonical_query("b=2&b=10&b=1") == "b=1,10,2");
  CHECK(canonical_query("x=a+b&y=a%20b&z=a%2Bb") == "x=a%20b&y=a%20b&z=a%2Bb");
  CHECK(canonical_query("flag&e=") == "e=&flag=");
  CHECK(canonical_query("&&a=1&&") == "a=1");
  CHECK(canonical_query("a=%zz") == "a=%25zz");   // invalid escape kept literally, then encoded
  CHECK(canonical_query("a=%FF") == "a=%EF%BF%BD");  // invalid UTF-8 becomes U+FFFD like the reference
  CHECK(canonical_query("k=%E2%82%AC") == "k=%E2%82%AC");
  CHECK(canonical_query("0=x&%3A=y") == "%3A=y&0=x");  // names sort by their encoded bytes
  CHECK(canonical_query("") == "");
}

TEST_CASE("qsh: decoded-path retry only when the raw path has a percent sign") {
  const std::string decoded_qsh = query_string_hash("GET&/issue/a b&x=1");
  CHECK(qsh_matches(decoded_qsh, "GET", "/issue/a%20b?x=1", ""));
  CHECK_FALSE(qsh_matches(decoded_qsh, "GET", "/issue/a+b?x=1", ""));
  CHECK(qsh_matches(compute_qsh("GET", "/issue/a%20b?x=1"), "GET", "/issue/a%20b?x=1", ""));
  CHECK_FALSE(qsh_matches(compute_qsh("GET", "/issue/a%20b?x=2"), "GET", "/issue/a%20b?x=1", ""));
  CHECK_FALSE(qsh_matches("", "GET", "/", ""));
}

TEST_CASE("qsh: helpers") {
  CHECK(base_path_of("https://h.example/a/b/") == "/a/b");
  CHECK(base_path_of("https://h.example") == "");
  CHECK(base_path_of("/jira") == "/jira");
  CHECK(rfc3986_encode("aZ09-._~ *+!") == "aZ09-._~%20%2A%2B%21");
  CHECK(form_decode("a+b%2B%41") == "a b+A");
  CHECK(query_string_hash("GET&/&") == "c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239");
}

TEST_CASE("qsh: repeated values sort by UTF-16 code units like the Java and JS references") {
  // U+FFFD (EF BF BD) sorts after U+1F600 (F0 9F 98 80) in UTF-16 (0xFFFD > 0xD83D) but before it in UTF-8.
  CHECK(canonical_query("v=%F0%9F%98%80&v=%EF%BF%BD") == "v=%F0%9F%98%80,%EF%BF%BD");
  CHECK(canonical_query("v=b&v=a&v=%E2%82%AC&v=") == "v=,a,b,%E2%82%AC");
  // Decoded-value order, not encoded: ':' (0x3A) after '0' (0x30) although "%3A" < "0".
  CHECK(canonical_query("v=%3A&v=0") == "v=0,%3A");
}
