// Panel API: validate → search the tenant's memory index (or fetch a not-yet-indexed issue) → JSON.
#include "handlers/panel_api.hpp"

#include "app/jira_access.hpp"
#include "app/job_processors.hpp"
#include "app/tenant_settings.hpp"
#include "core/analyzer.hpp"
#include "core/issue_document.hpp"
#include "handlers/json_body.hpp"
#include "store/index_store.hpp"
#include "jobs/job_queue.hpp"
#include "store/pair_store.hpp"
#include "store/tenant_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace doppel::handlers {
namespace {

constexpr std::size_t default_limit = 10, max_limit = 50;

core::tokenizer& thread_tokenizer() {
  thread_local core::tokenizer tok;
  return tok;
}

result<std::size_t> parse_limit(const net::request_context& ctx) {
  auto v = ctx.query_param("limit");
  if (!v) return default_limit;
  if (v->empty() || v->size() > 3 || !std::all_of(v->begin(), v->end(), ::isdigit))
    return make_error(errc::bad_request, "invalid_limit", "limit must be an integer from 1 to 50");
  auto n = std::size_t(std::stoul(*v));
  if (n < 1 || n > max_limit) return make_error(errc::bad_request, "invalid_limit", "limit must be an integer from 1 to 50");
  return n;
}

struct tenant_view {
  app::tenant_settings settings;
  std::string browse_base;  // display URL (or base URL) for issue links
};

tenant_view read_tenant_view(pqxx::transaction_base& tx, const net::caller& who) {
  tenant_view v;
  v.settings = app::load_settings(tx, who.tenant_id);
  auto t = store::find_tenant(tx, who.tenant_id);
  if (t) v.browse_base = !t->display_url.empty() ? t->display_url : t->base_url;
  if (who.forge && !who.forge_site_url.empty()) v.browse_base = who.forge_site_url;
  return v;
}

tenant_view load_tenant_view(app::app_context& app, const net::caller& who) {
  return app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return read_tenant_view(tx, who);
  });
}

// The review status of the pair (issue_id, candidate_id) in either direction; "pending" when none is stored.
std::string pair_status(const std::vector<store::pair_row>& pairs, const std::string& issue_id,
                        const std::string& candidate_id) {
  std::string status = "pending";
  for (const auto& p : pairs)
    if ((p.issue_id == issue_id && p.candidate_id == candidate_id) || (p.candidate_id == issue_id && p.issue_id == candidate_id))
      status = p.status;
  return status;
}

// Candidates JSON with metadata, the explaining terms and the stored review status (`pairs`: the issue's pairs).
boost::json::array render_hits(app::app_context& app, const std::string& tenant_id, const std::string& issue_id,
                               const std::vector<core::search_hit>& hits, const std::vector<store::pair_row>& pairs,
                               const std::string& browse_base) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.issue_id);
  auto metas = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store::find_issues_by_ids(tx, tenant_id, ids);
  });
  boost::json::array out;
  for (const auto& h : hits) {
    auto meta = std::find_if(metas.begin(), metas.end(), [&](const auto& m) { return m.issue_id == h.issue_id; });
    if (meta == metas.end()) continue;  // deleted since the search
    boost::json::array terms;
    for (const auto& t : h.terms) terms.emplace_back(t.term);
    out.push_back(boost::json::object{{"key", meta->key},
                                      {"summary", meta->summary},
                                      {"project", meta->project},
                                      {"status", meta->status},
                                      {"issueType", meta->issue_type},
                                      {"score", std::min(1.0, h.score)},
                                      {"url", browse_base.empty() ? "" : browse_base + "/browse/" + meta->key},
                                      {"terms", std::move(terms)},
                                      {"pairStatus", pair_status(pairs, issue_id, h.issue_id)}});
  }
  return out;
}

// An issue Jira has but our index does not yet (created a moment ago): fetch and query with its text.
result<core::indexed_document> fetch_unindexed(app::app_context& app, app::services& svc, const net::caller& who,
                                               const std::string& key) {
  auto client = app::jira_for_tenant(app, svc, who.tenant_id, &who);
  if (!client) return client.error();
  auto issue = (*client)->get_issue(key, {"summary", "description", "environment", "labels", "components",
                                          "issuetype", "status", "project", "security", "created", "updated"});
  if (!issue) return issue.error();
  auto doc = core::parse_issue_json(boost::json::serialize(*issue));
  if (!doc) return doc.error();
  return core::make_indexed_document(*doc, thread_tokenizer());
}

struct pair_keys {
  store::issue_meta issue, candidate;
};

result<pair_keys> resolve_pair(app::app_context& app, const net::request_context& ctx) {
  auto ik = std::string(ctx.param("issueKey")), ck = std::string(ctx.param("candidateKey"));
  if (!valid_issue_key(ik) || !valid_issue_key(ck) || ik == ck)
    return make_error(errc::bad_request, "invalid_issue_key", "Two different valid issue keys are required");
  const auto& who = ctx.caller_or_throw();
  auto found = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return std::make_pair(store::find_issue_by_key(tx, who.tenant_id, ik), store::find_issue_by_key(tx, who.tenant_id, ck));
  });
  if (!found.first || !found.second) return make_error(errc::not_found, "issue_not_found", "Issue not indexed for this site");
  return pair_keys{*found.first, *found.second};
}

// The issue's pending count changed: its panel status property is rewritten by the publish_flags job, with the
// tenant's credential (Connect JWT, or the Forge app system token this call or a later one brought).
void queue_flags(pqxx::work& tx, const std::string& tenant_id, const store::issue_meta& issue) {
  boost::json::object p{{"issueId", issue.issue_id}, {"issueKey", issue.key}, {"refresh", true}};
  jobs::enqueue(tx, tenant_id, jobs::job_kind::publish_flags, "flags:" + issue.issue_id, boost::json::serialize(p));
}

net::reply set_status(app::app_context& app, app::services& svc, net::request_context& ctx, const char* status) {
  auto pair = resolve_pair(app, ctx);
  if (!pair) return net::error_reply(pair.error());
  const auto& who = ctx.caller_or_throw();
  app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    store::set_pair_status(tx, who.tenant_id, pair->issue.issue_id, pair->candidate.issue_id, status, 0.0);
    queue_flags(tx, who.tenant_id, pair->issue);
    tx.commit();
  });
  if (svc.workers) svc.workers->nudge();
  return net::json_reply(net::http::status::ok, boost::json::serialize(boost::json::object{{"status", status}}));
}

}  // namespace

bool valid_issue_key(std::string_view key) {
  auto dash = key.rfind('-');
  if (key.size() > 255 || dash == std::string_view::npos || dash == 0 || dash + 1 >= key.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(key[0]))) return false;
  for (std::size_t i = 0; i < dash; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (!std::isalnum(c) && c != '_') return false;
  }
  for (std::size_t i = dash + 1; i < key.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(key[i]))) return false;
  return true;
}

net::reply similar_for_issue(app::app_context& app, app::services& svc, net::request_context& ctx) {
  auto key = std::string(ctx.param("issueKey"));
  if (!valid_issue_key(key)) return net::error_reply(errc::bad_request, "invalid_issue_key", "Not a Jira issue key");
  auto limit = parse_limit(ctx);
  if (!limit) return net::error_reply(limit.error());
  const auto& who = ctx.caller_or_throw();
  // Everything read before the search, in one read transaction: settings, site URL, the issue, its pairs.
  struct before_search {
    tenant_view view;
    std::optional<store::issue_meta> meta;
    std::vector<store::pair_row> pairs;
  };
  auto known = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    before_search b{read_tenant_view(tx, who), store::find_issue_by_key(tx, who.tenant_id, key), {}};
    if (b.meta) b.pairs = store::pairs_for(tx, who.tenant_id, b.meta->issue_id);
    return b;
  });
  const auto& view = known.view;
  std::vector<core::search_hit> hits;
  std::string issue_id;
  bool indexed = known.meta.has_value();
  if (known.meta) {
    issue_id = known.meta->issue_id;
    auto filter = app::filter_for(view.settings, known.meta->project, *limit);
    filter.exclude_issue_ids = store::dismissed_among(known.pairs, issue_id);
    hits = svc.index->search_issue(who.tenant_id, issue_id, filter);
  } else {
    auto doc = fetch_unindexed(app, svc, who, key);
    if (!doc) {
      if (doc.error().code == errc::not_found || doc.error().code == errc::unavailable)
        return net::error_reply(errc::not_found, "issue_not_found", "Issue not found in this site's index or Jira");
      return net::error_reply(doc.error());
    }
    issue_id = doc->issue_id;
    auto filter = app::filter_for(view.settings, doc->project, *limit);
    filter.exclude_issue_ids.insert(issue_id);
    hits = svc.index->search(who.tenant_id, core::query{doc->analysis, doc->project, doc->components, doc->created_ms},
                             filter);
  }
  boost::json::object out{{"issue", key},
                          {"indexed", indexed},
                          {"candidates", render_hits(app, who.tenant_id, issue_id, hits, known.pairs, view.browse_base)}};
  return net::json_reply(net::http::status::ok, boost::json::serialize(out));
}

net::reply similar_for_draft(app::app_context& app, app::services& svc, net::request_context& ctx) {
  auto body = parse_object(ctx.req.body());
  if (!body) return net::error_reply(body.error());
  auto summary = string_member(*body, "summary").value_or("");
  auto description = string_member(*body, "description").value_or("");
  auto project = string_member(*body, "projectKey").value_or("");
  auto issue_type = string_member(*body, "issueType").value_or("");
  if (summary.empty() && description.empty())
    return net::error_reply(errc::bad_request, "empty_draft", "summary or description is required");
  if (summary.size() > 4096 || project.size() > 255 || issue_type.size() > 255)
    return net::error_reply(errc::bad_request, "draft_too_large", "summary, projectKey or issueType too long");
  auto limit = parse_limit(ctx);
  if (!limit) return net::error_reply(limit.error());
  const auto& who = ctx.caller_or_throw();
  auto view = load_tenant_view(app, who);
  auto filter = app::filter_for(view.settings, project, *limit);
  core::query q{core::analyze_draft(summary, description, thread_tokenizer()), project, {}, 0};
  auto hits = svc.index->search(who.tenant_id, q, filter);
  boost::json::object out{{"issue", nullptr}, {"candidates", render_hits(app, who.tenant_id, "", hits, {}, view.browse_base)}};
  return net::json_reply(net::http::status::ok, boost::json::serialize(out));
}

net::reply link_pair(app::app_context& app, app::services& svc, net::request_context& ctx) {
  auto pair = resolve_pair(app, ctx);
  if (!pair) return net::error_reply(pair.error());
  const auto& who = ctx.caller_or_throw();
  auto client = app::jira_for_tenant(app, svc, who.tenant_id, &who);
  if (!client) return net::error_reply(client.error());
  // "issue duplicates candidate": the issue being looked at is the duplicate of the (older) candidate.
  auto linked = (*client)->link_duplicate(pair->candidate.key, pair->issue.key);
  if (!linked) return net::error_reply(linked.error());
  app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    store::set_pair_status(tx, who.tenant_id, pair->issue.issue_id, pair->candidate.issue_id, "confirmed", 0.0);
    queue_flags(tx, who.tenant_id, pair->issue);
    tx.commit();
  });
  if (svc.workers) svc.workers->nudge();
  return net::json_reply(net::http::status::ok, R"({"status":"confirmed"})");
}

net::reply dismiss_pair(app::app_context& app, app::services& svc, net::request_context& ctx) {
  return set_status(app, svc, ctx, "dismissed");
}

net::reply restore_pair(app::app_context& app, app::services& svc, net::request_context& ctx) {
  return set_status(app, svc, ctx, "pending");
}

}  // namespace doppel::handlers
