// JSON Web Tokens: strict decoding, HS256/RS256 signing and verification, time-claim checks.
#pragma once

#include "auth/rsa_key.hpp"
#include "util/result.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace doppel::auth {

// Largest token accepted anywhere (header, query, body); Atlassian tokens are well under 2 KiB.
inline constexpr std::size_t max_token_bytes = 8 * 1024;
// Leeway on exp/nbf/iat. Default 3 s (Atlassian's examples); the policy refuses anything above 30 s.
inline constexpr std::chrono::seconds default_leeway{3};
inline constexpr std::chrono::seconds max_leeway{30};

// The algorithm the *caller* expects; the header's alg must equal it. "none" has no value here.
enum class jwt_alg { hs256, rs256 };

// A structurally valid token whose signature has NOT been checked yet.
struct decoded_jwt {
  boost::json::object header;
  boost::json::object claims;
  std::string alg;            // header "alg" as sent
  std::string kid;            // header "kid", empty when absent
  std::string signing_input;  // "<header64>.<payload64>" exactly as received
  std::string signature;      // raw signature bytes (base64url-decoded)
};

// Three base64url segments (no padding, strict alphabet, canonical), header and claims JSON objects,
// header alg a string, total size <= max_token_bytes. Errors: jwt_malformed (401).
result<decoded_jwt> decode_jwt(std::string_view token);

// Signs claims; header is {"alg":"HS256","typ":"JWT"} (plus "kid" for RS256 when given).
std::string sign_hs256(const boost::json::object& claims, std::string_view secret);
std::string sign_rs256(const boost::json::object& claims, const rsa_key& private_key, std::string_view kid = {});

// Signature checks only (no claims); both refuse a header alg other than the one they implement.
bool verify_hs256(const decoded_jwt& token, std::string_view secret);  // constant-time compare
bool verify_rs256(const decoded_jwt& token, const rsa_key& public_key);

struct time_rules {
  std::chrono::seconds leeway = default_leeway;
  bool require_iat = false;
  bool require_nbf = false;
};

// exp required (integer seconds) and not passed (now > exp + leeway → jwt_expired); nbf/iat, when
// present or required, must not lie in the future beyond leeway (jwt_not_yet_valid). Non-integer
// time claims → jwt_malformed; missing required ones → jwt_claims.
status check_times(const boost::json::object& claims, std::chrono::system_clock::time_point now, time_rules rules);

// One call for callers that already know the key: decode, header alg must equal `alg` (else jwt_alg;
// "none" never matches), signature with hs256_secret (hs256) or rs256_key (rs256; null → jwt_signature),
// then check_times. Issuer, audience and qsh stay the caller's job (see policy.hpp for the routes).
result<decoded_jwt> verify_jwt(std::string_view token, jwt_alg alg, std::string_view hs256_secret, const rsa_key* rs256_key,
                               std::chrono::system_clock::time_point now, time_rules rules = {});

// Claim helpers: the string value of a claim, or empty when absent / not a string.
std::string claim_string(const boost::json::object& claims, std::string_view name);
// True if "aud" (string or array of strings) contains want; URLs compare ignoring one trailing '/'.
bool audience_contains(const boost::json::object& claims, std::string_view want);

// Shorthand for the 401 errors of this module.
error jwt_error(std::string stable_code, std::string message);

}  // namespace doppel::auth
