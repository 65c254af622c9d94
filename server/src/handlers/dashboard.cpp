// Dashboard API handlers: parse the query → one dashboard or pairs use-case → JSON or CSV.
#include "handlers/dashboard.hpp"

#include "core/issue_key.hpp"
#include "handlers/json_body.hpp"
#include "service/history.hpp"
#include "service/pairs.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <set>
#include <utility>

namespace doppel::handlers {
namespace {

constexpr std::int64_t max_page = 1000000;
constexpr std::int64_t max_page_size = 100;
constexpr std::size_t max_query_length = 200;
constexpr std::size_t max_bulk_pairs = 100;

error bad_filter(const std::string& what) { return make_error(errc::bad_request, "invalid_filter", what); }

bool parse_int(const std::string& s, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_score(const std::string& s, double& out) {
  if (s.empty() || s.size() > 32) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !(v >= 0 && v <= 1)) return false;
  out = v;
  return true;
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

struct bulk_request {
  service::pair_action action = service::pair_action::dismiss;
  std::vector<std::pair<std::string, std::string>> pairs;  // (issue key, candidate key), distinct
};

result<bulk_request> parse_bulk(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) return obj.error();
  bulk_request r;
  auto action = string_member(*obj, "action").value_or("");
  if (action != "link" && action != "dismiss")
    return make_error(errc::bad_request, "invalid_bulk", "action must be \"link\" or \"dismiss\"");
  r.action = action == "link" ? service::pair_action::link : service::pair_action::dismiss;
  for (const auto& [k, v] : *obj)
    if (k != "action" && k != "pairs") return make_error(errc::bad_request, "invalid_bulk", "unknown member");
  const auto* pairs = obj->if_contains("pairs");
  if (!pairs || !pairs->is_array())
    return make_error(errc::bad_request, "invalid_bulk", "pairs must be an array of {issue, candidate}");
  if (pairs->get_array().size() > max_bulk_pairs)
    return make_error(errc::unprocessable, "too_many_pairs", "At most 100 pairs per call");
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& p : pairs->get_array()) {
    if (!p.is_object()) return make_error(errc::bad_request, "invalid_bulk", "pairs must be an array of {issue, candidate}");
    auto issue = string_member(p.get_object(), "issue");
    auto candidate = string_member(p.get_object(), "candidate");
    if (!issue || !candidate)
      return make_error(errc::bad_request, "invalid_bulk", "each pair needs two different issue keys");
    if (seen.emplace(*issue, *candidate).second) r.pairs.emplace_back(*issue, *candidate);
  }
  return r;
}

}  // namespace

result<service::pairs_query> parse_pairs_query(const net::request_context& ctx) {
  service::pairs_query out;
  if (auto s = ctx.query_param("status"); s && !s->empty()) {
    if (*s != "pending" && *s != "confirmed" && *s != "dismissed")
      return bad_filter("status must be pending, confirmed or dismissed");
    out.filter.status = *s;
  }
  if (auto p = ctx.query_param("project"); p && !p->empty()) {
    if (!core::valid_project_key(*p)) return bad_filter("project is not a Jira project key");
    out.filter.project = *p;
  }
  if (auto q = ctx.query_param("q"); q && !q->empty()) {
    if (q->size() > max_query_length || has_control(*q)) return bad_filter("q must be at most 200 characters");
    out.filter.q = *q;
  }
  if (auto m = ctx.query_param("minScore"); m && !m->empty()) {
    if (!parse_score(*m, out.filter.min_score)) return bad_filter("minScore must be a number from 0 to 1");
  }
  if (auto p = ctx.query_param("page"); p && !p->empty()) {
    if (!parse_int(*p, 1, max_page, out.page)) return bad_filter("page must be a whole number from 1");
  }
  if (auto p = ctx.query_param("pageSize"); p && !p->empty()) {
    if (!parse_int(*p, 1, max_page_size, out.page_size)) return bad_filter("pageSize must be from 1 to 100");
  }
  return out;
}

net::reply api_status(env& e, net::request_context& ctx) {
  auto body = service::status(e.svc, ctx.caller_or_throw());
  if (!body) return net::error_reply(body.error());
  return net::json_reply(net::http::status::ok, boost::json::serialize(*body));
}

net::reply list_pairs(env& e, net::request_context& ctx) {
  auto q = parse_pairs_query(ctx);
  if (!q) return net::error_reply(q.error());
  auto body = service::pairs_page(e.svc, ctx.caller_or_throw(), *q);
  if (!body) return net::error_reply(body.error());
  return net::json_reply(net::http::status::ok, boost::json::serialize(*body));
}

net::reply pairs_csv(env& e, net::request_context& ctx) {
  auto q = parse_pairs_query(ctx);
  if (!q) return net::error_reply(q.error());
  auto csv = service::pairs_csv(e.svc, ctx.caller_or_throw(), q->filter);
  if (!csv) return net::error_reply(csv.error());
  net::reply r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(*csv);
  r.header("Content-Disposition", "attachment; filename=\"doppel-pairs.csv\"");
  r.header("Cache-Control", "no-store");
  return r;
}

net::reply dashboard_summary(env& e, net::request_context& ctx) {
  auto body = service::summary(e.svc, ctx.caller_or_throw());
  if (!body) return net::error_reply(body.error());
  return net::json_reply(net::http::status::ok, boost::json::serialize(*body));
}

net::reply pair_history(env& e, net::request_context& ctx) {
  service::history_query q;
  if (auto b = ctx.query_param("before"); b && !b->empty() && !parse_int(*b, 1, std::int64_t(1) << 53, q.before))
    return net::error_reply(bad_filter("before must be a history cursor (a whole number from 1)"));
  if (auto l = ctx.query_param("limit"); l && !l->empty() && !parse_int(*l, 1, max_page_size, q.limit))
    return net::error_reply(bad_filter("limit must be from 1 to 100"));
  auto body = service::pair_history(e.svc, ctx.caller_or_throw(), q);
  if (!body) return net::error_reply(body.error());
  return net::json_reply(net::http::status::ok, boost::json::serialize(*body));
}

net::reply bulk_pairs(env& e, net::request_context& ctx) {
  auto req = parse_bulk(ctx.req.body());
  if (!req) return net::error_reply(req.error());
  auto outcome = service::decide_pairs(e.svc, ctx.caller_or_throw(), req->action, req->pairs);
  if (!outcome) return net::error_reply(outcome.error());
  boost::json::array failed;
  for (const auto& f : outcome->failed) failed.push_back({{"issue", f.issue}, {"candidate", f.candidate}, {"error", f.error}});
  return net::json_reply(net::http::status::ok, boost::json::serialize(boost::json::object{
                                                    {"done", outcome->done}, {"failed", std::move(failed)}}));
}

}  // namespace doppel::handlers
