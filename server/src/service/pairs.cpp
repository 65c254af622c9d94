// Pair decisions: the link direction rule, the status change rule (badge refresh queued with it), panel and bulk.
#include "service/pairs.hpp"

#include "core/issue_key.hpp"
#include "service/flags.hpp"
#include "service/history.hpp"
#include "service/permissions.hpp"
#include "service/settings.hpp"
#include "service/suggestions.hpp"
#include "service/tenants.hpp"
#include "store/dashboard_store.hpp"
#include "store/index_store.hpp"
#include "store/pair_store.hpp"
#include "util/log.hpp"

#include <optional>

namespace doppel::service {
namespace {

const char* status_of(pair_action a) {
  switch (a) {
    case pair_action::link: return "confirmed";
    case pair_action::dismiss: return "dismissed";
    case pair_action::restore: return "pending";
  }
  return "pending";
}

const char* name_of(pair_action a) {
  switch (a) {
    case pair_action::link: return "link";
    case pair_action::dismiss: return "dismiss";
    case pair_action::restore: return "restore";
  }
  return "restore";
}

pair_permission permission_for(pair_action a) { return a == pair_action::link ? pair_permission::link : pair_permission::review; }

struct pair_side {
  std::string issue_id, key;
};

// Who made a change, and from where (the review queue's bulk action or one pair).
struct decided_by {
  const auth::viewer& viewer;
  bool bulk = false;
};

// The one status change: the pair's row (created with score_if_new when never stored; a stored score is kept), the
// action in the pair's history (who, what, when), and the badge refresh of the pair's issue, whose pending count
// it changes.
void change_status(store::write_tx& tx, const decided_by& by, const pair_side& issue, const pair_side& candidate,
                   pair_action action, double score_if_new) {
  const auto& tenant_id = by.viewer.tenant_id();
  store::set_pair_status(tx, tenant_id, issue.issue_id, candidate.issue_id, status_of(action), score_if_new);
  record_pair_action(tx, tenant_id, issue.issue_id, candidate.issue_id, name_of(action), by.bulk,
                     by.viewer.account_id());
  queue_flags(tx, tenant_id, issue.issue_id, issue.key, flags_refresh::badge_only);
}

// The likelihood the panel showed for the candidate (0 when it is no longer among the issue's best): the score a
// pair decided before it was ever stored keeps.
double likelihood_between(context& ctx, const std::string& tenant_id, const store::issue_meta& issue,
                          const std::string& candidate_id) {
  const auto settings = tenant_snapshot_of(ctx, tenant_id)->settings;
  auto filter = filter_for(settings, issue.project, core::likelihood_search_limit);
  auto found = suggest(ctx.index, tenant_id, {issue.issue_id, std::nullopt, {}}, filter, settings.threshold,
                       core::likelihood_search_limit);
  for (const auto& s : found)
    if (s.hit.issue_id == candidate_id) return s.likelihood;
  return 0.0;
}

}  // namespace

link_direction duplicate_direction(const std::string& first_key, std::int64_t first_created_ms,
                                   const std::string& second_key, std::int64_t second_created_ms) {
  if (second_created_ms > first_created_ms) return {first_key, second_key};
  return {second_key, first_key};
}

result<std::string> decide_pair(context& ctx, const caller& who, const std::string& issue_key,
                                const std::string& candidate_key, pair_action action) {
  if (!core::valid_issue_key(issue_key) || !core::valid_issue_key(candidate_key) || issue_key == candidate_key)
    return make_error(errc::bad_request, "invalid_issue_key", "Two different valid issue keys are required");
  struct known_pair {
    std::optional<store::issue_meta> issue, candidate;
    bool stored = false;  // the pair (issue -> candidate) has a row: its score is kept
  };
  auto found = ctx.db.read([&](store::read_tx& tx) {
    known_pair k{store::find_issue_by_key(tx, who.tenant_id, issue_key),
                 store::find_issue_by_key(tx, who.tenant_id, candidate_key)};
    if (k.issue && k.candidate)
      for (const auto& p : store::pairs_for(tx, who.tenant_id, k.issue->issue_id))
        k.stored = k.stored || (p.issue_id == k.issue->issue_id && p.candidate_id == k.candidate->issue_id);
    return k;
  });
  if (!found.issue || !found.candidate) return make_error(errc::not_found, "issue_not_found", "Issue not indexed for this site");
  const auto& issue = *found.issue;
  const auto& candidate = *found.candidate;
  // The viewer must see both issues (and may link them, for a link): refused with 403 before anything changes.
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  if (auto allowed = authorize_pair(vc->viewer, issue.issue_id, candidate.issue_id, permission_for(action), vc->check);
      !allowed)
    return allowed.error();
  if (action == pair_action::link) {
    auto client = jira_for_tenant(ctx, who.tenant_id, &who);
    if (!client) return client.error();
    auto dir = duplicate_direction(issue.key, issue.created_ms, candidate.key, candidate.created_ms);
    if (auto linked = (*client)->link_duplicate(dir.older_key, dir.newer_key); !linked) return linked.error();
  }
  // A stored pair keeps its score: only a pair decided before it was ever stored needs its likelihood (a search).
  const double score_if_new = found.stored ? 0.0 : likelihood_between(ctx, who.tenant_id, issue, candidate.issue_id);
  ctx.db.write([&](store::write_tx& tx) {
    change_status(tx, {vc->viewer, false}, {issue.issue_id, issue.key}, {candidate.issue_id, candidate.key}, action,
                  score_if_new);
  });
  return std::string(status_of(action));
}

result<bulk_outcome> decide_pairs(context& ctx, const caller& who, pair_action action,
                                  const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (action == pair_action::restore)
    return make_error(errc::bad_request, "invalid_bulk", "action must be \"link\" or \"dismiss\"");
  for (const auto& [issue, candidate] : pairs)
    if (!core::valid_issue_key(issue) || !core::valid_issue_key(candidate) || issue == candidate)
      return make_error(errc::bad_request, "invalid_bulk", "each pair needs two different issue keys");
  // Resolve every pair first (one read); unknown pairs fail without touching Jira.
  auto found = ctx.db.read([&](store::read_tx& tx) {
    std::vector<std::optional<store::pair_item>> out;
    out.reserve(pairs.size());
    for (const auto& [issue, candidate] : pairs) out.push_back(store::find_pair_by_keys(tx, who.tenant_id, issue, candidate));
    return out;
  });
  auto vc = viewer_check_for(ctx, who);
  if (!vc) return vc.error();
  bulk_outcome out;
  std::shared_ptr<jira::jira_client> jira;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const auto& p = found[i];
    auto fail = [&](const std::string& code) { out.failed.push_back({pairs[i].first, pairs[i].second, code}); };
    if (!p) {
      fail("pair_not_found");
      continue;
    }
    // Each pair needs browse on both issues (and Link Issues for a link); a refused pair changes nothing.
    if (auto allowed = authorize_pair(vc->viewer, p->issue.issue_id, p->candidate.issue_id, permission_for(action),
                                      vc->check);
        !allowed) {
      fail(allowed.error().stable_code);
      continue;
    }
    if (action == pair_action::link && p->status != "confirmed") {
      if (!jira) {
        auto client = jira_for_tenant(ctx, who.tenant_id, &who);
        if (!client) return client.error();
        jira = *client;
      }
      auto dir = duplicate_direction(p->issue.key, p->issue.created_ms, p->candidate.key, p->candidate.created_ms);
      if (auto st = jira->link_duplicate(dir.older_key, dir.newer_key); !st) {
        fail(st.error().stable_code);
        continue;
      }
    }
    ctx.db.write([&](store::write_tx& tx) {
      change_status(tx, {vc->viewer, true}, {p->issue.issue_id, p->issue.key},
                    {p->candidate.issue_id, p->candidate.key}, action, p->score);
    });
    ++out.done;
  }
  log::info("bulk pair action", {{"tenant", who.tenant_id}, {"action", status_of(action)}, {"done", out.done},
                                 {"failed", std::int64_t(out.failed.size())}});
  return out;
}

}  // namespace doppel::service
