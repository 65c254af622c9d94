// Forge app system token helpers: expiry from the JWT payload, plausibility, usability and backfill wait messages.
#include "auth/forge_token.hpp"
#include "auth/jwt.hpp"
#include "util/encoding.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace doppel;
using namespace doppel::auth;

namespace {

constexpr std::int64_t now = 1'800'000'000;

std::string token_with(std::string_view claims_json) {
  return base64url_encode(R"({"alg":"RS256","typ":"JWT","kid":"k"})") + "." + base64url_encode(claims_json) + ".c2ln";
}

}  // namespace

TEST_CASE("forge token: exp of a JWT-shaped token is its expiry") {
  CHECK(system_token_expiry(token_with(R"({"exp":1800000900,"sub":"app"})"), now) == 1'800'000'900);
  CHECK(system_token_expiry(sign_hs256(boost::json::object{{"exp", now + 60}}, "s"), now) == now + 60);
  // A past exp is still reported (the caller decides); a float exp is truncated.
  CHECK(system_token_expiry(token_with(R"({"exp":1799999000})"), now) == 1'799'999'000);
  CHECK(system_token_expiry(token_with(R"({"exp":1800000100.9})"), now) == 1'800'000'100);
}

TEST_CASE("forge token: no usable exp means unknown expiry") {
  CHECK_FALSE(system_token_expiry("opaque-token-value", now));
  CHECK_FALSE(system_token_expiry(token_with(R"({"sub":"app"})"), now));
  CHECK_FALSE(system_token_expiry(token_with(R"({"exp":"1800000900"})"), now));
  CHECK_FALSE(system_token_expiry(token_with(R"({"exp":-5})"), now));
  CHECK_FALSE(system_token_expiry(token_with(R"({"exp":0})"), now));
  // Further out than a day is not believed (a planted token must not pin itself as "newest").
  CHECK_FALSE(system_token_expiry(token_with(R"({"exp":1800090000})"), now));
  CHECK(system_token_expiry(token_with(R"({"exp":1800086400})"), now) == now + system_token_max_lifetime_s);
  CHECK_FALSE(system_token_expiry(token_with(R"({"exp":18446744073709551615})"), now));
}

TEST_CASE("forge token: plausible header values") {
  CHECK(plausible_system_token("eyJhbGciOi.eyJleHAiOjF9.c2ln"));
  CHECK_FALSE(plausible_system_token(""));
  CHECK_FALSE(plausible_system_token("two words"));
  CHECK_FALSE(plausible_system_token("line\nbreak"));
  CHECK_FALSE(plausible_system_token(std::string(max_system_token_bytes + 1, 'a')));
  CHECK(plausible_system_token(std::string(max_system_token_bytes, 'a')));
}

TEST_CASE("forge token: a stored token is usable until margin seconds before its exp") {
  CHECK(system_token_problem(false, std::nullopt, now) == "forge_token_missing");
  CHECK(system_token_problem(false, now + 3600, now) == "forge_token_missing");
  CHECK(system_token_problem(true, std::nullopt, now).empty());
  CHECK(system_token_problem(true, now + system_token_margin_s + 1, now).empty());
  CHECK(system_token_problem(true, now + system_token_margin_s, now) == "forge_token_expired");
  CHECK(system_token_problem(true, now - 1, now) == "forge_token_expired");
}

TEST_CASE("forge token: every wait reason has its own admin message") {
  auto missing = backfill_wait_message("forge_token_missing");
  auto expired = backfill_wait_message("forge_token_expired");
  auto rejected = backfill_wait_message("forge_token_rejected");
  auto other = backfill_wait_message("something_else");
  CHECK(missing.find("not sent") != std::string::npos);
  CHECK(expired.find("expired") != std::string::npos);
  CHECK(rejected.find("401") != std::string::npos);
  CHECK(missing != expired);
  CHECK(expired != rejected);
  CHECK(other.find("Waiting for Jira") == 0);
  for (const auto& m : {missing, expired, rejected}) CHECK(m.find("resumes where it stopped") != std::string::npos);
}
