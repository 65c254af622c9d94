// Allowlist parsing and tenant base URL checks with Boost.URL.
#include "auth/host_allowlist.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>

namespace doppel::auth {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
      continue;
    }
    char c = host[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    ++label;
  }
  // An all-numeric last label would be an IP-ish name: refuse (IPv4 literals are handled separately).
  auto last = host.substr(host.rfind('.') == std::string_view::npos ? 0 : host.rfind('.') + 1);
  return !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool parse_port(std::string_view s, std::uint16_t& out) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return false;
  out = std::uint16_t(v);
  return true;
}

bool is_loopback(std::string_view host, boost::urls::host_type type) {
  if (type == boost::urls::host_type::ipv4) return host.substr(0, 4) == "127.";
  if (type == boost::urls::host_type::ipv6) return host == "[::1]";
  return host == "localhost";
}

error bad_entry(std::string_view e) {
  return make_error(errc::bad_request, "allowed_hosts_invalid", "invalid DOPPEL_ALLOWED_HOSTS entry: " + std::string(e));
}

error not_allowed(std::string msg) { return make_error(errc::forbidden, "base_url_not_allowed", std::move(msg)); }
error invalid(std::string msg) { return make_error(errc::bad_request, "base_url_invalid", std::move(msg)); }

}  // namespace

result<host_allowlist> host_allowlist::parse(std::string_view text) {
  host_allowlist out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = std::min(text.find(',', pos), text.size());
    std::string_view raw = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (raw.empty()) continue;
    std::string e = lower(raw);
    entry ent;
    // Split host and port; IPv6 literals are bracketed.
    std::string_view hostpart = e, portpart;
    if (!e.empty() && e.front() == '[') {
      auto close = e.find(']');
      if (close == std::string::npos) return bad_entry(raw);
      hostpart = std::string_view(e).substr(0, close + 1);
      std::string_view rest = std::string_view(e).substr(close + 1);
      if (!rest.empty()) {
        if (rest.front() != ':') return bad_entry(raw);
        portpart = rest.substr(1);
        if (portpart.empty()) return bad_entry(raw);
      }
    } else if (auto colon = e.find(':'); colon != std::string::npos) {
      hostpart = std::string_view(e).substr(0, colon);
      portpart = std::string_view(e).substr(colon + 1);
      if (portpart.empty()) return bad_entry(raw);
    }
    if (portpart == "*") ent.any_port = true;
    else if (!portpart.empty() && !parse_port(portpart, ent.port)) return bad_entry(raw);
    if (hostpart.substr(0, 2) == "*.") {
      ent.wildcard = true;
      hostpart.remove_prefix(2);
      if (!valid_dns_name(hostpart) || hostpart.find('.') == std::string_view::npos) return bad_entry(raw);
    } else {
      // Validate the host the same way a URL host is parsed.
      auto u = boost::urls::parse_uri("https://" + std::string(hostpart) + "/");
      if (!u || u->host_type() == boost::urls::host_type::ipvfuture || hostpart.find('%') != std::string_view::npos)
        return bad_entry(raw);
      if (u->host_type() == boost::urls::host_type::name && !valid_dns_name(hostpart)) return bad_entry(raw);
    }
    ent.host = std::string(hostpart);
    out.entries_.push_back(std::move(ent));
  }
  if (out.entries_.empty()) return bad_entry(text);
  return out;
}

status host_allowlist::check_base_url(std::string_view url) const {
  if (url.empty() || url.size() > max_base_url_length) return invalid("base URL empty or too long");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return invalid("base URL is not an absolute URL");
  const boost::urls::url_view& u = *parsed;
  const std::string scheme = lower(u.scheme());
  if (scheme != "https" && scheme != "http") return invalid("base URL scheme must be https");
  if (!u.has_authority() || u.encoded_host().empty()) return invalid("base URL has no host");
  if (u.has_userinfo()) return not_allowed("base URL must not carry credentials");
  if (u.has_query() || u.has_fragment()) return invalid("base URL must not have a query or fragment");
  const auto type = u.host_type();
  if (type == boost::urls::host_type::ipvfuture) return not_allowed("host type not allowed");
  std::string_view enc_host(u.encoded_host().data(), u.encoded_host().size());
  if (enc_host.find('%') != std::string_view::npos) return invalid("encoded host");
  const std::string host = lower(enc_host);
  if (type == boost::urls::host_type::name && !valid_dns_name(host)) return invalid("host is not a DNS name");
  const std::uint16_t default_port = scheme == "https" ? 443 : 80;
  std::uint16_t port = default_port;
  if (u.has_port()) {
    std::string_view ps(u.port().data(), u.port().size());
    if (!parse_port(ps, port)) return invalid("bad port");
  }
  for (const auto& e : entries_) {
    bool host_ok = false;
    if (e.wildcard) {
      host_ok = type == boost::urls::host_type::name && host.size() > e.host.size() + 1 &&
                host.compare(host.size() - e.host.size(), e.host.size(), e.host) == 0 &&
                host[host.size() - e.host.size() - 1] == '.' &&
                host.substr(0, host.size() - e.host.size() - 1).find('.') == std::string::npos;
    } else {
      host_ok = host == e.host;
    }
    if (!host_ok) continue;
    const bool port_ok = e.any_port || (e.port == 0 ? port == default_port : port == e.port);
    if (!port_ok) continue;
    if (scheme == "http" && (e.wildcard || !is_loopback(host, type))) continue;
    return ok();
  }
  return not_allowed("base URL host is not in the allowlist");
}

}  // namespace doppel::auth
