// Jira issue JSON (REST v2/v3, webhook envelope) to issue_document, parsed with simdjson.
#include "core/issue_document.hpp"

#include <simdjson.h>

#include <charconv>

#include "core/adf_walk.hpp"
#include "core/markup.hpp"

namespace doppel::core {
namespace {

constexpr std::size_t max_json_depth = 4096;

std::string_view str(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e.is_object() && e[key].get_string().get(v) == simdjson::SUCCESS) return v;
  return {};
}

// "fields.project.key"-style lookups: the named child object's string member.
std::string_view child_str(simdjson::dom::element e, const char* child, const char* key) {
  simdjson::dom::element c;
  if (e.is_object() && e[child].get(c) == simdjson::SUCCESS) return str(c, key);
  return {};
}

// A field that is either wiki markup (v2 string) or an ADF document (v3 object).
std::string rich_text(simdjson::dom::element fields, const char* key) {
  simdjson::dom::element v;
  if (fields[key].get(v) != simdjson::SUCCESS) return {};
  if (v.is_string()) return wiki_to_text(std::string_view(v.get_string()));
  if (v.is_object()) {
    std::string out;
    detail::adf_append_text(v, out, 0, adf_max_depth);
    return out;
  }
  return {};
}

std::vector<std::string> name_list(simdjson::dom::element fields, const char* key, bool objects) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (fields[key].get_array().get(arr) != simdjson::SUCCESS) return out;
  for (auto item : arr) {
    std::string_view v = objects ? str(item, "name") : std::string_view{};
    if (!objects && item.is_string()) v = item.get_string();
    if (!v.empty()) out.emplace_back(v);
  }
  return out;
}

// An id member that Jira sends as a string (REST) or, in some payloads, as a number.
std::string id_member(simdjson::dom::element e) {
  simdjson::dom::element id;
  if (!e.is_object() || e["id"].get(id) != simdjson::SUCCESS) return {};
  if (id.is_string()) return std::string(id.get_string().value());
  if (id.is_int64()) return std::to_string(id.get_int64().value());
  if (id.is_uint64()) return std::to_string(id.get_uint64().value());
  return {};
}

// fields.security: null = known, no level; {id, ...} = known, that level; absent or anything else = not known.
void read_security(simdjson::dom::element fields, issue_document& doc) {
  simdjson::dom::element sec;
  if (fields["security"].get(sec) != simdjson::SUCCESS) return;
  if (sec.is_null()) {
    doc.security_known = true;
    return;
  }
  auto id = id_member(sec);
  if (id.empty()) return;
  doc.security_known = true;
  doc.security_level_id = std::move(id);
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc{} && p == s.data() + pos + n;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

}  // namespace

bool parse_jira_time(std::string_view s, std::int64_t& out_ms) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
    return false;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 9 || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi) ||
        s[pos + 6] != ':' || !digits(s, pos + 7, 2, se))
      return false;
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      std::size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      int scale = 100;
      for (std::size_t k = start; k < pos && k < start + 3; ++k, scale /= 10) ms += (s[k] - '0') * scale;
    }
  }
  std::int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh)) return false;
    std::size_t mpos = pos + 3 + (pos + 3 < s.size() && s[pos + 3] == ':');
    if (mpos < s.size() && !digits(s, mpos, 2, om)) return false;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  }
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_min * 60;
  out_ms = secs * 1000 + ms;
  return true;
}

result<issue_document> parse_issue_json(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  if (parser.max_depth() < max_json_depth || parser.capacity() < json.size()) {
    if (parser.allocate(std::max<std::size_t>(json.size(), parser.capacity()), max_json_depth) != simdjson::SUCCESS)
      return make_error(errc::payload_too_large, "issue_too_large", "issue JSON too large to parse");
  }
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS || !root.is_object())
    return make_error(errc::bad_request, "invalid_issue_json", "issue is not a valid JSON object");
  simdjson::dom::element issue = root;
  simdjson::dom::element inner;
  if (root["issue"].get(inner) == simdjson::SUCCESS && inner.is_object()) issue = inner;

  issue_document doc;
  doc.key = std::string(str(issue, "key"));
  doc.issue_id = id_member(issue);
  if (doc.key.empty() || doc.issue_id.empty())
    return make_error(errc::bad_request, "issue_missing_id", "issue has no id or key");
  simdjson::dom::element fields;
  if (issue["fields"].get(fields) != simdjson::SUCCESS || !fields.is_object()) return doc;
  doc.summary = std::string(str(fields, "summary"));
  doc.description = rich_text(fields, "description");
  doc.environment = rich_text(fields, "environment");
  doc.project = std::string(child_str(fields, "project", "key"));
  if (simdjson::dom::element project; fields["project"].get(project) == simdjson::SUCCESS) doc.project_id = id_member(project);
  read_security(fields, doc);
  doc.issue_type = std::string(child_str(fields, "issuetype", "name"));
  doc.status = std::string(child_str(fields, "status", "name"));
  doc.components = name_list(fields, "components", true);
  doc.labels = name_list(fields, "labels", false);
  parse_jira_time(str(fields, "created"), doc.created_ms);
  parse_jira_time(str(fields, "updated"), doc.updated_ms);
  if (doc.project.empty()) {
    auto dash = doc.key.rfind('-');
    if (dash != std::string::npos) doc.project = doc.key.substr(0, dash);
  }
  return doc;
}

}  // namespace doppel::core
