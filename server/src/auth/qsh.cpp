// qsh canonicalisation: method, segment-aware base-path strip, query sort/group/encode, SHA-256.
#include "auth/qsh.hpp"

#include "util/encoding.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace doppel::auth {
namespace {

constexpr char upper_hex[] = "0123456789ABCDEF";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// %XX -> byte (invalid escapes stay literal); plus_is_space for form encoding.
std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += char(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

// Replaces ill-formed UTF-8 with U+FFFD per maximal subpart (WHATWG / Unicode §3.9), as the reference
// implementations do when they turn decoded bytes into strings.
std::string sanitize_utf8(std::string_view in) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    auto b = std::uint8_t(in[i]);
    if (b < 0x80) { out += char(b); ++i; continue; }
    int need = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b == 0xE0) { need = 2; lo = 0xA0; }
    else if (b >= 0xE1 && b <= 0xEC) need = 2;
    else if (b == 0xED) { need = 2; hi = 0x9F; }
    else if (b >= 0xEE && b <= 0xEF) need = 2;
    else if (b == 0xF0) { need = 3; lo = 0x90; }
    else if (b >= 0xF1 && b <= 0xF3) need = 3;
    else if (b == 0xF4) { need = 3; hi = 0x8F; }
    else { out += replacement; ++i; continue; }
    std::size_t j = i + 1;
    int got = 0;
    while (got < need && j < in.size()) {
      auto c = std::uint8_t(in[j]);
      if (c < lo || c > hi) break;
      lo = 0x80; hi = 0xBF;
      ++j; ++got;
    }
    if (got == need) out.append(in.substr(i, j - i));
    else out += replacement;
    i = j;
  }
  return out;
}

struct target_parts {
  std::string_view path;
  std::string_view query;
};

target_parts split_target(std::string_view target) {
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  // Absolute URL: skip "scheme://authority".
  auto scheme_end = target.find("://");
  if (scheme_end != std::string_view::npos && target.find_first_of("/?") > scheme_end) {
    auto rest = target.substr(scheme_end + 3);
    auto path_start = rest.find_first_of("/?");
    target = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  }
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

// Values sort like Atlassian's Java HttpRequestCanonicalizer (decoded values, String.compareTo) and the JS
// atlassian-jwt: by UTF-16 code units. Names sort by their percent-encoded form (Java; doc §4).
// Inputs are valid UTF-8 (sanitised); UTF-16 order differs from byte order only for U+E000..U+FFFF vs astral.
std::u16string utf16_key(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto b = std::uint8_t(s[i]);
    std::uint32_t cp = b;
    int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    if (extra) cp = b & (0x3F >> extra);
    for (int k = 1; k <= extra && i + std::size_t(k) < s.size(); ++k) cp = (cp << 6) | (std::uint8_t(s[i + k]) & 0x3F);
    i += std::size_t(extra) + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += char16_t(0xD800 + (cp >> 10));
      out += char16_t(0xDC00 + (cp & 0x3FF));
    } else {
      out += char16_t(cp);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string upper_method(std::string_view method) {
  std::string m(method);
  for (auto& c : m)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return m;
}

std::string build(std::string_view method, std::string_view path, std::string_view query, std::string_view base) {
  std::string out = upper_method(method);
  out += '&';
  out += canonical_uri(path, base_path_of(base));
  out += '&';
  out += canonical_query(query);
  return out;
}

}  // namespace

std::string rfc3986_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (unsigned char c : bytes) {
    if (unreserved(c)) {
      out += char(c);
    } else {
      out += '%';
      out += upper_hex[c >> 4];
      out += upper_hex[c & 15];
    }
  }
  return out;
}

std::string form_decode(std::string_view text) { return sanitize_utf8(percent_decode(text, true)); }

std::string base_path_of(std::string_view base) {
  auto parts = split_target(base);
  std::string_view path = parts.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

std::string canonical_uri(std::string_view raw_path, std::string_view base_path) {
  std::string_view path = raw_path;
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  if (!base_path.empty() && path.substr(0, base_path.size()) == base_path &&
      (path.size() == base_path.size() || path[base_path.size()] == '/'))
    path.remove_prefix(base_path.size());
  std::string out;
  out.reserve(path.size() + 4);
  if (path.empty() || path.front() != '/') out += '/';
  for (char c : path) {
    if (c == '&') out += "%26";
    else out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string canonical_query(std::string_view raw_query) {
  // encoded name -> decoded values; std::map orders names by the bytes of their encoding.
  std::map<std::string, std::vector<std::string>> params;
  std::size_t pos = 0;
  while (pos <= raw_query.size()) {
    auto amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view pair = raw_query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = form_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    if (name == "jwt") continue;
    params[rfc3986_encode(name)].push_back(std::move(value));
  }
  std::string out;
  for (auto& [name, values] : params) {
    std::vector<std::pair<std::u16string, std::string*>> keyed;
    keyed.reserve(values.size());
    for (auto& v : values) keyed.emplace_back(utf16_key(v), &v);
    std::sort(keyed.begin(), keyed.end());
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    for (std::size_t i = 0; i < keyed.size(); ++i) {
      if (i) out += ',';
      out += rfc3986_encode(*keyed[i].second);
    }
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view raw_target, std::string_view base) {
  auto parts = split_target(raw_target);
  return build(method, parts.path, parts.query, base);
}

std::string canonical_request_decoded_path(std::string_view method, std::string_view raw_target, std::string_view base) {
  auto parts = split_target(raw_target);
  std::string decoded = sanitize_utf8(percent_decode(parts.path, false));
  return build(method, decoded, parts.query, base);
}

std::string query_string_hash(std::string_view canonical) { return sha256_hex(canonical); }

std::string compute_qsh(std::string_view method, std::string_view raw_target, std::string_view base) {
  return query_string_hash(canonical_request(method, raw_target, base));
}

bool qsh_matches(std::string_view claimed, std::string_view method, std::string_view raw_target, std::string_view base) {
  if (constant_time_equal(claimed, compute_qsh(method, raw_target, base))) return true;
  if (split_target(raw_target).path.find('%') == std::string_view::npos) return false;
  return constant_time_equal(claimed, query_string_hash(canonical_request_decoded_path(method, raw_target, base)));
}

}  // namespace doppel::auth
