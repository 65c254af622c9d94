// Per-tenant settings (admin page): threshold, field weights and model options, scope, behaviours.
#pragma once

#include "core/index.hpp"
#include "core/likelihood.hpp"
#include "core/model_options.hpp"
#include "store/database.hpp"
#include "util/result.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace doppel::service {

struct tenant_settings {
  double threshold = core::default_likely_threshold;  // likelihood from which a candidate is "likely"
  core::model_options model;               // field weights and ranking options
  // The admin page weighs components and labels separately; the model has one "meta" field holding
  // both (and the issue's own key): model.field_weights[meta] is their mean.
  double components_weight = core::model_options{}.field_weights[core::field_meta];  // the model's default
  double labels_weight = core::model_options{}.field_weights[core::field_meta];
  std::vector<std::string> projects;       // empty = all projects
  std::vector<std::string> issue_types;    // empty = all issue types
  bool cross_project = true;               // suggest issues from other projects
  bool comment_on_create = false;          // comment on new issues that have likely duplicates
  std::string rescan_schedule = "weekly";  // off | daily | weekly
};

// JSON shape used by GET/PUT /api/admin/config:
// {"threshold","fieldWeights":{"summary","description","environment","components","labels"},"projects",
//  "issueTypes","crossProject","commentOnCreate","rescanSchedule","model":{…core::model_options…}}
// On input fieldWeights may also carry "meta" (sets components and labels alike); fieldWeights wins
// over model.field_weights. Missing members keep their defaults. "threshold" is on the likelihood scale; the
// read-only "thresholdCurve" of GET is ignored on input.
boost::json::object to_json(const tenant_settings& s);
// Validates every field (ranges, types, list sizes); unknown fields are refused (errc::unprocessable).
result<tenant_settings> settings_from_json(const boost::json::value& v);

// The tenant's stored settings, or the defaults (stored settings that no longer validate are logged and ignored).
tenant_settings load_settings(store::tx_base& tx, const std::string& tenant_id);
// Saves them and plans the next scheduled rescan for their schedule.
void save_settings(store::write_tx& tx, const std::string& tenant_id, const tenant_settings& s);

// The search filter a tenant's settings give for suggestions about an issue of `project`.
core::search_filter filter_for(const tenant_settings& s, const std::string& project, std::size_t limit);

// Queues the next scheduled full rescan for the tenant's schedule ("daily" | "weekly"; "off" queues nothing).
// One scheduled rescan is queued at a time (coalesced on its unique key).
void schedule_rescan(store::write_tx& tx, const std::string& tenant_id, const std::string& schedule);

}  // namespace doppel::service
