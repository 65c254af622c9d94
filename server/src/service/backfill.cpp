// Backfill: begin, stop, and the job step that reads pages of Jira issues into the index.
#include "service/backfill.hpp"

#include "core/issue_document.hpp"
#include "service/indexing.hpp"
#include "service/settings.hpp"
#include "service/tenants.hpp"
#include "store/backfill_store.hpp"
#include "store/dashboard_store.hpp"
#include "store/index_store.hpp"
#include "store/job_queue.hpp"
#include "store/tenant_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

namespace doppel::service {
namespace {

constexpr int pages_per_run = 5;
constexpr int page_size = 100;
constexpr long wait_seconds = 30;  // retry interval while a Forge site has no usable system token

// The backfill cannot call Jira now: say why on the progress row and try again later; a stored fresh token makes
// the retry due at once (remember_system_token).
void wait_for_credentials(store::write_tx& tx, const std::string& tenant_id, const std::string& reason) {
  if (store::set_backfill_waiting(tx, tenant_id, reason))
    log::warn("backfill waiting for Jira credentials", {{"tenant", tenant_id}, {"reason", reason}});
  store::enqueue(tx, tenant_id, store::job_kind::backfill, "backfill", "{}", wait_seconds);
}

void estimate_total(store::write_tx& tx, jira::jira_client& client, const std::string& tenant_id,
                    const std::string& jql) {
  boost::json::value body = boost::json::object{{"jql", jql}};
  auto count = client.call("POST", "/rest/api/3/search/approximate-count", &body, true);
  if (!count || count->status != 200) return;
  boost::system::error_code ec;
  auto v = boost::json::parse(count->body, ec);
  if (ec || !v.is_object()) return;
  if (auto* n = v.as_object().if_contains("count"); n && n->is_int64()) store::set_backfill_total(tx, tenant_id, n->as_int64());
}

}  // namespace

const std::vector<std::string>& indexed_issue_fields() {
  static const std::vector<std::string> fields{"summary", "description", "environment", "labels", "components",
                                               "issuetype", "status", "project", "security", "created", "updated"};
  return fields;
}

bool begin_backfill(store::write_tx& tx, const std::string& tenant_id, const std::vector<std::string>& projects,
                    backfill_start mode) {
  const bool only_if_absent = mode == backfill_start::if_never_run;
  bool started = store::start_backfill(tx, tenant_id, store::backfill_jql(projects), only_if_absent);
  if (started || !only_if_absent) store::enqueue(tx, tenant_id, store::job_kind::backfill, "backfill", "{}");
  return started;
}

std::string stop_backfill(context& ctx, const std::string& tenant_id) {
  return ctx.db.write([&](store::write_tx& tx) {
    store::stop_backfill(tx, tenant_id);
    auto b = store::read_backfill(tx, tenant_id);
    return b.state.empty() ? std::string("idle") : b.state;
  });
}

void run_backfill_step(store::write_tx& tx, context& ctx, const std::string& tenant_id) {
  auto position = store::lock_running_backfill(tx, tenant_id);
  if (!position) return;
  // Read before the client: if a newer token arrives meanwhile, a 401 must not make us forget that one.
  auto token_box = stored_system_token_box(ctx, tenant_id);
  auto client = jira_for_tenant(ctx, tenant_id, nullptr);
  if (!client) {
    // A Forge site without a usable app system token: wait (progress kept) until a Forge call brings one.
    if (client.error().code == errc::unavailable) return wait_for_credentials(tx, tenant_id, client.error().stable_code);
    throw std::runtime_error("backfill: " + client.error().message);
  }
  if (position->total_unknown) estimate_total(tx, **client, tenant_id, position->jql);
  index_batch batch(tenant_id);
  long seen = 0, indexed = 0;
  std::string token = position->next_page_token;
  bool done = false;
  for (int page_no = 0; page_no < pages_per_run && !done; ++page_no) {
    jira::search_request req;
    req.jql = position->jql;
    req.fields = indexed_issue_fields();
    req.max_results = page_size;
    req.next_page_token = token;
    auto page = (*client)->search_jql(req);
    if (!page && page.error().stable_code == "jira_unauthorized") {
      if (page_no > 0) break;  // keep the pages done: the next run meets the 401 first
      if (token_box.empty()) throw std::runtime_error("backfill: " + page.error().message);  // Connect: retry
      // Jira no longer accepts the stored Forge token: forget it and wait for a fresh one.
      store::clear_system_token(tx, tenant_id, token_box);
      return wait_for_credentials(tx, tenant_id, "forge_token_rejected");
    }
    if (!page && page_no > 0 && jira_should_wait(page.error())) break;  // keep the pages done; the next run waits
    if (!page) throw_jira_failure(ctx, tenant_id, page.error(), "backfill");
    for (const auto& issue : page->issues) {
      ++seen;
      auto doc = core::parse_issue_json(boost::json::serialize(issue));
      if (doc && batch.put(tx, *doc)) ++indexed;
    }
    token = page->next_page_token;
    done = page->is_last || token.empty();
  }
  store::record_backfill_pages(tx, tenant_id, seen, indexed, token, done);
  if (done) store::enqueue(tx, tenant_id, store::job_kind::rescan, "rescan", "{}");
  else store::enqueue(tx, tenant_id, store::job_kind::backfill, "backfill", "{}");
  batch.publish(tx, ctx);
}

}  // namespace doppel::service
