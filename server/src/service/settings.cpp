// Tenant settings: strict JSON validation, mapping onto model options, load/save in tenant_settings.
#include "service/settings.hpp"

#include "core/issue_key.hpp"
#include "store/job_queue.hpp"
#include "store/settings_store.hpp"
#include "util/log.hpp"

#include <cmath>
#include <set>

namespace doppel::service {
namespace {

constexpr double max_field_weight = 10.0;
constexpr std::size_t max_list_entries = 500;
constexpr std::size_t max_issue_type_length = 255;
constexpr std::size_t meta_field = 3;

error invalid(const std::string& field, const std::string& what) {
  return make_error(errc::unprocessable, "invalid_settings", field + ": " + what);
}

bool number(const boost::json::value& v, double& out) {
  if (v.is_double()) out = v.get_double();
  else if (v.is_int64()) out = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) out = static_cast<double>(v.get_uint64());
  else return false;
  return std::isfinite(out);
}

bool valid_issue_type(const std::string& t) {
  if (t.empty() || t.size() > max_issue_type_length) return false;
  for (unsigned char c : t)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// A list of distinct strings accepted by ok (order kept, duplicates dropped).
status read_list(const boost::json::value& v, const std::string& field, bool (*ok_fn)(const std::string&),
                 std::vector<std::string>& out) {
  if (!v.is_array()) return invalid(field, "must be an array of strings");
  const auto& a = v.get_array();
  if (a.size() > max_list_entries) return invalid(field, "at most 500 entries");
  std::vector<std::string> list;
  std::set<std::string> seen;
  for (const auto& x : a) {
    if (!x.is_string()) return invalid(field, "must be an array of strings");
    std::string s(x.get_string());
    if (!ok_fn(s)) return invalid(field, "\"" + s.substr(0, 40) + "\" is not valid");
    if (seen.insert(s).second) list.push_back(std::move(s));
  }
  out = std::move(list);
  return ok();
}

status read_weights(const boost::json::value& v, tenant_settings& s) {
  if (!v.is_object()) return invalid("fieldWeights", "must be an object");
  auto& w = s.model.field_weights;
  for (const auto& [key, x] : v.get_object()) {
    double d = 0;
    if (!number(x, d) || d < 0 || d > max_field_weight)
      return invalid("fieldWeights." + std::string(key), "must be a number from 0 to 10");
    if (key == "summary") w[0] = d;
    else if (key == "description") w[1] = d;
    else if (key == "environment") w[2] = d;
    else if (key == "components") s.components_weight = d;
    else if (key == "labels") s.labels_weight = d;
    else if (key == "meta") s.components_weight = s.labels_weight = d;
    else return invalid("fieldWeights." + std::string(key), "unknown field");
  }
  return ok();
}

}  // namespace

boost::json::object to_json(const tenant_settings& s) {
  boost::json::array projects, types;
  for (const auto& p : s.projects) projects.emplace_back(p);
  for (const auto& t : s.issue_types) types.emplace_back(t);
  const auto& w = s.model.field_weights;
  return {
      {"threshold", s.threshold},
      {"fieldWeights",
       {{"summary", w[0]}, {"description", w[1]}, {"environment", w[2]},
        {"components", s.components_weight}, {"labels", s.labels_weight}}},
      {"projects", std::move(projects)},
      {"issueTypes", std::move(types)},
      {"crossProject", s.cross_project},
      {"commentOnCreate", s.comment_on_create},
      {"rescanSchedule", s.rescan_schedule},
      {"model", core::to_json(s.model)},
  };
}

result<tenant_settings> settings_from_json(const boost::json::value& v) {
  if (!v.is_object()) return invalid("settings", "must be a JSON object");
  const auto& o = v.get_object();
  tenant_settings s;
  // model first: fieldWeights, when present, overrides its field weights.
  if (const auto* m = o.if_contains("model")) {
    auto model = core::model_options_from_json(*m);
    if (!model) return invalid("model", model.error().message);
    s.model = *model;
    s.components_weight = s.labels_weight = s.model.field_weights[meta_field];
  }
  for (const auto& [key, x] : o) {
    if (key == "model") continue;
    if (key == "thresholdCurve") continue;  // read-only (GET /api/admin/config): a page may send it back unchanged
    if (key == "threshold") {
      double d = 0;
      if (!number(x, d) || d < 0 || d > 1) return invalid("threshold", "must be a number from 0 to 1");
      s.threshold = d;
    } else if (key == "fieldWeights") {
      if (auto st = read_weights(x, s); !st) return st.error();
    } else if (key == "projects") {
      if (auto st = read_list(x, "projects", [](const std::string& k) { return core::valid_project_key(k); }, s.projects); !st) return st.error();
    } else if (key == "issueTypes") {
      if (auto st = read_list(x, "issueTypes", valid_issue_type, s.issue_types); !st) return st.error();
    } else if (key == "crossProject") {
      if (!x.is_bool()) return invalid("crossProject", "must be true or false");
      s.cross_project = x.get_bool();
    } else if (key == "commentOnCreate") {
      if (!x.is_bool()) return invalid("commentOnCreate", "must be true or false");
      s.comment_on_create = x.get_bool();
    } else if (key == "rescanSchedule") {
      if (!x.is_string() || (x.get_string() != "off" && x.get_string() != "daily" && x.get_string() != "weekly"))
        return invalid("rescanSchedule", "must be off, daily or weekly");
      s.rescan_schedule = std::string(x.get_string());
    } else {
      return invalid(std::string(key).substr(0, 60), "unknown setting");
    }
  }
  s.model.field_weights[meta_field] = (s.components_weight + s.labels_weight) / 2;
  bool any = false;
  for (double w : s.model.field_weights) any = any || w > 0;
  if (!any) return invalid("fieldWeights", "at least one field needs a weight above 0");
  return s;
}

tenant_settings load_settings(store::tx_base& tx, const std::string& tenant_id) {
  auto text = store::read_settings(tx, tenant_id);
  if (!text) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(*text, ec);
  if (ec) {
    log::warn("stored tenant settings are not JSON; using defaults", {{"tenant", tenant_id}});
    return {};
  }
  auto s = settings_from_json(v);
  if (!s) {
    log::warn("stored tenant settings are invalid; using defaults",
              {{"tenant", tenant_id}, {"reason", s.error().message}});
    return {};
  }
  return std::move(s).value();
}

void save_settings(store::write_tx& tx, const std::string& tenant_id, const tenant_settings& s) {
  store::write_settings(tx, tenant_id, boost::json::serialize(to_json(s)));
  schedule_rescan(tx, tenant_id, s.rescan_schedule);
}

core::search_filter filter_for(const tenant_settings& s, const std::string& project, std::size_t limit) {
  core::search_filter f;
  f.threshold = s.threshold;
  f.limit = limit;
  f.issue_types = s.issue_types;
  if (!s.cross_project) f.projects = {project};
  else f.projects = s.projects;
  return f;
}

void schedule_rescan(store::write_tx& tx, const std::string& tenant_id, const std::string& schedule) {
  long delay = schedule == "daily" ? 86400 : schedule == "weekly" ? 7 * 86400 : 0;
  if (delay == 0) return;
  store::enqueue(tx, tenant_id, store::job_kind::rescan, "rescan:scheduled", R"({"scheduled":true})", delay);
}

}  // namespace doppel::service
