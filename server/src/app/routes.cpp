// The route table. Every route Doppel serves is listed here, nowhere else.
#include "app/routes.hpp"

#include "handlers/admin.hpp"
#include "handlers/dashboard.hpp"
#include "handlers/descriptor.hpp"
#include "handlers/health.hpp"
#include "handlers/lifecycle.hpp"
#include "handlers/pages.hpp"
#include "handlers/panel_api.hpp"
#include "handlers/webhooks.hpp"
#include "handlers/static_files.hpp"
#include "service/tenants.hpp"

namespace doppel::app {
namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t no_body = 0;
// Issue events: Jira retries a refused delivery forever, so a large one is accepted and stored bounded
// (core::stored_payload); past this, 413. At most net::server_limits::max_large_bodies such bodies are read at once.
constexpr std::size_t event_body = 8 * 1024 * kib;

}  // namespace

std::vector<net::route> make_routes(handlers::env& e) {
  using net::route_auth;
  using verb = net::http::verb;
  auto bind = [&e](handlers::handler_fn fn) { return [&e, fn](net::request_context& ctx) { return fn(e, ctx); }; };
  // Forge UI calls (invokeRemote) carry the app system token: the newest is kept for background jobs before the
  // handler runs. Event deliveries keep theirs with the installation row (service::register_forge_call).
  auto remember_token = [&e](net::request_context& ctx) {
    if (ctx.who && ctx.who->forge && ctx.matched.auth != net::route_auth::forge)
      service::remember_system_token(e.svc, *ctx.who);
  };
  auto bind_svc = [&e, remember_token](handlers::handler_fn fn) {
    return [&e, remember_token, fn](net::request_context& ctx) {
      remember_token(ctx);
      return fn(e, ctx);
    };
  };
  // A deferred route (answers later through the sink, net::deferred_handler_fn), with bind_svc's token rule.
  auto bind_deferred = [&e, remember_token](handlers::deferred_fn fn) {
    return [&e, remember_token, fn](net::request_context& ctx, net::reply_sink answer) {
      remember_token(ctx);
      fn(e, ctx, std::move(answer));
    };
  };
  return {
      // method       pattern                        auth                 body limit  name                handler
      {verb::get,  "/atlassian-connect.json", route_auth::public_, no_body, "descriptor", bind(handlers::descriptor)},
      {verb::get,  "/livez",                  route_auth::public_, no_body, "livez",      bind(handlers::livez)},
      {verb::get,  "/readyz",                 route_auth::public_, no_body, "readyz",     bind(handlers::readyz)},
      {verb::get,  "/metrics",                route_auth::public_, no_body, "metrics",    bind(handlers::metrics)},
      {verb::get,  "/static/{path...}",       route_auth::public_, no_body, "static",     bind(handlers::static_file)},

      {verb::post, "/lifecycle/installed",    route_auth::install,   64 * kib, "lifecycle.installed",   bind_svc(handlers::installed)},
      {verb::post, "/lifecycle/uninstalled",  route_auth::install,   64 * kib, "lifecycle.uninstalled", bind_svc(handlers::uninstalled)},
      {verb::post, "/lifecycle/enabled",      route_auth::lifecycle, 64 * kib, "lifecycle.enabled",     bind_svc(handlers::enabled)},
      {verb::post, "/lifecycle/disabled",     route_auth::lifecycle, 64 * kib, "lifecycle.disabled",    bind_svc(handlers::disabled)},

      {verb::post, "/webhooks/jira",          route_auth::webhook,   event_body, "webhook.jira",        {}, net::route_lane::main, bind_deferred(handlers::jira_webhook)},
      {verb::post, "/api/forge/events",       route_auth::forge,     event_body, "forge.events",        bind_svc(handlers::forge_event)},
      {verb::post, "/api/forge/uninstall",    route_auth::forge,     64 * kib,   "forge.uninstall",     bind_svc(handlers::forge_uninstall)},

      {verb::get,  "/pages/panel",            route_auth::page,      no_body, "page.panel",             bind(handlers::panel_page)},
      {verb::get,  "/pages/admin",            route_auth::page,      no_body, "page.admin",             bind(handlers::admin_page)},
      {verb::get,  "/pages/configure",        route_auth::page,      no_body, "page.configure",         bind(handlers::admin_page)},
      {verb::get,  "/pages/post-install",     route_auth::page,      no_body, "page.post_install",      bind(handlers::admin_page)},
      {verb::get,  "/pages/dashboard",        route_auth::page,      no_body, "page.dashboard",         bind(handlers::dashboard_page)},

      // --- issue panel API (handlers/panel_api.cpp) ---
      // (the two reads run on the read lane: handler threads of their own, never queued behind webhooks)
      {verb::get,  "/api/issues/{issueKey}/similar",              route_auth::api, no_body, "api.similar",       bind_svc(handlers::similar_for_issue), net::route_lane::read},
      {verb::post, "/api/similar",                                route_auth::api, 64 * kib, "api.similar_draft", bind_svc(handlers::similar_for_draft), net::route_lane::read},
      {verb::post, "/api/pairs/{issueKey}/{candidateKey}/link",   route_auth::api, no_body, "api.pair_link",     bind_svc(handlers::link_pair)},
      {verb::post, "/api/pairs/{issueKey}/{candidateKey}/dismiss", route_auth::api, no_body, "api.pair_dismiss", bind_svc(handlers::dismiss_pair)},
      {verb::post, "/api/pairs/{issueKey}/{candidateKey}/restore", route_auth::api, no_body, "api.pair_restore", bind_svc(handlers::restore_pair)},

      // --- admin and dashboard API (handlers/admin.cpp, handlers/dashboard.cpp) ---
      {verb::get,    "/api/status",            route_auth::api,       no_body,    "api.status",            bind_svc(handlers::api_status)},
      {verb::get,    "/api/pairs",             route_auth::api,       no_body,    "api.pairs",             bind_svc(handlers::list_pairs)},
      {verb::post,   "/api/pairs/bulk",        route_auth::api,       256 * kib,  "api.pairs.bulk",        bind_svc(handlers::bulk_pairs)},
      {verb::get,    "/api/pairs.csv",         route_auth::api,       no_body,    "api.pairs.csv",         bind_svc(handlers::pairs_csv)},
      {verb::get,    "/api/dashboard/summary", route_auth::api,       no_body,    "api.dashboard.summary", bind_svc(handlers::dashboard_summary)},
      {verb::get,    "/api/history",           route_auth::api,       no_body,    "api.history",           bind_svc(handlers::pair_history)},
      {verb::get,    "/api/admin/config",      route_auth::api_admin, no_body,    "admin.config.get",      bind_svc(handlers::get_config)},
      {verb::put,    "/api/admin/config",      route_auth::api_admin, 64 * kib,   "admin.config.put",      bind_svc(handlers::put_config)},
      {verb::post,   "/api/admin/backfill",    route_auth::api_admin, no_body,    "admin.backfill.start",  bind_svc(handlers::start_backfill)},
      {verb::delete_,"/api/admin/backfill",    route_auth::api_admin, no_body,    "admin.backfill.stop",   bind_svc(handlers::stop_backfill)},
      {verb::post,   "/api/admin/rescan",      route_auth::api_admin, no_body,    "admin.rescan",          bind_svc(handlers::queue_rescan)},
      {verb::get,    "/api/admin/stats",       route_auth::api_admin, no_body,    "admin.stats",           bind_svc(handlers::admin_stats)},
      {verb::post,   "/api/admin/delete-data", route_auth::api_admin, no_body,    "admin.delete_data",     bind_svc(handlers::delete_data)},
  };
}

}  // namespace doppel::app
