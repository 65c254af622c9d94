// Dashboard use-cases: backfill/index status, the review queue page, its CSV export, the summary charts.
#include "service/dashboard.hpp"

#include "auth/forge_token.hpp"
#include "service/history.hpp"
#include "service/tenants.hpp"
#include "store/history_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <map>

namespace doppel::service {
namespace {

constexpr std::size_t max_csv_rows = 50000;
constexpr int series_days = 90;
constexpr int max_projects = 50;

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

// The history columns of the CSV (last action, by whom, when) for a page of pairs: one query per page.
using last_action_map = std::map<std::pair<std::string, std::string>, store::last_action>;
last_action_map last_actions_of(store::tx_base& tx, const std::string& tenant_id, const std::vector<store::pair_item>& rows) {
  std::vector<std::pair<std::string, std::string>> ids;
  ids.reserve(rows.size());
  for (const auto& it : rows) ids.emplace_back(it.issue.issue_id, it.candidate.issue_id);
  return store::last_pair_actions(tx, tenant_id, ids);
}

void append_last_action(std::vector<std::string>& cells, const last_action_map& last, const store::pair_item& it) {
  auto a = last.find({it.issue.issue_id, it.candidate.issue_id});
  if (a == last.end()) {
    cells.insert(cells.end(), {"", "", ""});
    return;
  }
  cells.insert(cells.end(), {a->second.action, actor_text(a->second.account_id), a->second.acted_at});
}

boost::json::value nullable(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

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

std::string build_pairs_csv(store::tx_base& tx, const std::string& tenant_id, const store::pair_filter& f,
                            const store::visible_issues& visible, std::size_t max_rows, std::size_t page_rows) {
  std::string out = csv_line({"issue_key", "issue_summary", "issue_project", "issue_status", "candidate_key",
                              "candidate_summary", "candidate_project", "candidate_status", "score", "status",
                              "created_at", "last_action", "last_action_by", "last_action_at"});
  if (page_rows == 0) page_rows = 1;
  std::size_t written = 0;
  while (written < max_rows) {
    auto limit = std::min(page_rows, max_rows - written);
    auto rows = store::list_pairs(tx, tenant_id, f, visible, std::int64_t(written), std::int64_t(limit));
    const auto last = last_actions_of(tx, tenant_id, rows);
    for (const auto& it : rows) {
      auto cells = std::vector<std::string>{it.issue.key, it.issue.summary, it.issue.project, it.issue.status,
                                            it.candidate.key, it.candidate.summary, it.candidate.project,
                                            it.candidate.status, score_text(it.score), it.status, it.created_at};
      append_last_action(cells, last, it);
      out += csv_line(cells);
    }
    written += rows.size();
    if (rows.size() < limit) break;
  }
  return out;
}

boost::json::object status_json(store::tx_base& tx, const std::string& tenant_id) {
  auto b = store::read_backfill(tx, tenant_id);
  auto index = store::read_index_overview(tx, tenant_id);
  std::optional<double> rate, eta;
  // Progress is issues read from Jira (seen): a re-run over issues already indexed indexes none of them anew.
  if (b.elapsed_seconds > 0 && b.seen > 0) rate = double(b.seen) / b.elapsed_seconds;
  if (b.state == "running" && rate && *rate > 0 && b.total)
    eta = double(std::max<std::int64_t>(0, *b.total - b.seen)) / *rate;
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

boost::json::object summary_json(store::tx_base& tx, const std::string& tenant_id, const store::visible_issues& visible) {
  auto counts = store::count_by_status(tx, tenant_id, visible);
  auto issues = store::count_visible_issues(tx, tenant_id, visible);
  auto days = store::daily_series(tx, tenant_id, series_days, visible);
  auto projects = store::by_project(tx, tenant_id, max_projects, visible);
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

result<viewer_scope> scope_for(context& ctx, const caller& who) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  auto in = ctx.db.read(
      [&](store::read_tx& tx) { return store::read_visibility_inputs(tx, who.tenant_id, max_issue_checks + 1); });
  viewer_scope scope;
  if (std::int64_t(in.issue_ids.size()) > max_issue_checks) {
    scope.partial = true;
    in.issue_ids.resize(std::size_t(max_issue_checks));
    log::warn("dashboard: more issues need an issue-level permission check than one request makes; the rest are hidden",
              {{"tenant", who.tenant_id}, {"checked", max_issue_checks}});
  }
  auto visible = visible_issues_for(*ctx.permissions, vc->viewer, in, vc->check);
  if (!visible) return visible.error();
  scope.visible = std::move(*visible);
  return scope;
}

result<boost::json::object> status(context& ctx, const caller& who) {
  if (auto viewer = viewer_of(who); !viewer) return viewer.error();
  return ctx.db.read([&](store::read_tx& tx) { return status_json(tx, who.tenant_id); });
}

result<boost::json::object> pairs_page(context& ctx, const caller& who, const pairs_query& q) {
  auto scope = scope_for(ctx, who);
  if (!scope) return scope.error();
  return ctx.db.snapshot([&](store::snapshot_tx& tx) {
    auto total = store::count_pairs(tx, who.tenant_id, q.filter, scope->visible);
    auto items = store::list_pairs(tx, who.tenant_id, q.filter, scope->visible, (q.page - 1) * q.page_size, q.page_size);
    boost::json::array arr;
    for (const auto& it : items) arr.push_back(item_json(it));
    return boost::json::object{{"items", std::move(arr)}, {"total", total},           {"page", q.page},
                               {"pageSize", q.page_size}, {"partial", scope->partial}};
  });
}

result<std::string> pairs_csv(context& ctx, const caller& who, const store::pair_filter& f) {
  auto scope = scope_for(ctx, who);
  if (!scope) return scope.error();
  return ctx.db.snapshot(
      [&](store::snapshot_tx& tx) { return build_pairs_csv(tx, who.tenant_id, f, scope->visible, max_csv_rows); });
}

result<boost::json::object> summary(context& ctx, const caller& who) {
  auto scope = scope_for(ctx, who);
  if (!scope) return scope.error();
  auto body = ctx.db.snapshot([&](store::snapshot_tx& tx) { return summary_json(tx, who.tenant_id, scope->visible); });
  body["partial"] = scope->partial;
  return body;
}

}  // namespace doppel::service
