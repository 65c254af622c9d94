// Personal data reporting: batches of due accounts → POST /app/report-accounts/ → erase closed, note updated, reschedule.
#include "service/privacy.hpp"

#include "service/tenants.hpp"
#include "store/history_store.hpp"
#include "store/job_queue.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <cctype>

namespace doppel::service {
namespace {

constexpr const char* report_job_key = "report-accounts";
constexpr long retry_after_progress_s = 60;
constexpr long wait_for_token_s = 3600;
constexpr std::chrono::seconds min_cycle{3600};
constexpr std::chrono::seconds max_cycle{90 * 24 * 3600};

void queue_report(store::write_tx& tx, const std::string& tenant_id, long delay_seconds) {
  store::enqueue(tx, tenant_id, store::job_kind::report_accounts, report_job_key, "{}", std::max(0L, delay_seconds));
}

struct batch_outcome {
  std::int64_t reported = 0, closed = 0, updated = 0;
};

// One batch: the accounts Atlassian cannot take are not kept; the others are reported and acted on.
result<batch_outcome> report_batch(store::write_tx& tx, jira::jira_client& jira, const std::string& tenant_id,
                                   const std::vector<store::account_due>& due) {
  batch_outcome out;
  std::vector<jira::account_report> batch;
  for (const auto& a : due) {
    if (reportable_account_id(a.account_id)) batch.push_back({a.account_id, a.updated_at});
    else store::erase_account(tx, tenant_id, a.account_id);  // cannot be reported, so not kept
  }
  if (batch.empty()) return out;
  auto answer = jira.report_accounts(batch);
  if (!answer) return answer.error();
  const auto cycle = parse_cycle_period(answer->cycle_period).value_or(default_report_cycle);
  std::vector<std::string> ids;
  for (const auto& a : batch) ids.push_back(a.account_id);
  store::mark_reported(tx, tenant_id, ids, cycle.count());
  for (const auto& u : answer->updates) {
    if (u.status == "closed") {
      store::erase_account(tx, tenant_id, u.account_id);
      ++out.closed;
    } else {
      store::note_account_updated(tx, tenant_id, u.account_id);
      ++out.updated;
    }
  }
  out.reported = std::int64_t(batch.size());
  return out;
}

}  // namespace

bool reportable_account_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id == "unknown") return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':'; });
}

std::optional<std::chrono::seconds> parse_cycle_period(std::string_view h) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  if (h.empty() || h.size() > 32) return std::nullopt;
  std::int64_t total = 0;
  auto number = [&](std::size_t& i) -> std::optional<std::int64_t> {
    std::int64_t n = 0;
    std::size_t start = i;
    while (i < h.size() && h[i] >= '0' && h[i] <= '9' && i - start < 9) n = n * 10 + (h[i++] - '0');
    return i == start ? std::nullopt : std::optional<std::int64_t>(n);
  };
  std::size_t i = 0;
  if (h[0] >= '0' && h[0] <= '9') {
    auto n = number(i);
    if (!n || i != h.size()) return std::nullopt;
    total = *n;
  } else {
    if (h[0] != 'P' || h.size() < 3) return std::nullopt;
    i = 1;
    bool time = false, any = false;
    while (i < h.size()) {
      if (h[i] == 'T' && !time) {
        time = true;
        ++i;
        continue;
      }
      auto n = number(i);
      if (!n || i >= h.size()) return std::nullopt;
      const char unit = h[i++];
      if (!time && unit == 'D') total += *n * 86400;
      else if (time && unit == 'H') total += *n * 3600;
      else if (time && unit == 'M') total += *n * 60;
      else if (time && unit == 'S') total += *n;
      else return std::nullopt;
      any = true;
    }
    if (!any) return std::nullopt;
  }
  return std::clamp(std::chrono::seconds(total), min_cycle, max_cycle);
}

void schedule_account_report(store::write_tx& tx, const std::string& tenant_id) {
  queue_report(tx, tenant_id, 0);
  store::make_due_now(tx, tenant_id, store::job_kind::report_accounts);  // a queued later run reports it now
}

void report_accounts(store::write_tx& tx, context& ctx, const std::string& tenant_id) {
  auto jira = jira_for_tenant(ctx, tenant_id, nullptr);
  if (!jira) {
    const auto& code = jira.error().stable_code;
    if (code == "unknown_tenant") return;  // uninstalled: the purge deletes the inventory with the tenant
    if (code == "forge_token_missing" || code == "forge_token_expired") return queue_report(tx, tenant_id, wait_for_token_s);
    throw std::runtime_error("personal data report: " + jira.error().message);
  }
  batch_outcome total;
  for (int b = 0; b < report_batches_per_run; ++b) {
    auto due = store::due_accounts(tx, tenant_id, std::int64_t(jira::max_reported_accounts));
    if (due.empty()) break;
    auto done = report_batch(tx, **jira, tenant_id, due);
    if (!done) {
      if (total.reported == 0) throw std::runtime_error("personal data report: " + done.error().message);
      log::warn("personal data report interrupted; keeping the batches done",
                {{"tenant", tenant_id}, {"reported", total.reported}, {"what", done.error().stable_code}});
      return queue_report(tx, tenant_id, retry_after_progress_s);
    }
    total.reported += done->reported;
    total.closed += done->closed;
    total.updated += done->updated;
  }
  if (auto next = store::seconds_to_next_report(tx, tenant_id)) queue_report(tx, tenant_id, long(*next));
  if (total.reported > 0)
    log::info("personal data report", {{"tenant", tenant_id}, {"reported", total.reported}, {"closed", total.closed},
                                       {"updated", total.updated}});
}

}  // namespace doppel::service
