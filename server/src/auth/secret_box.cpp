// AES-256-GCM through OpenSSL EVP with a per-message random 96-bit IV and the version/key id as AAD.
#include "auth/secret_box.hpp"

#include "util/encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

namespace doppel::auth {
namespace {

constexpr std::size_t key_bytes = 32;
constexpr std::size_t iv_bytes = 12;
constexpr std::size_t tag_bytes = 16;
constexpr std::string_view version = "v1";
constexpr std::size_t max_sealed_bytes = 64 * 1024;

struct ctx_deleter { void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); } };
using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

error box_error(std::string code, std::string msg) { return make_error(errc::internal, std::move(code), std::move(msg)); }

}  // namespace

std::string secret_key_id(std::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(u8(key), key.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), 4));
}

result<secret_box> secret_box::from_hex_key(std::string_view hex_key) {
  if (hex_key.size() != key_bytes * 2) return make_error(errc::bad_request, "secret_key_invalid", "secret key must be 64 hex chars");
  auto raw = hex_decode(hex_key);
  if (!raw) return make_error(errc::bad_request, "secret_key_invalid", "secret key must be 64 hex chars");
  return secret_box(std::move(*raw));
}

secret_box::secret_box(std::string key, std::vector<std::string> old_keys) {
  if (key.size() != key_bytes) throw std::invalid_argument("secret_box key must be 32 bytes");
  keys_.push_back({key, secret_key_id(key)});
  OPENSSL_cleanse(key.data(), key.size());
  for (auto& k : old_keys) {
    if (k.size() != key_bytes) throw std::invalid_argument("secret_box key must be 32 bytes");
    keys_.push_back({k, secret_key_id(k)});
    OPENSSL_cleanse(k.data(), k.size());
  }
}

std::string secret_box::generate_hex_key() {
  std::string raw(key_bytes, '\0');
  if (RAND_bytes(u8(raw), int(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string hex = hex_encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return hex;
}

std::string secret_box::seal(std::string_view plaintext) const {
  const auto& k = keys_.front();
  const std::string aad = std::string(version) + "." + k.id;
  std::string blob(iv_bytes + plaintext.size() + tag_bytes, '\0');
  if (RAND_bytes(u8(blob), int(iv_bytes)) != 1) throw std::runtime_error("RAND_bytes failed");
  ctx_ptr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(iv_bytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, u8(k.key), u8(blob)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), u8(blob) + iv_bytes, &len, u8(plaintext), int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), u8(blob) + iv_bytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(tag_bytes), u8(blob) + iv_bytes + plaintext.size()) != 1)
    throw std::runtime_error("AES-GCM encryption failed");
  return aad + "." + base64_encode(blob);
}

result<std::string> secret_box::open(std::string_view sealed) const {
  if (sealed.size() > max_sealed_bytes) return box_error("secret_box_format", "sealed secret too long");
  auto d1 = sealed.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : sealed.find('.', d1 + 1);
  if (d2 == std::string_view::npos || sealed.substr(0, d1) != version)
    return box_error("secret_box_format", "not a v1 sealed secret");
  std::string_view id = sealed.substr(d1 + 1, d2 - d1 - 1);
  const key_entry* k = nullptr;
  for (const auto& e : keys_)
    if (e.id == id) k = &e;
  if (!k) return box_error("secret_box_unknown_key", "sealed with an unknown key");
  auto blob = base64_decode(sealed.substr(d2 + 1));
  if (!blob || blob->size() < iv_bytes + tag_bytes) return box_error("secret_box_format", "bad sealed payload");
  const std::string aad(sealed.substr(0, d2));
  const std::size_t ct_len = blob->size() - iv_bytes - tag_bytes;
  std::string plain(ct_len, '\0');
  ctx_ptr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  int len = 0;
  std::string tag = blob->substr(iv_bytes + ct_len);
  bool okay = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(iv_bytes), nullptr) == 1 &&
              EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, u8(k->key), u8(*blob)) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), u8(plain), &len, u8(*blob) + iv_bytes, int(ct_len)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(tag_bytes), tag.data()) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), u8(plain) + len, &len) == 1;
  if (!okay) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return box_error("secret_box_auth", "sealed secret does not authenticate");
  }
  return plain;
}

}  // namespace doppel::auth
