// JWT decoding (strict base64url + Boost.JSON), HS256/RS256 signatures via OpenSSL, time-claim checks.
#include "auth/jwt.hpp"

#include "util/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>

namespace doppel::auth {
namespace {

constexpr std::size_t max_segment_json_bytes = 6 * 1024;

result<boost::json::object> parse_segment(std::string_view seg, std::string_view what) {
  if (seg.empty() || seg.find('=') != std::string_view::npos) return jwt_error("jwt_malformed", std::string(what) + " segment is not base64url");
  auto bytes = base64url_decode(seg);
  if (!bytes || bytes->size() > max_segment_json_bytes) return jwt_error("jwt_malformed", std::string(what) + " segment is not base64url");
  boost::json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*bytes, ec, {}, opts);
  if (ec || !v.is_object()) return jwt_error("jwt_malformed", std::string(what) + " is not a JSON object");
  return std::move(v.get_object());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
            out, &len))
    throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string encode_parts(const boost::json::object& header, const boost::json::object& claims) {
  return base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(boost::json::serialize(claims));
}

struct md_ctx_deleter { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

// Reads an integral time claim; doubles with no fraction are accepted (some encoders emit 1.7e9).
enum class time_read { absent, bad, ok };
time_read read_time(const boost::json::object& claims, std::string_view name, std::int64_t& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return time_read::absent;
  const auto& v = it->value();
  if (v.is_int64()) { out = v.get_int64(); return time_read::ok; }
  if (v.is_uint64() && v.get_uint64() <= std::uint64_t(INT64_MAX)) { out = std::int64_t(v.get_uint64()); return time_read::ok; }
  if (v.is_double()) {
    double d = v.get_double();
    if (d >= -9.0e15 && d <= 9.0e15 && d == double(std::int64_t(d))) { out = std::int64_t(d); return time_read::ok; }
  }
  return time_read::bad;
}

std::string_view strip_one_slash(std::string_view s) {
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace

error jwt_error(std::string stable_code, std::string message) {
  return make_error(errc::unauthorized, std::move(stable_code), std::move(message));
}

result<decoded_jwt> decode_jwt(std::string_view token) {
  if (token.empty() || token.size() > max_token_bytes) return jwt_error("jwt_malformed", "token empty or too long");
  auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return jwt_error("jwt_malformed", "token needs three segments");
  auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return jwt_error("jwt_malformed", "token needs three segments");
  auto header = parse_segment(token.substr(0, d1), "header");
  if (!header) return header.error();
  auto claims = parse_segment(token.substr(d1 + 1, d2 - d1 - 1), "payload");
  if (!claims) return claims.error();
  std::string_view sig64 = token.substr(d2 + 1);
  if (sig64.find('=') != std::string_view::npos) return jwt_error("jwt_malformed", "signature is not base64url");
  auto sig = base64url_decode(sig64);
  if (!sig) return jwt_error("jwt_malformed", "signature is not base64url");

  decoded_jwt out;
  out.header = std::move(*header);
  out.claims = std::move(*claims);
  auto alg = out.header.find("alg");
  if (alg == out.header.end() || !alg->value().is_string()) return jwt_error("jwt_malformed", "header alg missing");
  out.alg = std::string(alg->value().get_string());
  if (auto kid = out.header.find("kid"); kid != out.header.end()) {
    if (!kid->value().is_string()) return jwt_error("jwt_malformed", "header kid is not a string");
    out.kid = std::string(kid->value().get_string());
  }
  // We understand no critical header extensions, so any "crit" makes the token unusable (RFC 7515 §4.1.11).
  if (out.header.contains("crit")) return jwt_error("jwt_malformed", "unsupported crit header");
  out.signing_input = std::string(token.substr(0, d2));
  out.signature = std::move(*sig);
  return out;
}

std::string sign_hs256(const boost::json::object& claims, std::string_view secret) {
  std::string input = encode_parts({{"alg", "HS256"}, {"typ", "JWT"}}, claims);
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::string sign_rs256(const boost::json::object& claims, const rsa_key& private_key, std::string_view kid) {
  if (!private_key.has_private()) throw std::invalid_argument("sign_rs256 needs a private key");
  boost::json::object header{{"alg", "RS256"}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  std::string input = encode_parts(header, claims);
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, private_key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("RS256 signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("RS256 signing failed");
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

bool verify_hs256(const decoded_jwt& token, std::string_view secret) {
  if (token.alg != "HS256" || secret.empty()) return false;
  return constant_time_equal(hmac_sha256(secret, token.signing_input), token.signature);
}

bool verify_rs256(const decoded_jwt& token, const rsa_key& public_key) {
  if (token.alg != "RS256" || !public_key.get()) return false;
  if (int(token.signature.size()) != EVP_PKEY_get_size(public_key.get())) return false;
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, public_key.get()) != 1) return false;
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(token.signature.data()), token.signature.size(),
                          reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                          token.signing_input.size()) == 1;
}

status check_times(const boost::json::object& claims, std::chrono::system_clock::time_point now_tp, time_rules rules) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(now_tp.time_since_epoch()).count();
  const std::int64_t leeway = std::min(rules.leeway, max_leeway).count();
  std::int64_t exp = 0, nbf = 0, iat = 0;
  switch (read_time(claims, "exp", exp)) {
    case time_read::absent: return jwt_error("jwt_claims", "exp claim missing");
    case time_read::bad: return jwt_error("jwt_malformed", "exp claim is not a number");
    case time_read::ok: break;
  }
  if (exp < now - leeway) return jwt_error("jwt_expired", "token expired");  // no overflow for huge exp
  switch (read_time(claims, "nbf", nbf)) {
    case time_read::absent:
      if (rules.require_nbf) return jwt_error("jwt_claims", "nbf claim missing");
      break;
    case time_read::bad: return jwt_error("jwt_malformed", "nbf claim is not a number");
    case time_read::ok:
      if (nbf > now + leeway) return jwt_error("jwt_not_yet_valid", "token not valid yet");
      break;
  }
  switch (read_time(claims, "iat", iat)) {
    case time_read::absent:
      if (rules.require_iat) return jwt_error("jwt_claims", "iat claim missing");
      break;
    case time_read::bad: return jwt_error("jwt_malformed", "iat claim is not a number");
    case time_read::ok:
      if (iat > now + leeway) return jwt_error("jwt_not_yet_valid", "token issued in the future");
      if (iat > exp) return jwt_error("jwt_claims", "iat after exp");
      break;
  }
  return ok();
}

result<decoded_jwt> verify_jwt(std::string_view token, jwt_alg alg, std::string_view hs256_secret, const rsa_key* rs256_key,
                               std::chrono::system_clock::time_point now, time_rules rules) {
  auto jwt = decode_jwt(token);
  if (!jwt) return jwt.error();
  const std::string_view want = alg == jwt_alg::hs256 ? "HS256" : "RS256";
  if (jwt->alg != want) return jwt_error("jwt_alg", "unexpected algorithm");
  const bool good = alg == jwt_alg::hs256 ? verify_hs256(*jwt, hs256_secret) : (rs256_key && verify_rs256(*jwt, *rs256_key));
  if (!good) return jwt_error("jwt_signature", "signature does not verify");
  if (auto t = check_times(jwt->claims, now, rules); !t) return t.error();
  return jwt;
}

std::string claim_string(const boost::json::object& claims, std::string_view name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

bool audience_contains(const boost::json::object& claims, std::string_view want) {
  auto it = claims.find("aud");
  if (it == claims.end() || want.empty()) return false;
  const std::string_view target = strip_one_slash(want);
  auto same = [&](const boost::json::value& v) {
    if (!v.is_string()) return false;
    std::string_view s(v.get_string().data(), v.get_string().size());
    return strip_one_slash(s) == target;
  };
  if (it->value().is_array()) {
    for (const auto& v : it->value().get_array())
      if (same(v)) return true;
    return false;
  }
  return same(it->value());
}

}  // namespace doppel::auth
