// Page handlers: the page JWT was verified by policy; answer the HTML with CSP frame-ancestors, never X-Frame-Options.
#include "handlers/pages.hpp"

#include "handlers/static_files.hpp"
#include "store/tenant_store.hpp"

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

net::reply page(app::app_context& app, net::request_context& ctx, const char* file) {
  const auto& who = ctx.caller_or_throw();
  auto html = read_static_file(app.cfg.static_dir, file);
  if (!html) return net::error_reply(errc::unavailable, "frontend_missing", "The frontend bundle is not built");
  auto tenant = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store::find_tenant(tx, who.tenant_id);
  });
  std::string base = tenant ? tenant->base_url : "";
  std::string display = tenant ? tenant->display_url : "";
  net::reply r{net::http::status::ok, "text/html; charset=utf-8", std::move(*html), {}};
  r.header("Content-Security-Policy", page_csp(base, display));
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

net::reply panel_page(app::app_context& app, net::request_context& ctx) { return page(app, ctx, "panel.html"); }
net::reply admin_page(app::app_context& app, net::request_context& ctx) { return page(app, ctx, "admin.html"); }
net::reply dashboard_page(app::app_context& app, net::request_context& ctx) {
  return page(app, ctx, "dashboard.html");
}

}  // namespace doppel::handlers
