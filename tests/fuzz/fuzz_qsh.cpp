// libFuzzer target: qsh canonicalisation of arbitrary targets and base URLs, with structural invariants.
#include "auth/qsh.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool canonical_query_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '%' || c == '=' || c == ',' || c == '&';
}

void check(std::string_view method, std::string_view canonical, bool raw_path) {
  // METHOD & URI & QUERY: the URI starts with '/' and holds no raw '&' (the first '&' after it ends it);
  // the query is fully encoded.
  if (canonical.substr(0, method.size()) != method || canonical.size() < method.size() + 3) __builtin_trap();
  std::string_view rest = canonical.substr(method.size());
  if (rest[0] != '&' || rest[1] != '/') __builtin_trap();
  auto amp = rest.find('&', 1);
  if (amp == std::string_view::npos) __builtin_trap();
  std::string_view uri = rest.substr(1, amp - 1);
  // The raw path ends at the first '?' and loses its fragment, so neither can appear in it.
  if (raw_path && uri.find_first_of("?#") != std::string_view::npos) __builtin_trap();
  for (char c : rest.substr(amp + 1))
    if (!canonical_query_char(c)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view methods[] = {"GET", "POST", "PUT", "DELETE"};
  std::string_view method = methods[data[0] % 4];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  // "<target>\0<base>": the optional second part is the receiver's base URL.
  std::string_view target = input, base;
  if (auto nul = input.find('\0'); nul != std::string_view::npos) {
    target = input.substr(0, nul);
    base = input.substr(nul + 1);
  }
  std::string canonical = doppel::auth::canonical_request(method, target, base);
  check(method, canonical, true);
  check(method, doppel::auth::canonical_request_decoded_path(method, target, base), false);
  std::string qsh = doppel::auth::query_string_hash(canonical);
  if (qsh.size() != 64) __builtin_trap();
  if (!doppel::auth::qsh_matches(qsh, method, target, base)) __builtin_trap();
  return 0;
}
