// Secret box: AES-256-GCM round trips, key ids, rotation, wrong key and tampering fail cleanly.
#include "auth/secret_box.hpp"

#include "util/encoding.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace doppel::auth;

TEST_CASE("secret_box: round trip, fresh IV, format and key id") {
  const std::string hex = secret_box::generate_hex_key();
  CHECK(hex.size() == 64);
  auto box = secret_box::from_hex_key(hex);
  REQUIRE(box.ok());
  CHECK(box->key_id() == secret_key_id(*hex_decode(hex)));
  CHECK(box->key_id().size() == 8);
  const std::string secret = "tenant-shared-secret-0123456789";
  std::string a = box->seal(secret);
  std::string b = box->seal(secret);
  CHECK(a != b);  // random IV
  CHECK(a.rfind("v1." + box->key_id() + ".", 0) == 0);
  CHECK(a.find(secret) == std::string::npos);
  auto opened = box->open(a);
  REQUIRE(opened.ok());
  CHECK(*opened == secret);
  CHECK(*box->open(box->seal("")) == "");
}

TEST_CASE("secret_box: wrong key, tampering and bad formats fail with stable codes") {
  auto box = secret_box::from_hex_key(secret_box::generate_hex_key()).value();
  auto other = secret_box::from_hex_key(secret_box::generate_hex_key()).value();
  std::string sealed = box.seal("s3cret");
  CHECK(other.open(sealed).error().stable_code == "secret_box_unknown_key");
  // Same key id forced onto another key's ciphertext: authentication fails.
  std::string relabelled = "v1." + other.key_id() + sealed.substr(sealed.find('.', 3));
  CHECK(other.open(relabelled).error().stable_code == "secret_box_auth");
  std::string tampered = sealed;
  char& c = tampered[tampered.size() - 3];
  c = c == 'A' ? 'B' : 'A';
  CHECK_FALSE(box.open(tampered).ok());
  CHECK(box.open("v2." + sealed.substr(3)).error().stable_code == "secret_box_format");
  CHECK(box.open("garbage").error().stable_code == "secret_box_format");
  CHECK(box.open("v1." + box.key_id() + ".AAAA").error().stable_code == "secret_box_format");
  CHECK(box.open("v1." + box.key_id() + ".!!!").error().stable_code == "secret_box_format");
  CHECK(secret_box::from_hex_key("abcd").error().stable_code == "secret_key_invalid");
  CHECK(secret_box::from_hex_key(std::string(64, 'z')).error().stable_code == "secret_key_invalid");
}

TEST_CASE("secret_box: rotation keeps old ciphertexts readable") {
  const std::string old_key = *hex_decode(secret_box::generate_hex_key());
  const std::string new_key = *hex_decode(secret_box::generate_hex_key());
  secret_box old_box(old_key);
  std::string sealed_old = old_box.seal("rotate-me");
  secret_box rotated(new_key, {old_key});
  CHECK(rotated.key_id() == secret_key_id(new_key));
  CHECK(*rotated.open(sealed_old) == "rotate-me");
  std::string sealed_new = rotated.seal("fresh");
  CHECK(sealed_new.find(secret_key_id(new_key)) == 3);
  CHECK(old_box.open(sealed_new).error().stable_code == "secret_box_unknown_key");
}
