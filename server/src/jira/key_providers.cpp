// Install-key and Forge JWKS providers: bounded HTTP fetches, strict kid handling, caches.
#include "jira/key_providers.hpp"

#include "auth/jwt.hpp"
#include "util/log.hpp"

#include <boost/json/parse.hpp>



namespace doppel::jira {
namespace {

constexpr std::size_t max_cached_keys = 256;
constexpr std::size_t max_key_response = 64 * 1024;

error unavailable(std::string msg) { return make_error(errc::unavailable, "key_server_unavailable", std::move(msg)); }
error unknown_kid(std::string msg) { return auth::jwt_error("jwt_unknown_kid", std::move(msg)); }

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

install_key_provider::install_key_provider(std::shared_ptr<const http_client> client, std::string keys_base_url,
                                           clock_fn clock, install_key_limits limits)
    : client_(std::move(client)), base_url_(strip_slashes(std::move(keys_base_url))), clock_(std::move(clock)),
      limits_(limits), tokens_(double(limits.burst)) {
  if (limits_.max_unknown == 0) limits_.max_unknown = 1;
}

std::size_t install_key_provider::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

std::size_t install_key_provider::unknown_count() const {
  std::lock_guard lock(mutex_);
  return unknown_.size();
}

bool install_key_provider::take_fetch_token(std::chrono::system_clock::time_point now) {
  if (refilled_at_ && now > *refilled_at_ && limits_.refill_interval.count() > 0) {
    const double earned = std::chrono::duration<double, std::milli>(now - *refilled_at_).count() /
                          double(limits_.refill_interval.count());
    tokens_ = std::min(double(limits_.burst), tokens_ + earned);
  }
  if (!refilled_at_ || now > *refilled_at_) refilled_at_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  ++fetches_;
  throttled_ = false;
  return true;
}

void install_key_provider::remember_unknown(std::string kid, std::chrono::system_clock::time_point now) {
  // Entries expire in insertion order (one ttl for all): drop the expired ones, then the oldest beyond the bound.
  while (!unknown_order_.empty() &&
         (now - unknown_order_.front().second >= limits_.negative_ttl || unknown_.size() >= limits_.max_unknown)) {
    auto it = unknown_.find(unknown_order_.front().first);
    if (it != unknown_.end() && it->second == unknown_order_.front().second) unknown_.erase(it);
    unknown_order_.pop_front();
  }
  unknown_.insert_or_assign(kid, now);
  unknown_order_.emplace_back(std::move(kid), now);
}

result<auth::rsa_key> install_key_provider::get(std::string_view kid) {
  if (!auth::valid_install_kid(kid)) return unknown_kid("kid malformed");
  const auto now = clock_();
  {
    std::lock_guard lock(mutex_);
    if (auto it = keys_.find(kid); it != keys_.end()) return it->second;
    if (auto it = unknown_.find(kid); it != unknown_.end() && now - it->second < limits_.negative_ttl)
      return unknown_kid("unknown kid");
    if (!take_fetch_token(now)) {
      if (!throttled_) log::warn("install key fetches throttled (too many unknown kids)");  // once per episode
      throttled_ = true;
      return make_error(errc::unavailable, "key_fetch_throttled", "Too many install key lookups; try again later");
    }
  }
  http_request req{"GET", base_url_ + "/" + std::string(kid), {{"Accept", "application/x-pem-file, text/plain, */*"}}, ""};
  auto res = client_->send(req);
  if (!res) {
    log::warn("install key fetch failed", {{"error", res.error().stable_code}});
    return unavailable("install key server unreachable");
  }
  if (res->status == 404 || res->status == 403) {
    std::lock_guard lock(mutex_);
    remember_unknown(std::string(kid), now);
    return unknown_kid("unknown kid");
  }
  if (res->status != 200) {
    log::warn("install key server error", {{"status", res->status}});
    return unavailable("install key server error");
  }
  if (res->body.size() > max_key_response) return unknown_kid("key response too large");
  auto key = auth::rsa_key::from_public_pem(res->body);
  if (!key) return unknown_kid("key server did not return an RSA public key");
  std::lock_guard lock(mutex_);
  if (keys_.size() >= max_cached_keys) keys_.clear();
  keys_.insert_or_assign(std::string(kid), *key);
  return *key;
}

forge_jwks_provider::forge_jwks_provider(std::shared_ptr<const http_client> client, std::string jwks_url, clock_fn clock,
                                         std::chrono::seconds min_refetch_interval)
    : client_(std::move(client)), url_(std::move(jwks_url)), clock_(std::move(clock)), min_interval_(min_refetch_interval) {}

std::size_t forge_jwks_provider::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

result<auth::rsa_key> forge_jwks_provider::get(std::string_view kid) {
  if (kid.empty() || kid.size() > 256) return unknown_kid("kid malformed");
  {
    std::lock_guard lock(mutex_);
    if (auto it = keys_.find(kid); it != keys_.end()) return it->second;
  }
  std::lock_guard fetch_lock(fetch_mutex_);
  bool may_fetch = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = keys_.find(kid); it != keys_.end()) return it->second;  // fetched by another thread meanwhile
    may_fetch = !last_fetch_ || clock_() - *last_fetch_ >= min_interval_;
    if (!may_fetch) {
      if (last_ok_) return unknown_kid("unknown kid");
      return unavailable("Forge JWKS unavailable");
    }
  }
  if (auto s = refresh(); !s) return s.error();
  std::lock_guard lock(mutex_);
  if (auto it = keys_.find(kid); it != keys_.end()) return it->second;
  return unknown_kid("unknown kid");
}

status forge_jwks_provider::refresh() {
  auto record = [&](bool ok_now) {
    std::lock_guard lock(mutex_);
    last_fetch_ = clock_();
    last_ok_ = ok_now;
    ++fetches_;
  };
  auto res = client_->send({"GET", url_, {{"Accept", "application/json"}}, ""});
  if (!res || res->status != 200) {
    record(false);
    log::warn("Forge JWKS fetch failed", {{"error", res ? std::to_string(res->status) : res.error().stable_code}});
    return unavailable("Forge JWKS unavailable");
  }
  boost::system::error_code ec;
  auto doc = boost::json::parse(res->body, ec);
  const boost::json::array* keys = nullptr;
  if (!ec && doc.is_object()) {
    if (auto it = doc.get_object().find("keys"); it != doc.get_object().end() && it->value().is_array())
      keys = &it->value().get_array();
  }
  if (!keys) {
    record(false);
    return unavailable("Forge JWKS malformed");
  }
  std::map<std::string, auth::rsa_key, std::less<>> fresh;
  for (const auto& k : *keys) {
    if (!k.is_object() || fresh.size() >= max_cached_keys) continue;
    std::string kid = auth::claim_string(k.get_object(), "kid");
    if (kid.empty()) continue;
    auto key = auth::rsa_key::from_jwk(k.get_object());
    if (key) fresh.insert_or_assign(std::move(kid), *key);
  }
  record(true);
  std::lock_guard lock(mutex_);
  keys_ = std::move(fresh);
  return ok();
}

http_client_options key_server_client_options(std::string extra_ca_file) {
  http_client_options o;
  o.connect_timeout = std::chrono::milliseconds(3000);
  o.request_timeout = std::chrono::milliseconds(5000);
  o.max_response_bytes = 256 * 1024;
  o.extra_ca_file = std::move(extra_ca_file);
  return o;
}

auth::key_provider_fn as_key_provider(std::shared_ptr<install_key_provider> p) {
  return [p = std::move(p)](std::string_view kid) { return p->get(kid); };
}

auth::key_provider_fn as_key_provider(std::shared_ptr<forge_jwks_provider> p) {
  return [p = std::move(p)](std::string_view kid) { return p->get(kid); };
}

}  // namespace doppel::jira
