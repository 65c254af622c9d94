// Intake never indexes in the request: inbox row + job in one transaction, then 204 (retries are no-ops); Forge's
// pre-uninstall call.
#include "handlers/webhooks.hpp"

#include "core/inbound_event.hpp"
#include "service/tenants.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

#include <memory>

namespace doppel::handlers {
namespace {

bool valid_delivery_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

void count_delivery(env& e, bool fresh) {
  e.stats.add_counter(fresh ? "doppel_events_accepted_total" : "doppel_events_duplicate_total");
}

}  // namespace

void jira_webhook(env& e, net::request_context& ctx, net::reply_sink answer) {
  const auto& who = ctx.caller_or_throw();
  auto parsed = core::parse_connect_webhook(ctx.req.body());
  if (!parsed) return answer(net::error_reply(parsed.error()));
  if (!*parsed) return answer(net::no_content());  // an event we do not subscribe to: nothing to do
  auto ev = std::make_shared<store::inbound_event>(std::move(**parsed));
  ev->tenant_id = who.tenant_id;
  ev->source = "connect";
  auto header = ctx.req["X-Atlassian-Webhook-Identifier"];
  if (!header.empty() && !valid_delivery_id(header))
    return answer(net::error_reply(errc::bad_request, "invalid_delivery_id", "Malformed X-Atlassian-Webhook-Identifier"));
  ev->delivery_id = header.empty() ? core::body_digest(ctx.req.body()) : "jira:" + std::string(header);
  ev->payload = core::stored_payload(ctx.req.body());  // bounded when large
  // Answered 204 only once the event's group commit is in (the handler thread meanwhile serves other requests).
  service::accept_event_async(e.svc, *ev, [&e, ev, answer](bool fresh, std::exception_ptr failure) {
    if (failure) return answer.fail(std::move(failure));
    count_delivery(e, fresh);
    answer(net::no_content());
  });
}

net::reply forge_event(env& e, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  boost::system::error_code ec;
  auto body = boost::json::parse(ctx.req.body(), ec);
  if (ec || !body.is_object()) return net::error_reply(errc::bad_request, "invalid_json", "Body must be a JSON object");
  const auto* type = body.as_object().if_contains("eventType");
  std::string event_type = type && type->is_string() ? std::string(type->as_string()) : "";
  // Installation events register (or refresh) the Forge tenant and begin its backfill; product events go to the
  // inbox (a product event may arrive before the installed event: the tenant row is made sure of with it).
  if (event_type == "avi:forge:installed:app" || event_type == "avi:forge:upgraded:app") {
    service::register_forge_call(e.svc, who, true, nullptr);
    log::info("forge installation registered",
              {{"tenant", who.tenant_id}, {"event", event_type}, {"system_token", !who.forge_system_token.empty()}});
    return net::no_content();
  }
  auto parsed = core::parse_forge_event(ctx.req.body());
  if (!parsed) return net::error_reply(parsed.error());
  if (!*parsed) return net::no_content();
  auto ev = std::move(**parsed);
  ev.tenant_id = who.tenant_id;
  ev.source = "forge";
  ev.delivery_id = core::body_digest(ctx.req.body());
  ev.payload = core::stored_payload(ctx.req.body());  // bounded when large
  count_delivery(e, service::register_forge_call(e.svc, who, false, &ev));
  return net::no_content();
}

net::reply forge_uninstall(env& e, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  // Only the platform's pre-uninstall invocation may uninstall: a UI call (any page's invokeRemote) names its own
  // module, and a forge route already refuses tokens with a user principal.
  if (who.forge_module_key != forge_pre_uninstall_module)
    return net::error_reply(errc::forbidden, "wrong_module", "Only the pre-uninstall trigger may uninstall");
  auto removed = service::uninstall_forge(e.svc, who);
  log::info("forge installation uninstalled",
            {{"tenant", who.tenant_id}, {"ui_modification_removed", bool(removed)},
             {"error", removed ? std::string() : removed.error().stable_code}});
  return net::no_content();
}

}  // namespace doppel::handlers
