// Panel API: read the request → one similar or pairs use-case → JSON.
#include "handlers/panel_api.hpp"

#include "core/issue_key.hpp"
#include "handlers/json_body.hpp"
#include "service/pairs.hpp"
#include "service/similar.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace doppel::handlers {
namespace {

constexpr std::size_t default_limit = 10, max_limit = 50;

result<std::size_t> parse_limit(const net::request_context& ctx) {
  auto v = ctx.query_param("limit");
  if (!v) return default_limit;
  if (v->empty() || v->size() > 3 || !std::all_of(v->begin(), v->end(), ::isdigit))
    return make_error(errc::bad_request, "invalid_limit", "limit must be an integer from 1 to 50");
  auto n = std::size_t(std::stoul(*v));
  if (n < 1 || n > max_limit) return make_error(errc::bad_request, "invalid_limit", "limit must be an integer from 1 to 50");
  return n;
}

boost::json::array candidates_json(const std::vector<service::similar_candidate>& candidates) {
  boost::json::array out;
  for (const auto& c : candidates) {
    boost::json::array terms;
    for (const auto& t : c.terms) terms.emplace_back(t);
    out.push_back(boost::json::object{{"key", c.key},
                                      {"summary", c.summary},
                                      {"project", c.project},
                                      {"status", c.status},
                                      {"issueType", c.issue_type},
                                      {"score", c.score},
                                      {"likelihood", c.likelihood},
                                      {"tier", c.tier},
                                      {"url", c.url},
                                      {"terms", std::move(terms)},
                                      {"pairStatus", c.pair_status}});
  }
  return out;
}

net::reply decide(env& e, net::request_context& ctx, service::pair_action action) {
  auto status = service::decide_pair(e.svc, ctx.caller_or_throw(), std::string(ctx.param("issueKey")),
                                     std::string(ctx.param("candidateKey")), action);
  if (!status) return net::error_reply(status.error());
  return net::json_reply(net::http::status::ok, boost::json::serialize(boost::json::object{{"status", *status}}));
}

}  // namespace

net::reply similar_for_issue(env& e, net::request_context& ctx) {
  auto key = std::string(ctx.param("issueKey"));
  if (!core::valid_issue_key(key)) return net::error_reply(errc::bad_request, "invalid_issue_key", "Not a Jira issue key");
  auto limit = parse_limit(ctx);
  if (!limit) return net::error_reply(limit.error());
  auto answer = service::similar_for_issue(e.svc, ctx.caller_or_throw(), key, *limit);
  if (!answer) return net::error_reply(answer.error());
  boost::json::object out{{"issue", key}, {"indexed", answer->indexed}, {"candidates", candidates_json(answer->candidates)}};
  return net::json_reply(net::http::status::ok, boost::json::serialize(out));
}

net::reply similar_for_draft(env& e, net::request_context& ctx) {
  auto body = parse_object(ctx.req.body());
  if (!body) return net::error_reply(body.error());
  service::draft d{string_member(*body, "summary").value_or(""), string_member(*body, "description").value_or(""),
                   string_member(*body, "projectKey").value_or(""), string_member(*body, "issueType").value_or("")};
  if (d.summary.empty() && d.description.empty())
    return net::error_reply(errc::bad_request, "empty_draft", "summary or description is required");
  if (d.summary.size() > 4096 || d.project_key.size() > 255 || d.issue_type.size() > 255)
    return net::error_reply(errc::bad_request, "draft_too_large", "summary, projectKey or issueType too long");
  auto limit = parse_limit(ctx);
  if (!limit) return net::error_reply(limit.error());
  auto answer = service::similar_for_draft(e.svc, ctx.caller_or_throw(), d, *limit);
  if (!answer) return net::error_reply(answer.error());
  boost::json::object out{{"issue", nullptr}, {"candidates", candidates_json(answer->candidates)}};
  return net::json_reply(net::http::status::ok, boost::json::serialize(out));
}

net::reply link_pair(env& e, net::request_context& ctx) { return decide(e, ctx, service::pair_action::link); }
net::reply dismiss_pair(env& e, net::request_context& ctx) { return decide(e, ctx, service::pair_action::dismiss); }
net::reply restore_pair(env& e, net::request_context& ctx) { return decide(e, ctx, service::pair_action::restore); }

}  // namespace doppel::handlers
