// RSA keys for JWT RS256: PEM / JWK (n, e) loading, generation (tests, signing) and PEM export.
#pragma once

#include "util/result.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace doppel::auth {

// Smallest RSA modulus accepted for verification keys.
inline constexpr int min_rsa_bits = 2048;

// An immutable, shareable handle on an OpenSSL RSA key (public, or public + private).
class rsa_key {
 public:
  // PEM "PUBLIC KEY" (SPKI) or "RSA PUBLIC KEY"; errors: key_invalid (not RSA, too small, garbage).
  static result<rsa_key> from_public_pem(std::string_view pem);
  // PEM private key (PKCS#8 or PKCS#1).
  static result<rsa_key> from_private_pem(std::string_view pem);
  // JWK object with kty "RSA", base64url "n" and "e"; "use" must be absent or "sig", "alg" absent or "RS256".
  static result<rsa_key> from_jwk(const boost::json::object& jwk);
  // Fresh key pair; throws std::runtime_error if OpenSSL fails (infrastructure failure).
  static rsa_key generate(int bits = 2048);

  std::string public_pem() const;
  std::string private_pem() const;  // empty when this is a public key only
  // JWK {"kty":"RSA","n","e"} plus kid/alg/use when kid is non-empty.
  boost::json::object public_jwk(std::string_view kid = {}) const;
  bool has_private() const noexcept { return private_; }
  int bits() const;
  EVP_PKEY* get() const noexcept { return key_.get(); }

 private:
  rsa_key(std::shared_ptr<EVP_PKEY> key, bool has_private) : key_(std::move(key)), private_(has_private) {}
  std::shared_ptr<EVP_PKEY> key_;
  bool private_ = false;
};

}  // namespace doppel::auth
