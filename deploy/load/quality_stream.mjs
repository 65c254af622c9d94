// Duplicate-detection quality through the product (issue #17's targets): streams a dataset into a real `doppel serve`
// as jira:issue_created webhooks in order of fields.created (issuelinks stripped: the ground truth stays here), waits
// until every event is applied, reads the real panel API for every streamed issue and the whole pending review queue,
// and scores both against the filed Duplicate links, per project and overall, at the product's default settings.
// Usage: node quality_stream.mjs [--dataset ../shared/datasets/apache-hadoop.jsonl.gz] [--projects HDFS,YARN]
//        [--limit N (oldest N after the project filter)] [--rate 300] [--read-concurrency 4] [--bin build/doppel]
//        [--out test-output/load] [--database-url URL]   Loopback only; writes <out>/quality/result.json.
// Ground truth (as ../shared/tools/dupe-eval.py): groups = connected components of Duplicate links with both ends
// among the streamed issues. An issue "has a filed duplicate" when its group has another member; a panel or queue
// entry is a filed duplicate when both issues are in one group. "earlier" columns follow dupe-eval's creation-time
// protocol: issues with an earlier group member, hit when the panel lists an earlier member; likely suggestions
// created before the issue per issue without a filed duplicate.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { make_agent, send } from "./lib/harness.mjs";
import { webhook_body } from "./lib/issues.mjs";
import { closed_loop, fmt, open_loop, parse_args, summarize, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { admin_stats, api_client, require_route, webhook_sender } from "./lib/tenant_ops.mjs";
import { context_token } from "./lib/tokens.mjs";

const opts = parse_args({ ...common_defaults, dataset: resolve(source_dir, "../shared/datasets/apache-hadoop.jsonl.gz"),
  projects: "", limit: 0, rate: 300, read_concurrency: 4, panel_limit: 10, apply_timeout_seconds: 1800, sockets: 64 });
const log = (m) => console.error(`[quality] ${m}`);
const pause = (s) => new Promise((r) => setTimeout(r, s * 1000));
const created_ms = (s) => Date.parse(String(s ?? "").replace(/([+-]\d\d)(\d\d)$/, "$1:$2")) || 0;

// --- the dataset and its ground truth --------------------------------------------------------------------------
function load_stream() {
  const wanted = new Set(opts.projects ? opts.projects.split(",").map((p) => p.trim()).filter(Boolean) : []);
  const rows = [];
  for (const line of gunzipSync(readFileSync(opts.dataset)).toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const project = r.fields?.project?.key ?? r.key.split("-")[0];
    if (wanted.size && !wanted.has(project)) continue;
    rows.push({ issue: r, project, created: created_ms(r.fields?.created) });
  }
  rows.sort((a, b) => a.created - b.created || a.issue.key.localeCompare(b.issue.key));
  return opts.limit > 0 ? rows.slice(0, opts.limit) : rows;
}

// Groups: connected components of Duplicate links (either side, either direction) within the streamed keys.
function ground_truth(rows) {
  const keys = new Set(rows.map((r) => r.issue.key));
  const adj = new Map(rows.map((r) => [r.issue.key, new Set()]));
  for (const { issue } of rows)
    for (const l of issue.fields?.issuelinks ?? []) {
      if (l?.type?.name !== "Duplicate") continue;
      for (const side of ["inwardIssue", "outwardIssue"]) {
        const o = l[side]?.key;
        if (o && o !== issue.key && keys.has(o)) { adj.get(issue.key).add(o); adj.get(o).add(issue.key); }
      }
    }
  const group = new Map();
  for (const start of keys) {
    if (group.has(start) || adj.get(start).size === 0) continue;
    for (const stack = [start]; stack.length;) {
      const x = stack.pop();
      if (group.has(x)) continue;
      group.set(x, start);
      stack.push(...adj.get(x));
    }
  }
  const members = new Map();
  for (const [k, g] of group) (members.get(g) ?? members.set(g, []).get(g)).push(k);
  let pairs = 0;
  for (const ms of members.values()) pairs += (ms.length * (ms.length - 1)) / 2;
  return { group, members, pairs, same: (a, b) => group.has(a) && group.get(a) === group.get(b) };
}

// Copy without issuelinks: what the product is sent and what the fake Jira serves. An issue without a security level
// carries "security": null, as the e2e fake Jira's issues and webhooks do (docs/permissions.md); without the field
// the product treats the level as not known and the review queue shows a viewer only the pairs one request can check.
function without_links(issue) {
  const { issuelinks: _, ...fields } = issue.fields ?? {};
  return { ...issue, fields: { security: null, ...fields } };
}

// --- the run ---------------------------------------------------------------------------------------------------
const rows = load_stream();
if (!rows.length) throw new Error(`no issues to stream (dataset ${opts.dataset}, projects "${opts.projects}")`);
const truth = ground_truth(rows);
const sent_issues = rows.map((r) => without_links(r.issue));
const by_key = new Map(sent_issues.map((i) => [i.key, i]));
log(`${rows.length} issues from ${opts.dataset}${opts.projects ? ` (projects ${opts.projects})` : ""}, ` +
    `${truth.group.size} in duplicate groups, ${truth.pairs} filed duplicate pairs`);

// Waits until the index holds `count` issues and no job is running, at most the scheduled rescan queued, 3 polls running.
async function wait_applied(api, count) {
  const t0 = Date.now();
  for (let quiet = 0, logged = t0; quiet < 3;) {
    const [s, st] = [await admin_stats(api), await api("/api/status")];
    const indexed = st.status === 200 ? JSON.parse(st.body)?.index?.issues ?? 0 : 0;
    quiet = s && s.runningJobs === 0 && s.queuedJobs <= 1 && indexed >= count ? quiet + 1 : 0;
    if (Date.now() - logged > 15_000) { log(`applied: ${indexed}/${count} indexed, jobs ${s?.runningJobs} running ${s?.queuedJobs} queued`); logged = Date.now(); }
    if (Date.now() - t0 > opts.apply_timeout_seconds * 1000) throw new Error(`not applied after ${opts.apply_timeout_seconds} s: ${indexed}/${count} indexed`);
    await pause(1);
  }
  return (Date.now() - t0) / 1000;
}

// Delivers like Jira: same identifier retried on 429/5xx/network errors; returns the last answer.
async function deliver(send_hook, issue) {
  let r;
  for (let attempt = 0; attempt < 10; ++attempt) {
    r = await send_hook(issue);
    if (r.status >= 200 && r.status < 300) return r;
    if (r.status !== 0 && r.status !== 429 && r.status < 500) return r;
    await pause(0.2 * (attempt + 1));
  }
  return r;
}

const run = with_bed(opts, "quality", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.sockets);
  const api = api_client(agent, app, tenant);
  require_route("/api/admin/stats", await api("/api/admin/stats"));
  const settings = await api("/api/admin/config");  // the defaults the measurement runs at
  // Stream: open loop at --rate, in creation order.
  const send_hook = webhook_sender(agent, app, tenant);
  const t_stream = performance.now();
  const stream = await open_loop({ rate: opts.rate, duration_s: sent_issues.length / opts.rate, max_in_flight: 512,
    make_request: (i) => (i < sent_issues.length ? deliver(send_hook, sent_issues[i]) : Promise.resolve({ status: 204 })) });
  const stream_s = (performance.now() - t_stream) / 1000;
  if (stream.errors || stream.dropped) throw new Error(`stream: ${stream.errors} rejected, ${stream.dropped} not sent (${JSON.stringify(stream.statuses)})`);
  log(`streamed ${sent_issues.length} webhooks in ${fmt(stream_s)} s (p99 ${fmt(stream.p99_ms)} ms)`);
  // The index holds one issue per Jira id: a moved issue (one id, two keys in the dataset) is one issue.
  const apply_s = await wait_applied(api, new Set(sent_issues.map((i) => i.id)).size);
  log(`all applied ${fmt(apply_s)} s after the last webhook`);

  // Read phase: every streamed issue's panel, as its viewer's iframe asks for it (context token of that issue).
  const panels = new Map(), latencies = [], statuses = {};
  const t_read = performance.now();
  await closed_loop(sent_issues.length, opts.read_concurrency, async (i) => {
    const issue = sent_issues[i];
    const project = issue.fields?.project?.key ?? issue.key.split("-")[0];
    const token = context_token({ ...tenant, account_id: "5b10a2844c20165700ede21g", issue_key: issue.key, project_key: project });
    const t0 = performance.now();
    const r = await send(agent, { url: `${app.url}/api/issues/${issue.key}/similar?limit=${opts.panel_limit}`,
      headers: { authorization: `JWT ${token}`, accept: "application/json" } });
    latencies.push(performance.now() - t0);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 200) panels.set(issue.key, JSON.parse(r.body).candidates ?? []);
  });
  const read_s = (performance.now() - t_read) / 1000;
  log(`read ${panels.size} panels in ${fmt(read_s)} s`);

  // The review queue: every pending pair, all pages.
  const queue = [];
  for (let page = 1; ; ++page) {
    const r = await api(`/api/pairs?status=pending&pageSize=100&page=${page}`);
    if (r.status !== 200) throw new Error(`GET /api/pairs page ${page}: HTTP ${r.status} ${r.body ?? r.error}`);
    const body = JSON.parse(r.body);
    queue.push(...body.items.map((it) => [it.issue.key, it.candidate.key]));
    if (!body.items.length || queue.length >= body.total) break;
  }
  agent.destroy();
  return { info, settings: settings.status === 200 ? JSON.parse(settings.body) : null, stream_s, stream_p99_ms: stream.p99_ms,
           apply_s, read_s, read_statuses: statuses, latency: summarize(latencies), panels, queue };
}, { issue_lookup: (key) => by_key.get(key) ?? null });

const { result, stopped } = await unless_missing(run, "quality_stream");

// --- scoring ---------------------------------------------------------------------------------------------------
const created_of = new Map(rows.map((r) => [r.issue.key, r.created]));
let tier_field = "present";
function new_bucket(name) {
  return { project: name, issues: 0, measured: 0, with_dup: 0, panel_hit: 0, likely_hit: 0, with_earlier: 0, panel_hit_earlier: 0,
           likely_hit_earlier: 0, clean: 0, clean_likely: 0, clean_likely_earlier: 0, clean_shown: 0, queue_pairs: 0, queue_dup_pairs: 0, dup_pairs: 0, dup_pairs_in_queue: 0 };
}
const buckets = new Map();
const bucket = (p) => buckets.get(p) ?? buckets.set(p, new_bucket(p)).get(p);
const all = new_bucket("all");
const project_of = new Map(rows.map((r) => [r.issue.key, r.project]));
for (const { issue, project } of rows) {
  const b = bucket(project);
  for (const x of [b, all]) x.issues++;
  const panel = result.panels.get(issue.key);
  if (!panel) continue;
  const dup = (c) => truth.same(issue.key, c.key);
  const earlier = (c) => dup(c) && (created_of.get(c.key) ?? Infinity) < created_of.get(issue.key);
  const likely = panel.filter((c) => { if (c.tier === undefined) tier_field = "absent"; return (c.tier ?? "likely") === "likely"; });
  const has_dup = truth.group.has(issue.key);
  const has_earlier = has_dup && truth.members.get(truth.group.get(issue.key)).some((m) => created_of.get(m) < created_of.get(issue.key));
  for (const x of [b, all]) {
    x.measured++;
    if (has_dup) { x.with_dup++; x.panel_hit += panel.some(dup); x.likely_hit += likely.some(dup); }
    if (has_earlier) { x.with_earlier++; x.panel_hit_earlier += panel.some(earlier); x.likely_hit_earlier += likely.some(earlier); }
    if (!has_dup) {
      x.clean++; x.clean_likely += likely.length; x.clean_shown += panel.length;
      x.clean_likely_earlier += likely.filter((c) => (created_of.get(c.key) ?? Infinity) < created_of.get(issue.key)).length;
    }
  }
}
// Queue pairs count for the project of their issue; filed pairs for the project of their earlier member.
const seen = new Set();
for (const [a, c] of result.queue) {
  const id = a < c ? `${a} ${c}` : `${c} ${a}`;
  if (seen.has(id)) continue;
  seen.add(id);
  const is_dup = truth.same(a, c);
  for (const x of [bucket(project_of.get(a) ?? a.split("-")[0]), all]) { x.queue_pairs++; x.queue_dup_pairs += is_dup; }
}
for (const ms of truth.members.values()) {
  ms.sort((x, y) => created_of.get(x) - created_of.get(y));
  for (let i = 0; i < ms.length; ++i)
    for (let j = i + 1; j < ms.length; ++j) {
      const id = ms[i] < ms[j] ? `${ms[i]} ${ms[j]}` : `${ms[j]} ${ms[i]}`;
      for (const x of [bucket(project_of.get(ms[i])), all]) { x.dup_pairs++; x.dup_pairs_in_queue += seen.has(id); }
    }
}
const ratio = (a, b) => (b > 0 ? a / b : NaN);
const figures = (x) => ({ ...x,
  panel_recall: ratio(x.panel_hit, x.with_dup), likely_recall: ratio(x.likely_hit, x.with_dup),
  panel_recall_earlier: ratio(x.panel_hit_earlier, x.with_earlier), likely_recall_earlier: ratio(x.likely_hit_earlier, x.with_earlier),
  likely_per_clean_issue: ratio(x.clean_likely, x.clean), likely_earlier_per_clean_issue: ratio(x.clean_likely_earlier, x.clean), shown_per_clean_issue: ratio(x.clean_shown, x.clean),
  queue_precision: ratio(x.queue_dup_pairs, x.queue_pairs), queue_recall: ratio(x.dup_pairs_in_queue, x.dup_pairs) });
const per_project = [...buckets.values()].sort((a, b) => a.project.localeCompare(b.project)).map(figures);
const overall = figures(all);

console.log(`streamed ${rows.length} issues (${opts.dataset.split("/").pop()}${opts.projects ? `, projects ${opts.projects}` : ""}` +
  `${opts.limit ? `, oldest ${opts.limit}` : ""}) at ${opts.rate}/s in ${fmt(result.stream_s)} s; applied ${fmt(result.apply_s)} s later; ` +
  `panels read in ${fmt(result.read_s)} s (${opts.read_concurrency} in flight): p50 ${fmt(result.latency.p50_ms)} ms, p99 ${fmt(result.latency.p99_ms)} ms`);
console.log(`doppel: ${result.info.doppel}; default threshold ${result.settings?.threshold ?? "?"}; tier field: ${tier_field}${tier_field === "absent" ? " (this server has no tiers: every candidate counted as likely)" : ""}\n`);
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "-");
console.log(table([...per_project, overall], [["project", (r) => r.project], ["issues measured", (r) => r.measured],
  ["with filed dup", (r) => r.with_dup], ["(a) panel lists one", (r) => pct(r.panel_recall)], ["(b) likely lists one", (r) => pct(r.likely_recall)],
  ["(a) earlier", (r) => pct(r.panel_recall_earlier)], ["(b) earlier", (r) => pct(r.likely_recall_earlier)],
  ["(c) likely per clean issue", (r) => fmt(r.likely_per_clean_issue, 2)], ["(c) earlier", (r) => fmt(r.likely_earlier_per_clean_issue, 2)],
  ["queue pending", (r) => r.queue_pairs], ["(d) queue precision", (r) => fmt(r.queue_precision, 3)], ["(d) queue recall", (r) => fmt(r.queue_recall, 3)]]));
console.log(`server stop: exit ${stopped?.code} after ${stopped?.drain_ms} ms`);
const { panels: _p, queue: _q, ...kept } = result;
write_json(join(opts.out, "quality", "result.json"), { ...kept, options: { dataset: opts.dataset, projects: opts.projects, limit: opts.limit,
  rate: opts.rate, read_concurrency: opts.read_concurrency, panel_limit: opts.panel_limit }, streamed: rows.length,
  filed_pairs: truth.pairs, tier_field, queue_pending: result.queue.length, per_project, overall, stopped });
process.exit(overall.measured === rows.length ? 0 : 1);
