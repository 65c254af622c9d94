// Registration of the job processors, and the payload helpers they share.
#include "jobs/processors/processors.hpp"

#include <boost/json.hpp>

namespace doppel::jobs {

boost::json::object payload_of(const store::job& j) {
  boost::system::error_code ec;
  auto v = boost::json::parse(j.payload, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

std::string string_of(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool flag_of(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

void register_processors(store::worker_pool& workers, service::context& ctx) {
  using store::job_kind;
  auto bind = [&ctx](void (*fn)(store::write_tx&, const store::job&, service::context&)) {
    return [&ctx, fn](store::write_tx& tx, const store::job& j) { fn(tx, j, ctx); };
  };
  workers.set_processor(job_kind::apply_issue, bind(apply_issue));
  workers.set_processor(job_kind::apply_project_delete, bind(apply_project_delete));
  workers.set_processor(job_kind::backfill, bind(backfill));
  workers.set_processor(job_kind::rescan, bind(rescan));
  workers.set_processor(job_kind::publish_flags, bind(publish_flags));
  workers.set_processor(job_kind::purge_tenant, bind(purge_tenant));
  workers.set_processor(job_kind::sync_ui_modification, bind(sync_ui_modification));
  workers.set_processor(job_kind::report_accounts, bind(report_accounts));
}

}  // namespace doppel::jobs
