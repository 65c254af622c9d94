// Tenant-level operations shared by the scripts: seed issues by webhook, read index status, panel API requests.
import { randomUUID } from "node:crypto";
import { send } from "./harness.mjs";
import { make_issue, webhook_body } from "./issues.mjs";
import { closed_loop } from "./openloop.mjs";
import { context_token, request_token } from "./tokens.mjs";

// A function that returns a token, re-signed at most once a second.
function cached(sign) {
  let token = null, at = 0;
  return () => { if (Date.now() - at > 1000) { token = sign(); at = Date.now(); } return token; };
}

export function webhook_sender(agent, app, tenant) {
  const path = "/webhooks/jira";
  const token = cached(() => request_token({ ...tenant, method: "POST", url: path }));
  return (issue, event = "jira:issue_created") => send(agent, { url: app.url + path, method: "POST", body: webhook_body(issue, event),
    headers: { "content-type": "application/json", authorization: `JWT ${token()}`,
               "x-atlassian-webhook-identifier": randomUUID(), "x-atlassian-webhook-retry": "0" } });
}

// Panel-API calls as the iframe makes them: a panel request carries a context token naming the path's issue (Doppel
// refuses a token naming another one); other calls (queue, status) a token naming no issue.
export function api_client(agent, app, tenant) {
  const tokens = new Map(); // issue key ("" = none) -> cached token
  const token_for = (path) => {
    const key = decodeURIComponent(/^\/api\/issues\/([^/?]+)\//.exec(path)?.[1] ?? "");
    if (!tokens.has(key))
      tokens.set(key, cached(() => context_token({ ...tenant, account_id: "5b10a2844c20165700ede21g", issue_key: key || undefined,
                                                   project_key: key ? key.split("-")[0] : "LOAD" })));
    return tokens.get(key)();
  };
  // (path) GETs; (path, json) POSTs the JSON body (e.g. a draft to /api/similar).
  return (path, json) => send(agent, { url: app.url + path, method: json === undefined ? "GET" : "POST",
    headers: { authorization: `JWT ${token_for(path)}`, accept: "application/json",
               ...(json === undefined ? {} : { "content-type": "application/json" }) },
    body: json === undefined ? undefined : JSON.stringify(json) });
}

// Sends issues [from, to) as issue_created webhooks with `concurrency` in flight; throws on the first rejection.
export async function seed_issues({ agent, app, tenant, base, from = 0, to, concurrency = 32, log = () => {} }) {
  const send_hook = webhook_sender(agent, app, tenant);
  let done = 0;
  const t0 = Date.now();
  await closed_loop(to - from, concurrency, async (i) => {
    const r = await send_hook(make_issue(base, from + i));
    if (r.status < 200 || r.status >= 300) throw new Error(`seed webhook: HTTP ${r.status} ${r.body ?? r.error}`);
    if (++done % 10000 === 0) log(`sent ${done}/${to - from} (${Math.round(done / ((Date.now() - t0) / 1000))}/s)`);
  });
  return { sent: done, seconds: (Date.now() - t0) / 1000 };
}

// Thrown when the server has no such route yet (404 not_found): scripts report "not run" and exit 3.
export class route_missing extends Error {}
export const EXIT_ROUTE_MISSING = 3;

// Throws route_missing when the answer says the route does not exist.
export function require_route(path, r) {
  // The router's answer for an unknown path, not a handler's 404 for an unknown issue.
  if (r.status === 404 && /"not_found"/.test(r.body ?? "") && /no such route/i.test(r.body ?? "")) throw new route_missing(`the server has no route for ${path} yet`);
}

// Polls GET /api/status until index.issues >= count; returns seconds waited. Throws after timeout_s.
export async function wait_indexed({ api, count, timeout_s, log = () => {} }) {
  const t0 = Date.now();
  let last = null, last_log = 0;
  for (;;) {
    const r = await api("/api/status");
    require_route("/api/status", r);
    if (r.status === 200) {
      last = JSON.parse(r.body)?.index?.issues ?? null;
      if (last !== null && last >= count) return (Date.now() - t0) / 1000;
    } else last = `HTTP ${r.status}${r.error ? ` (${r.error})` : ""}`;
    if (Date.now() - last_log > 10_000) { log(`indexed: ${last} of ${count}`); last_log = Date.now(); }
    if (Date.now() - t0 > timeout_s * 1000) throw new Error(`index has ${last} issues after ${timeout_s} s (want ${count})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// GET /api/admin/stats (the admin's view: indexed issues, queued/running/dead jobs); null when not answered.
export async function admin_stats(api) {
  const r = await api("/api/admin/stats");
  if (r.status !== 200) return null;
  try { return JSON.parse(r.body); } catch { return null; }
}

// Counts the 2xx answers of an open_loop() result (the acknowledged requests).
export const acknowledged = (s) => Object.entries(s.statuses).reduce((n, [code, k]) => n + (code >= 200 && code < 300 ? k : 0), 0);
