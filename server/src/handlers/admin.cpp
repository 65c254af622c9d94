// Admin API handlers: read the request → one admin use-case (which checks for a Jira admin first) → JSON.
#include "handlers/admin.hpp"

#include "service/admin.hpp"

#include <boost/json.hpp>

namespace doppel::handlers {
namespace {

net::reply json_ok(const boost::json::object& o, net::http::status s = net::http::status::ok) {
  return net::json_reply(s, boost::json::serialize(o));
}

// The settings, plus what the threshold means: the dev-set curve (share of filed duplicates found in the likely
// tier, false flags per issue without one) the admin page words it with. Read-only: not part of the settings.
boost::json::object config_json(const service::tenant_settings& s) {
  auto o = service::to_json(s);
  boost::json::array curve;
  for (const auto& p : core::likely_threshold_curve())
    curve.push_back({{"threshold", p.threshold},
                     {"duplicatesFound", p.duplicates_found},
                     {"falseFlagsPerCleanIssue", p.false_flags_per_clean_issue}});
  o["thresholdCurve"] = std::move(curve);
  return o;
}

}  // namespace

net::reply get_config(env& e, net::request_context& ctx) {
  auto settings = service::get_settings(e.svc, ctx.caller_or_throw());
  if (!settings) return net::error_reply(settings.error());
  return json_ok(config_json(*settings));
}

net::reply put_config(env& e, net::request_context& ctx) {
  auto settings = service::put_settings(e.svc, ctx.caller_or_throw(), ctx.req.body());
  if (!settings) return net::error_reply(settings.error());
  return json_ok(config_json(*settings));
}

net::reply start_backfill(env& e, net::request_context& ctx) {
  if (auto started = service::start_backfill(e.svc, ctx.caller_or_throw()); !started)
    return net::error_reply(started.error());
  return json_ok({{"state", "running"}}, net::http::status::accepted);
}

net::reply stop_backfill(env& e, net::request_context& ctx) {
  auto state = service::stop_backfill(e.svc, ctx.caller_or_throw());
  if (!state) return net::error_reply(state.error());
  return json_ok({{"state", *state}});
}

net::reply queue_rescan(env& e, net::request_context& ctx) {
  auto fresh = service::queue_rescan(e.svc, ctx.caller_or_throw());
  if (!fresh) return net::error_reply(fresh.error());
  return json_ok({{"queued", true}, {"alreadyQueued", !*fresh}}, net::http::status::accepted);
}

net::reply admin_stats(env& e, net::request_context& ctx) {
  auto s = service::statistics(e.svc, ctx.caller_or_throw());
  if (!s) return net::error_reply(s.error());
  const auto& backfill = s->backfill;
  boost::json::object o{
      {"issues", s->index.issues},
      {"terms", s->index.terms},
      {"lastEventAt", s->index.last_event_at ? boost::json::value(*s->index.last_event_at) : boost::json::value(nullptr)},
      {"pendingPairs", s->pairs.pending},
      {"confirmedPairs", s->pairs.confirmed},
      {"dismissedPairs", s->pairs.dismissed},
      {"queuedJobs", s->jobs.queued},
      {"runningJobs", s->jobs.running},
      {"failedJobs", s->jobs.dead},
      {"backfillState", backfill.state.empty() ? "idle" : backfill.state},
      {"backfillSeen", backfill.seen},
      {"backfillIndexed", backfill.indexed},
      {"backfillWaiting", backfill.waiting_for.empty() ? boost::json::value(nullptr) : boost::json::value(backfill.waiting_for)},
  };
  if (backfill.total) o["backfillTotal"] = *backfill.total;
  const auto& h = s->hints;
  auto text_or_null = [](const std::string& t) { return t.empty() ? boost::json::value(nullptr) : boost::json::value(t); };
  o["createDialogHints"] = {{"state", h.state}, {"scope", text_or_null(h.scope)}, {"projects", h.projects},
                            {"contexts", h.contexts}, {"reason", text_or_null(h.reason)}};
  return json_ok(o);
}

net::reply delete_data(env& e, net::request_context& ctx) {
  auto d = service::delete_data(e.svc, ctx.caller_or_throw());
  if (!d) return net::error_reply(d.error());
  return json_ok({{"deleted", true}, {"issues", d->issues}, {"pairs", d->pairs}, {"events", d->events}, {"jobs", d->jobs}});
}

}  // namespace doppel::handlers
