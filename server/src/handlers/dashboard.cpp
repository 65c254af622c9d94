// Dashboard API handlers: parse the query → store reads in one transaction → JSON or CSV.
#include "handlers/dashboard.hpp"

#include "auth/forge_token.hpp"

#include "app/jira_access.hpp"
#include "handlers/json_body.hpp"
#include "store/pair_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace doppel::handlers {
namespace {

constexpr std::int64_t max_page = 1000000;
constexpr std::int64_t max_page_size = 100;
constexpr std::size_t max_query_length = 200;
constexpr std::size_t max_key_length = 255;
constexpr std::size_t max_bulk_pairs = 100;
constexpr std::size_t max_csv_rows = 50000;
constexpr int series_days = 90;
constexpr int max_projects = 50;

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

bool valid_project_key(const std::string& k) {
  if (k.empty() || k.size() > max_key_length || k[0] < 'A' || k[0] > 'Z') return false;
  for (char c : k)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool valid_issue_key(const std::string& k) {
  if (k.empty() || k.size() > max_key_length) return false;
  for (unsigned char c : k)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

boost::json::object issue_json(const store::issue_ref& i) {
  return {{"key", i.key}, {"summary", i.summary}, {"project", i.project}, {"status", i.status}};
}

boost::json::object item_json(const store::pair_item& it) {
  return {{"issue", issue_json(it.issue)},
          {"candidate", issue_json(it.candidate)},
          {"score", it.score},
          {"status", it.status},
          {"createdAt", it.created_at}};
}

std::string score_text(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", score);
  return buf;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    line += csv_cell(cells[i]);
  }
  line += "\r\n";
  return line;
}

boost::json::value nullable(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

struct bulk_request {
  std::string action;
  std::vector<std::pair<std::string, std::string>> pairs;  // (issue key, candidate key), distinct
};

result<bulk_request> parse_bulk(std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) return obj.error();
  bulk_request r;
  r.action = string_member(*obj, "action").value_or("");
  if (r.action != "link" && r.action != "dismiss")
    return make_error(errc::bad_request, "invalid_bulk", "action must be \"link\" or \"dismiss\"");
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
    if (!issue || !candidate || !valid_issue_key(*issue) || !valid_issue_key(*candidate) || *issue == *candidate)
      return make_error(errc::bad_request, "invalid_bulk", "each pair needs two different issue keys");
    if (seen.emplace(*issue, *candidate).second) r.pairs.emplace_back(*issue, *candidate);
  }
  return r;
}

}  // namespace

result<pairs_query> parse_pairs_query(const net::request_context& ctx) {
  pairs_query out;
  if (auto s = ctx.query_param("status"); s && !s->empty()) {
    if (*s != "pending" && *s != "confirmed" && *s != "dismissed")
      return bad_filter("status must be pending, confirmed or dismissed");
    out.filter.status = *s;
  }
  if (auto p = ctx.query_param("project"); p && !p->empty()) {
    if (!valid_project_key(*p)) return bad_filter("project is not a Jira project key");
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

std::string csv_cell(std::string_view text) {
  std::string cell;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
                        text[0] == '\r'))
    cell += '\'';
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string build_pairs_csv(pqxx::transaction_base& tx, const std::string& tenant_id, const store::pair_filter& f,
                            std::size_t max_rows, std::size_t page_rows) {
  std::string out = csv_line({"issue_key", "issue_summary", "issue_project", "issue_status", "candidate_key",
                              "candidate_summary", "candidate_project", "candidate_status", "score", "status",
                              "created_at"});
  if (page_rows == 0) page_rows = 1;
  std::size_t written = 0;
  while (written < max_rows) {
    auto limit = std::min(page_rows, max_rows - written);
    auto rows = store::list_pairs(tx, tenant_id, f, std::int64_t(written), std::int64_t(limit));
    for (const auto& it : rows)
      out += csv_line({it.issue.key, it.issue.summary, it.issue.project, it.issue.status, it.candidate.key,
                       it.candidate.summary, it.candidate.project, it.candidate.status, score_text(it.score),
                       it.status, it.created_at});
    written += rows.size();
    if (rows.size() < limit) break;
  }
  return out;
}

boost::json::object status_json(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto b = store::read_backfill(tx, tenant_id);
  auto index = store::read_index_overview(tx, tenant_id);
  std::optional<double> rate, eta;
  if (b.elapsed_seconds > 0 && b.indexed > 0) rate = double(b.indexed) / b.elapsed_seconds;
  if (b.state == "running" && rate && *rate > 0 && b.total)
    eta = double(std::max<std::int64_t>(0, *b.total - b.indexed)) / *rate;
  boost::json::object backfill{
      {"state", b.state.empty() ? "idle" : b.state},
      {"seen", b.seen},
      {"indexed", b.indexed},
      {"total", b.total ? boost::json::value(*b.total) : boost::json::value(nullptr)},
      {"rate", nullable(rate)},
      {"etaSeconds", nullable(eta)},
      {"waiting", b.waiting_for.empty() ? boost::json::value(nullptr)
                                        : boost::json::value(boost::json::object{
                                              {"reason", b.waiting_for},
                                              {"message", auth::backfill_wait_message(b.waiting_for)}})},
  };
  boost::json::object idx{
      {"issues", index.issues},
      {"terms", index.terms},
      {"lastEventAt", index.last_event_at ? boost::json::value(*index.last_event_at) : boost::json::value(nullptr)},
  };
  return {{"backfill", std::move(backfill)}, {"index", std::move(idx)}};
}

boost::json::object summary_json(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto counts = store::count_by_status(tx, tenant_id);
  auto issues = store::live_issue_count(tx, tenant_id);
  auto days = store::daily_series(tx, tenant_id, series_days);
  auto projects = store::by_project(tx, tenant_id, max_projects);
  boost::json::array series;
  bool any = false;
  for (const auto& d : days) any = any || d.found > 0 || d.confirmed > 0;
  if (any)
    for (const auto& d : days) series.push_back({{"date", d.date}, {"found", d.found}, {"confirmed", d.confirmed}});
  boost::json::array by_project;
  for (const auto& p : projects)
    by_project.push_back({{"project", p.project}, {"found", p.found}, {"confirmed", p.confirmed}});
  return {{"headline",
           {{"pending", counts.pending}, {"confirmed", counts.confirmed}, {"dismissed", counts.dismissed},
            {"issues", issues}}},
          {"series", std::move(series)},
          {"byProject", std::move(by_project)}};
}

net::reply api_status(app::app_context& app, app::services&, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto body = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return status_json(tx, who.tenant_id);
  });
  return net::json_reply(net::http::status::ok, boost::json::serialize(body));
}

net::reply list_pairs(app::app_context& app, app::services&, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto q = parse_pairs_query(ctx);
  if (!q) return net::error_reply(q.error());
  auto body = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    auto total = store::count_pairs(tx, who.tenant_id, q->filter);
    auto items = store::list_pairs(tx, who.tenant_id, q->filter, (q->page - 1) * q->page_size, q->page_size);
    boost::json::array arr;
    for (const auto& it : items) arr.push_back(item_json(it));
    return boost::json::object{{"items", std::move(arr)}, {"total", total}, {"page", q->page}, {"pageSize", q->page_size}};
  });
  return net::json_reply(net::http::status::ok, boost::json::serialize(body));
}

net::reply pairs_csv(app::app_context& app, app::services&, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto q = parse_pairs_query(ctx);
  if (!q) return net::error_reply(q.error());
  auto csv = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    return build_pairs_csv(tx, who.tenant_id, q->filter, max_csv_rows);
  });
  net::reply r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(csv);
  r.header("Content-Disposition", "attachment; filename=\"doppel-pairs.csv\"");
  r.header("Cache-Control", "no-store");
  return r;
}

net::reply dashboard_summary(app::app_context& app, app::services&, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto body = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    return summary_json(tx, who.tenant_id);
  });
  return net::json_reply(net::http::status::ok, boost::json::serialize(body));
}

net::reply bulk_pairs(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  auto req = parse_bulk(ctx.req.body());
  if (!req) return net::error_reply(req.error());
  // Resolve every pair first (one read); unknown pairs fail without touching Jira.
  auto found = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<std::optional<store::pair_item>> out;
    out.reserve(req->pairs.size());
    for (const auto& [issue, candidate] : req->pairs)
      out.push_back(store::find_pair_by_keys(tx, who.tenant_id, issue, candidate));
    return out;
  });
  boost::json::array failed;
  auto fail = [&](const std::pair<std::string, std::string>& p, const std::string& code) {
    failed.push_back({{"issue", p.first}, {"candidate", p.second}, {"error", code}});
  };
  std::int64_t done = 0;
  if (req->action == "dismiss") {
    app.pool.with_connection([&](pqxx::connection& c) {
      pqxx::work tx(c);
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (!found[i]) continue;
        store::set_pair_status(tx, who.tenant_id, found[i]->issue.issue_id, found[i]->candidate.issue_id, "dismissed",
                               found[i]->score);
        ++done;
      }
      tx.commit();
    });
    for (std::size_t i = 0; i < found.size(); ++i)
      if (!found[i]) fail(req->pairs[i], "pair_not_found");
  } else {
    std::shared_ptr<jira::jira_client> jira;
    for (std::size_t i = 0; i < found.size(); ++i) {
      const auto& p = found[i];
      if (!p) {
        fail(req->pairs[i], "pair_not_found");
        continue;
      }
      if (p->status != "confirmed") {
        if (!jira) {
          auto client = app::jira_for_tenant(app, svc, who.tenant_id, &who);
          if (!client) return net::error_reply(client.error());
          jira = *client;
        }
        // The newer issue duplicates the older one: inward = older ("is duplicated by"), outward = newer,
        // as the panel's single link does (ties: the pair's own direction).
        bool candidate_newer = p->candidate.created_ms > p->issue.created_ms;
        const auto& newer = candidate_newer ? p->candidate : p->issue;
        const auto& older = candidate_newer ? p->issue : p->candidate;
        if (auto st = jira->link_duplicate(older.key, newer.key); !st) {
          fail(req->pairs[i], st.error().stable_code);
          continue;
        }
      }
      app.pool.with_connection([&](pqxx::connection& c) {
        pqxx::work tx(c);
        store::set_pair_status(tx, who.tenant_id, p->issue.issue_id, p->candidate.issue_id, "confirmed", p->score);
        tx.commit();
      });
      ++done;
    }
  }
  log::info("bulk pair action", {{"tenant", who.tenant_id}, {"action", req->action}, {"done", done},
                                 {"failed", std::int64_t(failed.size())}});
  return net::json_reply(net::http::status::ok,
                         boost::json::serialize(boost::json::object{{"done", done}, {"failed", std::move(failed)}}));
}

}  // namespace doppel::handlers
