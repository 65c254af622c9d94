// libFuzzer target: tenant base URL allowlist checks; an accepted URL must really be inside the list.
#include "auth/host_allowlist.hpp"

#include <boost/url/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto list = doppel::auth::host_allowlist::parse("*.atlassian.net,*.jira-dev.com,127.0.0.1:*,jira.local:8443");
  if (!list) __builtin_trap();
  std::string_view url(reinterpret_cast<const char*>(data), size);
  // Entries parse without crashing whatever the input.
  (void)doppel::auth::host_allowlist::parse(url);
  if (!list->check_base_url(url).ok()) return 0;
  if (url.size() > doppel::auth::max_base_url_length) __builtin_trap();
  auto u = boost::urls::parse_uri(url);
  if (!u || u->has_userinfo() || u->has_query() || u->has_fragment()) __builtin_trap();
  const std::string scheme = lower(u->scheme());
  const std::string host = lower(u->encoded_host());
  if (scheme != "https" && !(scheme == "http" && host == "127.0.0.1")) __builtin_trap();
  const bool listed = ends_with(host, ".atlassian.net") || ends_with(host, ".jira-dev.com") || host == "127.0.0.1" ||
                      host == "jira.local";
  if (!listed) __builtin_trap();
  if (host == "jira.local" && u->port() != "8443") __builtin_trap();
  if ((ends_with(host, ".atlassian.net") || ends_with(host, ".jira-dev.com")) && u->has_port() && u->port() != "443")
    __builtin_trap();
  return 0;
}
