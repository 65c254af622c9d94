// Page handlers: the page JWT was verified by policy; answer the HTML with CSP frame-ancestors, never X-Frame-Options.
#include "handlers/pages.hpp"

#include "handlers/static_files.hpp"
#include "service/tenants.hpp"

#include <boost/url/parse.hpp>

namespace doppel::handlers {
namespace {

// scheme://host[:port] of an absolute URL, or empty when it is not a clean http(s) URL.
std::string origin_of(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "https" && u->scheme() != "http")) return {};
  std::string host(u->encoded_host());
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' || c == ']' || c == ':'))
      return {};
  std::string out = std::string(u->scheme()) + "://" + host;
  if (u->has_port()) out += ":" + std::string(u->port());
  return out;
}

net::reply page(env& e, net::request_context& ctx, const char* file) {
  const auto& who = ctx.caller_or_throw();
  auto html = read_static_file(e.static_dir, file);
  if (!html) return net::error_reply(errc::unavailable, "frontend_missing", "The frontend bundle is not built");
  auto site = service::site_of(e.svc, who.tenant_id);
  net::reply r{net::http::status::ok, "text/html; charset=utf-8", std::move(*html), {}};
  r.header("Content-Security-Policy", page_csp(site.base_url, site.display_url));
  return r;
}

}  // namespace

std::string page_csp(const std::string& base_url, const std::string& display_url) {
  std::string ancestors = "'self'";
  for (const auto* u : {&base_url, &display_url}) {
    auto o = origin_of(*u);
    if (!o.empty() && ancestors.find(o) == std::string::npos) ancestors += " " + o;
  }
  return "default-src 'self'; script-src 'self' https://connect-cdn.atl-paas.net; "
         "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors " + ancestors;
}

net::reply panel_page(env& e, net::request_context& ctx) { return page(e, ctx, "panel.html"); }
net::reply admin_page(env& e, net::request_context& ctx) { return page(e, ctx, "admin.html"); }
net::reply dashboard_page(env& e, net::request_context& ctx) {
  return page(e, ctx, "dashboard.html");
}

}  // namespace doppel::handlers
