// Admin API handlers: admin check → validate → one store call in a transaction → JSON reply.
#include "handlers/admin.hpp"

#include "app/job_processors.hpp"

#include "app/jira_access.hpp"
#include "app/tenant_settings.hpp"
#include "handlers/json_body.hpp"
#include "jobs/job_queue.hpp"
#include "store/backfill_store.hpp"
#include "store/dashboard_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

namespace doppel::handlers {
namespace {

net::reply json_ok(const boost::json::object& o, net::http::status s = net::http::status::ok) {
  return net::json_reply(s, boost::json::serialize(o));
}

void nudge(app::services& svc) {
  if (svc.workers) svc.workers->nudge();
}

}  // namespace

std::optional<net::reply> require_admin(app::app_context& app, app::services& svc, const net::caller& who) {
  if (who.account_id.empty())
    return net::error_reply(errc::forbidden, "not_admin", "This call carries no user; only Jira administrators may do this");
  if (svc.admins) {
    if (auto known = svc.admins->get(who.tenant_id, who.account_id)) {
      if (*known) return std::nullopt;
      return net::error_reply(errc::forbidden, "not_admin", "Only Jira administrators may do this");
    }
  }
  auto jira = app::jira_for_tenant(app, svc, who.tenant_id, &who);
  if (!jira) {
    if (jira.error().code == errc::not_found) return net::error_reply(jira.error());
    return net::error_reply(errc::unavailable, "jira_unreachable", "Jira could not confirm admin rights; try again");
  }
  auto is_admin = (*jira)->is_jira_admin(who.account_id);
  if (!is_admin) {
    log::warn("jira admin check failed", {{"tenant", who.tenant_id}, {"error", is_admin.error().stable_code}});
    return net::error_reply(errc::unavailable, "jira_unreachable", "Jira could not confirm admin rights; try again");
  }
  if (svc.admins) svc.admins->put(who.tenant_id, who.account_id, *is_admin);
  if (!*is_admin) return net::error_reply(errc::forbidden, "not_admin", "Only Jira administrators may do this");
  return std::nullopt;
}

net::reply get_config(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  auto settings = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app::load_settings(tx, who.tenant_id);
  });
  return json_ok(app::to_json(settings));
}

net::reply put_config(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  auto body = parse_object(ctx.req.body());
  if (!body) return net::error_reply(body.error());
  auto settings = app::settings_from_json(*body);
  if (!settings) return net::error_reply(settings.error());
  app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    app::save_settings(tx, who.tenant_id, *settings);
    app::schedule_rescan(tx, who.tenant_id, settings->rescan_schedule);
    tx.commit();
  });
  if (svc.index) svc.index->invalidate(who.tenant_id);
  log::info("tenant settings saved", {{"tenant", who.tenant_id}});
  return json_ok(app::to_json(*settings));
}

net::reply start_backfill(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto settings = app::load_settings(tx, who.tenant_id);
    store::start_backfill(tx, who.tenant_id, store::backfill_jql(settings.projects), false);
    jobs::enqueue(tx, who.tenant_id, jobs::job_kind::backfill, "backfill", "{}");
    tx.commit();
  });
  nudge(svc);
  log::info("backfill started", {{"tenant", who.tenant_id}});
  return json_ok({{"state", "running"}}, net::http::status::accepted);
}

net::reply stop_backfill(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  auto state = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    store::stop_backfill(tx, who.tenant_id);
    auto b = store::read_backfill(tx, who.tenant_id);
    tx.commit();
    return b.state.empty() ? std::string("idle") : b.state;
  });
  log::info("backfill stopped", {{"tenant", who.tenant_id}});
  return json_ok({{"state", state}});
}

net::reply queue_rescan(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  bool fresh = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    bool is_new = jobs::enqueue(tx, who.tenant_id, jobs::job_kind::rescan, "rescan", "{}");
    tx.commit();
    return is_new;
  });
  nudge(svc);
  return json_ok({{"queued", true}, {"alreadyQueued", !fresh}}, net::http::status::accepted);
}

net::reply admin_stats(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  return app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto index = store::read_index_overview(tx, who.tenant_id);
    auto pairs = store::count_by_status(tx, who.tenant_id);
    auto jobs = store::count_jobs(tx, who.tenant_id);
    auto backfill = store::read_backfill(tx, who.tenant_id);
    boost::json::object o{
        {"issues", index.issues},
        {"terms", index.terms},
        {"lastEventAt", index.last_event_at ? boost::json::value(*index.last_event_at) : boost::json::value(nullptr)},
        {"pendingPairs", pairs.pending},
        {"confirmedPairs", pairs.confirmed},
        {"dismissedPairs", pairs.dismissed},
        {"queuedJobs", jobs.queued},
        {"runningJobs", jobs.running},
        {"failedJobs", jobs.dead},
        {"backfillState", backfill.state.empty() ? "idle" : backfill.state},
        {"backfillSeen", backfill.seen},
        {"backfillIndexed", backfill.indexed},
        {"backfillWaiting", backfill.waiting_for.empty() ? boost::json::value(nullptr) : boost::json::value(backfill.waiting_for)},
    };
    if (backfill.total) o["backfillTotal"] = *backfill.total;
    return json_ok(o);
  });
}

net::reply delete_data(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  if (auto denied = require_admin(app, svc, who)) return *denied;
  auto d = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto counts = store::delete_tenant_data(tx, who.tenant_id);
    tx.commit();
    return counts;
  });
  if (svc.index) svc.index->invalidate(who.tenant_id);
  log::info("tenant data deleted on request",
            {{"tenant", who.tenant_id}, {"issues", d.issues}, {"pairs", d.pairs}, {"events", d.events}});
  return json_ok({{"deleted", true}, {"issues", d.issues}, {"pairs", d.pairs}, {"events", d.events}, {"jobs", d.jobs}});
}

}  // namespace doppel::handlers
