// The secret key file of development setups (32 random bytes, hex, mode 0600).
#include "app/secret_key.hpp"

#include "util/encoding.hpp"
#include "util/log.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace doppel::app {

std::string load_or_create_secret_key(const config& cfg) {
  if (cfg.secret_key) return *cfg.secret_key;
  namespace fs = std::filesystem;
  fs::create_directories(cfg.data_dir);
  fs::path p = fs::path(cfg.data_dir) / "secret.key";
  if (fs::exists(p)) {
    std::ifstream in(p);
    std::string hex;
    in >> hex;
    auto raw = hex_decode(hex);
    if (!raw || raw->size() != 32) throw std::runtime_error("corrupt key file " + p.string());
    log::warn("DOPPEL_SECRET_KEY unset: using the development key stored in the data dir");
    return *raw;
  }
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string raw(reinterpret_cast<const char*>(key), sizeof key);
  {
    std::ofstream out(p, std::ios::trunc);
    out << hex_encode(raw) << "\n";
  }
  chmod(p.c_str(), 0600);
  log::warn("DOPPEL_SECRET_KEY unset: generated a development key into the data dir (set it in production)");
  return raw;
}

}  // namespace doppel::app
