// Intake never indexes in the request: inbox row + job in one transaction, then 204 (retries are no-ops).
#include "handlers/webhooks.hpp"

#include "app/jira_access.hpp"
#include "jobs/inbox.hpp"
#include "jobs/job_queue.hpp"
#include "store/backfill_store.hpp"
#include "store/tenant_store.hpp"
#include "util/log.hpp"

namespace doppel::handlers {
namespace {

bool valid_delivery_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

void count_delivery(app::app_context& app, bool fresh) {
  app.stats.add_counter(fresh ? "doppel_events_accepted_total" : "doppel_events_duplicate_total");
}

net::reply persist(app::app_context& app, jobs::inbound_event ev) {
  // One statement in autocommit: its synchronous commit makes the event durable before the 204.
  bool fresh = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return jobs::accept_event(tx, ev);
  });
  count_delivery(app, fresh);
  return net::no_content();
}

}  // namespace

net::reply jira_webhook(app::app_context& app, app::services&, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto parsed = jobs::parse_connect_webhook(ctx.req.body());
  if (!parsed) return net::error_reply(parsed.error());
  if (!*parsed) return net::no_content();  // an event we do not subscribe to: nothing to do
  auto ev = std::move(**parsed);
  ev.tenant_id = who.tenant_id;
  ev.source = "connect";
  auto header = ctx.req["X-Atlassian-Webhook-Identifier"];
  if (!header.empty() && !valid_delivery_id(header))
    return net::error_reply(errc::bad_request, "invalid_delivery_id", "Malformed X-Atlassian-Webhook-Identifier");
  ev.delivery_id = header.empty() ? jobs::body_digest(ctx.req.body()) : "jira:" + std::string(header);
  ev.payload = ctx.req.body();
  return persist(app, std::move(ev));
}

namespace {

// Registers (or refreshes) the Forge installation and keeps the event's app system token and, for a product event,
// stores it in the inbox with its job: one transaction, one commit. On install (or the first upgrade seen) the
// backlog backfill starts, as for a Connect install. Returns whether the product event was new (not a redelivery).
bool register_forge_install(app::app_context& app, app::services& svc, const net::caller& who, bool start_backfill,
                            const jobs::inbound_event* product_event = nullptr) {
  auto [token_stored, fresh] = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    store::upsert_forge_install(tx, who.tenant_id, who.forge_api_base_url, who.forge_cloud_id, who.forge_site_url);
    bool stored = app::remember_system_token(tx, svc, who, true);
    if (start_backfill && store::start_backfill(tx, who.tenant_id, store::backfill_jql({}), true))
      jobs::enqueue(tx, who.tenant_id, jobs::job_kind::backfill, "backfill", "{}");
    bool is_new = product_event && jobs::accept_event(tx, *product_event);
    tx.commit();
    return std::make_pair(stored, is_new);
  });
  if ((token_stored || start_backfill) && svc.workers) svc.workers->nudge();
  if (product_event) count_delivery(app, fresh);
  return fresh;
}

}  // namespace

net::reply forge_event(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  boost::system::error_code ec;
  auto body = boost::json::parse(ctx.req.body(), ec);
  if (ec || !body.is_object()) return net::error_reply(errc::bad_request, "invalid_json", "Body must be a JSON object");
  const auto* type = body.as_object().if_contains("eventType");
  std::string event_type = type && type->is_string() ? std::string(type->as_string()) : "";
  // Installation events register (or refresh) the Forge tenant; product events go to the inbox.
  if (event_type == "avi:forge:installed:app" || event_type == "avi:forge:upgraded:app") {
    register_forge_install(app, svc, who, true);
    log::info("forge installation registered",
              {{"tenant", who.tenant_id}, {"event", event_type}, {"system_token", !who.forge_system_token.empty()}});
    return net::no_content();
  }
  auto parsed = jobs::parse_forge_event(ctx.req.body());
  if (!parsed) return net::error_reply(parsed.error());
  if (!*parsed) return net::no_content();
  auto ev = std::move(**parsed);
  ev.tenant_id = who.tenant_id;
  ev.source = "forge";
  ev.delivery_id = jobs::body_digest(ctx.req.body());
  ev.payload = ctx.req.body();
  // A product event may arrive before the installed event: the tenant row is made sure of in the same transaction.
  register_forge_install(app, svc, who, false, &ev);
  return net::no_content();
}

}  // namespace doppel::handlers
