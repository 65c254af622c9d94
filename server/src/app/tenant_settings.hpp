// Per-tenant settings (admin page): threshold, field weights and model options, scope, behaviours.
#pragma once

#include "core/model_options.hpp"
#include "util/result.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace doppel::app {

struct tenant_settings {
  double threshold = 0.35;                 // minimum normalised score for a stored flag / panel hit
  core::model_options model;               // field weights and ranking options
  std::vector<std::string> projects;       // empty = all projects
  std::vector<std::string> issue_types;    // empty = all issue types
  bool cross_project = true;               // suggest issues from other projects
  bool comment_on_create = false;          // comment on new issues that have likely duplicates
  std::string rescan_schedule = "weekly";  // off | daily | weekly
};

// JSON shape used by GET/PUT /api/admin/config:
// {"threshold","fieldWeights":{"summary","description","environment","meta"},"projects","issueTypes",
//  "crossProject","commentOnCreate","rescanSchedule","model":{…core::model_options…}}
boost::json::object to_json(const tenant_settings& s);
// Validates every field (ranges, types, list sizes); unknown fields are refused (errc::unprocessable).
result<tenant_settings> settings_from_json(const boost::json::value& v);

tenant_settings load_settings(pqxx::transaction_base& tx, const std::string& tenant_id);
void save_settings(pqxx::work& tx, const std::string& tenant_id, const tenant_settings& s);

}  // namespace doppel::app
