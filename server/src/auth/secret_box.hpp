// Secrets at rest: AES-256-GCM sealing of tenant shared secrets, "v1.<keyid>.<base64(iv|ct|tag)>".
#pragma once

#include "util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace doppel::auth {

class secret_box {
 public:
  // 64 hex chars (DOPPEL_SECRET_KEY). Errors: errc::bad_request "secret_key_invalid".
  static result<secret_box> from_hex_key(std::string_view hex_key);
  // Primary key (used to seal) plus older keys still accepted when opening (rotation). 32 raw bytes each;
  // throws std::invalid_argument on another size (programming error).
  explicit secret_box(std::string key, std::vector<std::string> old_keys = {});
  // 64 random hex chars from RAND_bytes (for a generated dev key).
  static std::string generate_hex_key();

  // First 8 hex chars of sha256(key) of the primary key.
  const std::string& key_id() const noexcept { return keys_.front().id; }

  // "v1.<keyid>.<base64(iv12 | ciphertext | tag16)>", fresh random IV per call; "v1.<keyid>" is the AAD.
  std::string seal(std::string_view plaintext) const;
  // Errors (errc::internal, never the plaintext): secret_box_format, secret_box_unknown_key,
  // secret_box_auth (wrong key or tampered).
  result<std::string> open(std::string_view sealed) const;

 private:
  struct key_entry {
    std::string key;
    std::string id;
  };
  std::vector<key_entry> keys_;
};

// Key id of a raw key: first 8 hex of its SHA-256.
std::string secret_key_id(std::string_view key);

}  // namespace doppel::auth
