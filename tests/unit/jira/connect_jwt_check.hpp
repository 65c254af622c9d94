// The loopback fake Jiras' check of a Connect JWT, made as Jira makes it from the request it received: HS256 with the
// site's shared secret, and the qsh of the received method and target under the site's base URL.
#pragma once

#include "auth/jwt.hpp"
#include "auth/qsh.hpp"
#include "unit/jira/loopback_server.hpp"

#include <optional>
#include <string>

namespace doppel::test {

struct connect_jwt_check {
  std::optional<auth::decoded_jwt> token;  // the verified token
  std::string problem;                     // "" when verified, else "decode", "signature" or "qsh"
};

// Checks `req`'s `Authorization: JWT <token>` for a site at `base_url` that shares `secret`.
inline connect_jwt_check check_connect_jwt(const server_request& req, const std::string& secret, const std::string& base_url) {
  const std::string authz(req[http::field::authorization]);
  auto jwt = auth::decode_jwt(authz.rfind("JWT ", 0) == 0 ? authz.substr(4) : std::string());
  if (!jwt) return {std::nullopt, "decode"};
  if (!auth::verify_hs256(*jwt, secret)) return {std::nullopt, "signature"};
  if (!auth::qsh_matches(auth::claim_string(jwt->claims, "qsh"), std::string(req.method_string()), std::string(req.target()),
                         base_url))
    return {std::nullopt, "qsh"};
  return {std::move(*jwt), ""};
}

}  // namespace doppel::test
