// RSA key loading and export through OpenSSL 3 (EVP_PKEY, OSSL_PARAM for JWK n/e).
#include "auth/rsa_key.hpp"

#include "util/encoding.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace doppel::auth {
namespace {

constexpr std::size_t max_pem_bytes = 16 * 1024;

error key_error(std::string message) { return make_error(errc::unauthorized, "key_invalid", std::move(message)); }

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }

struct bio_deleter { void operator()(BIO* b) const { BIO_free(b); } };
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;
struct bn_deleter { void operator()(BIGNUM* b) const { BN_free(b); } };
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;

result<rsa_key> check_rsa(EVP_PKEY* raw, bool priv, auto make) {
  if (!raw) return key_error("not a readable key");
  auto key = own(raw);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) return key_error("not an RSA key");
  if (EVP_PKEY_get_bits(raw) < min_rsa_bits) return key_error("RSA key too small");
  return make(std::move(key), priv);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, std::size_t(n)) : std::string();
}

std::string bn_bytes(const BIGNUM* bn) {
  std::string out(std::size_t(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

result<rsa_key> rsa_key::from_public_pem(std::string_view pem) {
  if (pem.empty() || pem.size() > max_pem_bytes) return key_error("bad PEM size");
  // OSSL_DECODER reads both SPKI ("PUBLIC KEY") and PKCS#1 ("RSA PUBLIC KEY") PEM.
  EVP_PKEY* raw = nullptr;
  OSSL_DECODER_CTX* dctx =
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, "RSA", EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  if (!dctx) throw std::runtime_error("OSSL_DECODER_CTX_new_for_pkey failed");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  if (OSSL_DECODER_from_data(dctx, &data, &len) != 1) {
    EVP_PKEY_free(raw);
    raw = nullptr;
  }
  OSSL_DECODER_CTX_free(dctx);
  return check_rsa(raw, false, [](auto k, bool p) { return rsa_key(std::move(k), p); });
}

result<rsa_key> rsa_key::from_private_pem(std::string_view pem) {
  if (pem.empty() || pem.size() > max_pem_bytes) return key_error("bad PEM size");
  bio_ptr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  if (!bio) throw std::runtime_error("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  return check_rsa(raw, true, [](auto k, bool p) { return rsa_key(std::move(k), p); });
}

result<rsa_key> rsa_key::from_jwk(const boost::json::object& jwk) {
  auto str = [&](std::string_view name) -> const boost::json::string* {
    auto it = jwk.find(name);
    return it != jwk.end() && it->value().is_string() ? &it->value().get_string() : nullptr;
  };
  auto kty = str("kty");
  if (!kty || *kty != "RSA") return key_error("JWK kty is not RSA");
  if (auto use = jwk.find("use"); use != jwk.end() && !(use->value().is_string() && use->value().get_string() == "sig"))
    return key_error("JWK use is not sig");
  if (auto alg = jwk.find("alg"); alg != jwk.end() && !(alg->value().is_string() && alg->value().get_string() == "RS256"))
    return key_error("JWK alg is not RS256");
  auto n64 = str("n");
  auto e64 = str("e");
  if (!n64 || !e64 || n64->size() > 2048 || e64->size() > 16) return key_error("JWK n/e missing or oversized");
  auto n = base64url_decode(std::string_view(n64->data(), n64->size()));
  auto e = base64url_decode(std::string_view(e64->data(), e64->size()));
  if (!n || !e || n->empty() || e->empty()) return key_error("JWK n/e not base64url");
  bn_ptr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr));
  bn_ptr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr));
  if (!bn_n || !bn_e) throw std::runtime_error("BN_bin2bn failed");
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld) throw std::runtime_error("OSSL_PARAM_BLD_new failed");
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  if (!params) throw std::runtime_error("OSSL_PARAM_BLD_to_param failed");
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* raw = nullptr;
  if (ctx && EVP_PKEY_fromdata_init(ctx) == 1) EVP_PKEY_fromdata(ctx, &raw, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return check_rsa(raw, false, [](auto k, bool p) { return rsa_key(std::move(k), p); });
}

rsa_key rsa_key::generate(int bits) {
  EVP_PKEY* raw = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (!raw) throw std::runtime_error("RSA key generation failed");
  return rsa_key(own(raw), true);
}

std::string rsa_key::public_pem() const {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw std::runtime_error("PEM export failed");
  return bio_text(bio.get());
}

std::string rsa_key::private_pem() const {
  if (!private_) return {};
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("PEM export failed");
  return bio_text(bio.get());
}

boost::json::object rsa_key::public_jwk(std::string_view kid) const {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    throw std::runtime_error("RSA parameter export failed");
  }
  bn_ptr own_n(n), own_e(e);
  boost::json::object jwk{{"kty", "RSA"}, {"n", base64url_encode(bn_bytes(n))}, {"e", base64url_encode(bn_bytes(e))}};
  if (!kid.empty()) {
    jwk["kid"] = kid;
    jwk["alg"] = "RS256";
    jwk["use"] = "sig";
  }
  return jwk;
}

int rsa_key::bits() const { return EVP_PKEY_get_bits(key_.get()); }

}  // namespace doppel::auth
