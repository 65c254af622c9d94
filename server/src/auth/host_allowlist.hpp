// Tenant base URL allowlist (DOPPEL_ALLOWED_HOSTS): the app calls these URLs, so an open list is an SSRF hole.
#pragma once

#include "util/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::auth {

inline constexpr std::size_t max_base_url_length = 255;
inline constexpr std::string_view default_allowed_hosts = "*.atlassian.net,*.jira-dev.com,*.jira.com";

class host_allowlist {
 public:
  // Comma-separated entries, whitespace around entries ignored, case-insensitive:
  //   "*.atlassian.net"  one DNS label under the suffix (not the suffix itself), default port only
  //   "host", "1.2.3.4", "[::1]"  exactly that host, default port only
  //   "host:8443"  exactly that port;  "127.0.0.1:*"  any port
  // Errors (config): errc::bad_request "allowed_hosts_invalid" naming the bad entry.
  static result<host_allowlist> parse(std::string_view entries);

  // Accepts an absolute tenant base URL when: scheme https (or http for a loopback host listed by an
  // explicit, non-wildcard entry), no userinfo, query or fragment, a DNS name or a listed IP literal,
  // the port allowed by the matching entry, length <= max_base_url_length.
  // Errors: errc::bad_request "base_url_invalid" (unparseable / not http(s)), errc::forbidden
  // "base_url_not_allowed" (well-formed but outside the list).
  status check_base_url(std::string_view url) const;

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct entry {
    std::string host;       // lower-case; suffix without "*." when wildcard; IPv6 with brackets
    bool wildcard = false;
    bool any_port = false;
    std::uint16_t port = 0;  // 0 = default port of the scheme
  };
  std::vector<entry> entries_;
};

}  // namespace doppel::auth
