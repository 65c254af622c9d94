// Pair action history: recording (with the inventory for personal data reporting) and the viewer's history page.
#include "service/history.hpp"

#include "service/privacy.hpp"
#include "service/tenants.hpp"

#include <boost/json.hpp>

#include <set>

namespace doppel::service {
namespace {

constexpr std::int64_t scan_batch = 200;   // rows read per query while filtering for the viewer
constexpr std::int64_t max_scanned = 2000;  // rows looked at per page at most (then "next" continues)

boost::json::object issue_json(const store::issue_meta& i) {
  return {{"key", i.key}, {"summary", i.summary}, {"project", i.project}, {"status", i.status}};
}

boost::json::object action_json(const store::pair_action_row& a) {
  return {{"id", a.action_id},
          {"action", a.action},
          {"bulk", a.bulk},
          {"by", a.account_id ? boost::json::value(*a.account_id) : boost::json::value(nullptr)},
          {"at", a.acted_at},
          {"issue", issue_json(a.issue)},
          {"candidate", issue_json(a.candidate)}};
}

}  // namespace

void record_pair_action(store::write_tx& tx, const std::string& tenant_id, const std::string& issue_id,
                        const std::string& candidate_id, const std::string& action, bool bulk,
                        const std::string& account_id) {
  if (store::record_pair_action(tx, tenant_id, issue_id, candidate_id, action, bulk, account_id))
    schedule_account_report(tx, tenant_id);
}

std::string actor_text(const std::optional<std::string>& account_id) { return account_id ? *account_id : "erased"; }

result<boost::json::object> pair_history(context& ctx, const caller& who, const history_query& q) {
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  boost::json::array items;
  std::int64_t cursor = q.before, scanned = 0;
  bool more = true;
  while (more && std::int64_t(items.size()) < q.limit && scanned < max_scanned) {
    auto rows = ctx.db.read([&](store::read_tx& tx) {
      return store::list_pair_actions(tx, who.tenant_id, cursor, scan_batch);
    });
    more = std::int64_t(rows.size()) == scan_batch;
    // Both issues of every row, checked at once (cached project grants, one issue-level check for secured ones).
    std::vector<auth::candidate> issues;
    std::set<std::string> seen;
    for (const auto& r : rows)
      for (const auto* m : {&r.issue, &r.candidate})
        if (seen.insert(m->issue_id).second) issues.push_back(candidate_of(*m));
    auto allowed = browsable_candidates(*ctx.permissions, vc->viewer, issues, vc->check);
    if (!allowed) return allowed.error();
    std::set<std::string> may;
    for (const auto& c : *allowed) may.insert(c.issue_id);
    for (const auto& r : rows) {
      cursor = r.action_id;
      ++scanned;
      if (may.count(r.issue.issue_id) && may.count(r.candidate.issue_id)) items.push_back(action_json(r));
      if (std::int64_t(items.size()) == q.limit) {
        more = more || &r != &rows.back();
        break;
      }
    }
  }
  return boost::json::object{{"items", std::move(items)},
                             {"next", more ? boost::json::value(cursor) : boost::json::value(nullptr)}};
}

}  // namespace doppel::service
