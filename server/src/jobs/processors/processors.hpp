// The background job processors, one file per job kind: read the job's payload → one use-case in its transaction.
#pragma once

#include "service/context.hpp"
#include "store/worker_pool.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace doppel::jobs {

// Registers every kind's processor with the worker pool (wiring calls it once).
void register_processors(store::worker_pool& workers, service::context& ctx);

// One processor per kind (each in its own file).
void apply_issue(store::write_tx& tx, const store::job& j, service::context& ctx);
void apply_project_delete(store::write_tx& tx, const store::job& j, service::context& ctx);
void backfill(store::write_tx& tx, const store::job& j, service::context& ctx);
void rescan(store::write_tx& tx, const store::job& j, service::context& ctx);
void publish_flags(store::write_tx& tx, const store::job& j, service::context& ctx);
void purge_tenant(store::write_tx& tx, const store::job& j, service::context& ctx);
void sync_ui_modification(store::write_tx& tx, const store::job& j, service::context& ctx);
void report_accounts(store::write_tx& tx, const store::job& j, service::context& ctx);

// The job's JSON payload as an object (empty when it is not one), and a string member of it ("" when absent).
boost::json::object payload_of(const store::job& j);
std::string string_of(const boost::json::object& o, std::string_view key);
bool flag_of(const boost::json::object& o, std::string_view key);

}  // namespace doppel::jobs
