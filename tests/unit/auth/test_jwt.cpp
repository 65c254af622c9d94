// JWT decode strictness, HS256/RS256 sign+verify, RSA key loading (PEM, JWK) and time claims.
#include "auth/jwt.hpp"
#include "auth/rsa_key.hpp"
#include "unit/auth/test_util.hpp"
#include "util/encoding.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace doppel;
using namespace doppel::auth;

namespace {

const rsa_key& test_key() {
  static const rsa_key key = rsa_key::generate(2048);
  return key;
}

std::string forge(std::string_view header_json, std::string_view claims_json, std::string_view sig = "c2ln") {
  return base64url_encode(header_json) + "." + base64url_encode(claims_json) + "." + std::string(sig);
}

std::string error_code(const result<decoded_jwt>& r) { return r.ok() ? "ok" : r.error().stable_code; }

}  // namespace

TEST_CASE("jwt: HS256 round trip and wrong secret") {
  boost::json::object claims{{"iss", "tenant-1"}, {"exp", 2000}, {"qsh", "x"}};
  std::string token = sign_hs256(claims, "s3cret");
  auto d = decode_jwt(token);
  REQUIRE(d.ok());
  CHECK(d->alg == "HS256");
  CHECK(d->claims.at("iss").as_string() == "tenant-1");
  CHECK(verify_hs256(*d, "s3cret"));
  CHECK_FALSE(verify_hs256(*d, "s3cret "));
  CHECK_FALSE(verify_hs256(*d, ""));
  CHECK_FALSE(verify_rs256(*d, test_key()));
  // A flipped signature byte fails.
  std::string bad = token;
  bad.back() = bad.back() == 'A' ? 'B' : 'A';
  auto dbad = decode_jwt(bad);
  if (dbad.ok()) CHECK_FALSE(verify_hs256(*dbad, "s3cret"));
}

TEST_CASE("jwt: RS256 round trip, kid, wrong key, HS256 verification refuses an RS256 token") {
  boost::json::object claims{{"iss", "c1"}, {"exp", 2000}};
  std::string token = sign_rs256(claims, test_key(), "kid-1");
  auto d = decode_jwt(token);
  REQUIRE(d.ok());
  CHECK(d->alg == "RS256");
  CHECK(d->kid == "kid-1");
  CHECK(verify_rs256(*d, test_key()));
  auto other = rsa_key::generate(2048);
  CHECK_FALSE(verify_rs256(*d, other));
  CHECK_FALSE(verify_hs256(*d, test_key().public_pem()));
}

TEST_CASE("jwt: decode is strict") {
  CHECK(error_code(decode_jwt("")) == "jwt_malformed");
  CHECK(error_code(decode_jwt("a.b")) == "jwt_malformed");
  CHECK(error_code(decode_jwt("a.b.c.d")) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", R"({"a":1})"))) == "ok");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", R"([1])"))) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", "not json"))) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"typ":"JWT"})", R"({})"))) == "jwt_malformed");      // no alg
  CHECK(error_code(decode_jwt(forge(R"({"alg":5})", R"({})"))) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256","kid":1})", R"({})"))) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256","crit":["x"]})", R"({})"))) == "jwt_malformed");
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", R"({})", "c2ln="))) == "jwt_malformed");  // padding
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", R"({})", "c2+n"))) == "jwt_malformed");   // not url alphabet
  CHECK(error_code(decode_jwt(std::string(max_token_bytes + 1, 'a'))) == "jwt_malformed");
  std::string deep(100, '[');
  CHECK(error_code(decode_jwt(forge(R"({"alg":"HS256"})", R"({"a":)" + deep + "}"))) == "jwt_malformed");
  // alg "none" decodes structurally but verifies under no key.
  auto none = decode_jwt(forge(R"({"alg":"none"})", R"({"exp":1})", ""));
  REQUIRE(none.ok());
  CHECK_FALSE(verify_hs256(*none, "k"));
  CHECK_FALSE(verify_rs256(*none, test_key()));
}

TEST_CASE("jwt: time claims") {
  const auto now = test::at_unix(1000);
  auto code = [&](boost::json::object c, time_rules r = {}) {
    auto s = check_times(c, now, r);
    return s.ok() ? std::string("ok") : s.error().stable_code;
  };
  CHECK(code({{"exp", 1000}}) == "ok");
  CHECK(code({{"exp", 997}}) == "ok");            // within the default 3 s leeway
  CHECK(code({{"exp", 996}}) == "jwt_expired");
  CHECK(code({{"exp", 990}}, {std::chrono::seconds(10)}) == "ok");
  CHECK(code({{"exp", 960}}, {std::chrono::seconds(3600)}) == "jwt_expired");  // leeway clamped to 30 s
  CHECK(code({}) == "jwt_claims");
  CHECK(code({{"exp", "1000"}}) == "jwt_malformed");
  CHECK(code({{"exp", 1000.5}}) == "jwt_malformed");
  CHECK(code({{"exp", 1100.0}}) == "ok");
  CHECK(code({{"exp", INT64_MAX}}) == "ok");
  CHECK(code({{"exp", INT64_MIN}}) == "jwt_expired");
  CHECK(code({{"exp", 18446744073709551615ull}}) == "jwt_malformed");
  CHECK(code({{"exp", 1100}, {"nbf", INT64_MAX}}) == "jwt_not_yet_valid");
  CHECK(code({{"exp", 1100}, {"iat", INT64_MIN}}) == "ok");
  CHECK(code({{"exp", 1100}, {"nbf", 1010}}) == "jwt_not_yet_valid");
  CHECK(code({{"exp", 1100}, {"nbf", 1002}}) == "ok");
  CHECK(code({{"exp", 1100}, {"iat", 1050}}) == "jwt_not_yet_valid");
  CHECK(code({{"exp", 1100}}, {default_leeway, true, false}) == "jwt_claims");
  CHECK(code({{"exp", 1100}, {"iat", 990}}, {default_leeway, true, true}) == "jwt_claims");
  CHECK(code({{"exp", 1100}, {"iat", 990}, {"nbf", 990}}, {default_leeway, true, true}) == "ok");
}

TEST_CASE("jwt: audience string or array, one trailing slash ignored") {
  CHECK(audience_contains({{"aud", "https://app.example"}}, "https://app.example/"));
  CHECK(audience_contains({{"aud", "https://app.example/"}}, "https://app.example"));
  CHECK(audience_contains({{"aud", boost::json::array{"x", "https://app.example"}}}, "https://app.example"));
  CHECK_FALSE(audience_contains({{"aud", "https://app.example.evil"}}, "https://app.example"));
  CHECK_FALSE(audience_contains({{"aud", "https://app.example//"}}, "https://app.example"));
  CHECK_FALSE(audience_contains({}, "https://app.example"));
  CHECK_FALSE(audience_contains({{"aud", 5}}, "https://app.example"));
}

TEST_CASE("rsa_key: PEM and JWK loading agree, bad inputs refused") {
  const auto& key = test_key();
  auto from_pem = rsa_key::from_public_pem(key.public_pem());
  REQUIRE(from_pem.ok());
  CHECK_FALSE(from_pem->has_private());
  CHECK(from_pem->bits() == 2048);
  auto from_jwk = rsa_key::from_jwk(key.public_jwk("k1"));
  REQUIRE(from_jwk.ok());
  CHECK(from_jwk->public_pem() == key.public_pem());
  auto priv = rsa_key::from_private_pem(key.private_pem());
  REQUIRE(priv.ok());
  CHECK(priv->has_private());

  std::string token = sign_rs256({{"exp", 1}}, *priv, "k1");
  auto d = decode_jwt(token);
  REQUIRE(d.ok());
  CHECK(verify_rs256(*d, *from_jwk));
  CHECK(verify_rs256(*d, *from_pem));

  CHECK_FALSE(rsa_key::from_public_pem("garbage").ok());
  CHECK_FALSE(rsa_key::from_public_pem("").ok());
  auto small = rsa_key::generate(1024);
  CHECK(rsa_key::from_public_pem(small.public_pem()).error().stable_code == "key_invalid");
  auto jwk = key.public_jwk();
  jwk["kty"] = "EC";
  CHECK_FALSE(rsa_key::from_jwk(jwk).ok());
  jwk = key.public_jwk();
  jwk["use"] = "enc";
  CHECK_FALSE(rsa_key::from_jwk(jwk).ok());
  jwk = key.public_jwk();
  jwk["n"] = "!!!";
  CHECK_FALSE(rsa_key::from_jwk(jwk).ok());
  jwk = key.public_jwk();
  jwk.erase("e");
  CHECK_FALSE(rsa_key::from_jwk(jwk).ok());
}

TEST_CASE("jwt: verify_jwt pins the algorithm the caller names") {
  const auto now = test::at_unix(1000);
  auto code = [&](const result<decoded_jwt>& r) { return r.ok() ? std::string("ok") : r.error().stable_code; };
  boost::json::object claims{{"iss", "x"}, {"exp", 1100}};
  std::string hs = sign_hs256(claims, "k");
  std::string rs = sign_rs256(claims, test_key(), "kid");
  auto pub = rsa_key::from_public_pem(test_key().public_pem()).value();
  CHECK(code(verify_jwt(hs, jwt_alg::hs256, "k", nullptr, now)) == "ok");
  CHECK(code(verify_jwt(hs, jwt_alg::hs256, "other", nullptr, now)) == "jwt_signature");
  CHECK(code(verify_jwt(hs, jwt_alg::rs256, "k", &pub, now)) == "jwt_alg");
  CHECK(code(verify_jwt(rs, jwt_alg::rs256, {}, &pub, now)) == "ok");
  CHECK(code(verify_jwt(rs, jwt_alg::rs256, {}, nullptr, now)) == "jwt_signature");
  CHECK(code(verify_jwt(rs, jwt_alg::hs256, pub.public_pem(), nullptr, now)) == "jwt_alg");
  // HS256 keyed with the public PEM (algorithm confusion) is refused when RS256 is pinned.
  CHECK(code(verify_jwt(sign_hs256(claims, pub.public_pem()), jwt_alg::rs256, {}, &pub, now)) == "jwt_alg");
  CHECK(code(verify_jwt(forge(R"({"alg":"none"})", R"({"exp":1100})", ""), jwt_alg::hs256, "k", nullptr, now)) == "jwt_alg");
  CHECK(code(verify_jwt(hs, jwt_alg::hs256, "k", nullptr, test::at_unix(2000))) == "jwt_expired");
  auto ok = verify_jwt(hs, jwt_alg::hs256, "k", nullptr, now);
  REQUIRE(ok.ok());
  CHECK(claim_string(ok->claims, "iss") == "x");
}
