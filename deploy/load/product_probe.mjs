// Product-level probe for backup/restore checks: `seed` installs a tenant on a database through the real HTTP
// routes, sends issues by webhook and records the panel API answers; `verify` starts a server on another (restored)
// database and checks that it gives the same answers to the same tenant's tokens.
// `ready` only starts a server on the database and checks /readyz (schema and migration ledger usable).
// Usage: node product_probe.mjs seed|verify|ready --database-url URL [--state FILE] [--issues 60] [--bin build/doppel]
// Exit codes: 0 ok, 1 mismatch or failure, 3 the product path is not available yet (install route missing).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { make_agent, start_doppel, start_fake_jira, start_key_server } from "./lib/harness.mjs";
import { load_base_issues, make_issue } from "./lib/issues.mjs";
import { parse_args } from "./lib/openloop.mjs";
import { common_defaults, install_or_missing, source_dir } from "./lib/bed.mjs";
import { api_client, EXIT_ROUTE_MISSING, require_route, route_missing, seed_issues, wait_indexed, webhook_sender } from "./lib/tenant_ops.mjs";

const mode = process.argv[2];
process.argv.splice(2, 1);
const opts = parse_args({ ...common_defaults, state: "", issues: 60, probe_keys: 5, secret_key: process.env.DOPPEL_SECRET_KEY ?? "" });
if (!["seed", "verify", "ready"].includes(mode) || !opts.database_url || (mode !== "ready" && !opts.state)) {
  console.error("usage: node product_probe.mjs seed|verify|ready --database-url URL [--state FILE]");
  process.exit(2);
}
const log = (m) => console.error(`[probe ${mode}] ${m}`);
const keys = await start_key_server();
// verify: the restored tenant's base URL names the seed's Jira, which answers its permission checks: the same port.
const seeded = mode === "verify" ? JSON.parse(readFileSync(opts.state, "utf8")) : null;
const jira = await start_fake_jira(seeded?.jira_port ? { port: seeded.jira_port } : {});
const env = opts.secret_key ? { DOPPEL_SECRET_KEY: opts.secret_key } : {};
const app = await start_doppel({ bin: opts.bin, keys_url: keys.url, out_dir: join(opts.out, `probe-${mode}`),
  database_url: opts.database_url, env });
let code = 0;
try {
  const agent = make_agent(8);
  const probe_paths = (n) => Array.from({ length: opts.probe_keys }, (_, k) => `/api/issues/LOAD-${n - k}/similar?limit=5`);
  if (mode === "ready") {
    log(`doppel serve on the database answered /readyz 200 (${app.url})`);
  } else if (mode === "seed") {
    let tenant;
    try { tenant = await install_or_missing({ app_url: app.url, keys, jira_url: jira.url }); }
    catch (e) {
      if (e instanceof route_missing) { log(`product path not ready: ${e.message}`); code = EXIT_ROUTE_MISSING; throw null; }
      throw e;
    }
    const api = api_client(agent, app, tenant);
    await seed_issues({ agent, app, tenant, base: load_base_issues(source_dir).issues, to: opts.issues, concurrency: 8 });
    let answers = null;
    try {
      require_route("/api/issues/{key}/similar", await api(probe_paths(opts.issues)[0]));
      await wait_indexed({ api, count: opts.issues, timeout_s: 120, log });
      answers = {};
      for (const p of probe_paths(opts.issues)) {
        const r = await api(p);
        if (r.status !== 200) throw new Error(`${p}: HTTP ${r.status} ${r.body}`);
        answers[p] = JSON.parse(r.body);
      }
      const with_candidates = Object.values(answers).filter((a) => a.candidates?.length).length;
      if (!with_candidates) throw new Error("no probe issue has candidates: nothing meaningful to compare");
      log(`${opts.issues} issues indexed, ${Object.keys(answers).length} panel API answers recorded (${with_candidates} with candidates)`);
    } catch (e) {
      if (!(e instanceof route_missing)) throw e;
      log(`panel API not available (${e.message}): the restore is compared on tables and tenant authentication only`);
    }
    writeFileSync(opts.state, JSON.stringify({ tenant: { ...tenant, jira_url: undefined, app_url: undefined }, answers,
      jira_port: Number(new URL(jira.url).port) }, null, 2));
    log(`tenant installed and ${opts.issues} issues sent as signed webhooks`);
  } else {
    const state = seeded;
    if (state.answers) {
      // Context tokens signed with the restored tenant's secret must verify, and the answers must be identical.
      const api = api_client(agent, app, state.tenant);
      let same = 0;
      for (const [p, want] of Object.entries(state.answers)) {
        const r = await api(p);
        const got = r.status === 200 ? JSON.parse(r.body) : null;
        if (JSON.stringify(got) === JSON.stringify(want)) { same++; continue; }
        console.log(`FAIL ${p}: restored server answered ${r.status} ${r.body?.slice(0, 300)}\n   original: ${JSON.stringify(want).slice(0, 300)}`);
        code = 1;
      }
      log(`${same}/${Object.keys(state.answers).length} panel API answers identical on the restored database`);
    } else {
      // No API answers to compare: at least the restored tenant's shared secret must decrypt with the same
      // DOPPEL_SECRET_KEY, so a webhook signed with it is accepted.
      const issue = make_issue(load_base_issues(source_dir).issues, opts.issues + 1);
      const r = await webhook_sender(agent, app, state.tenant)(issue);
      if (r.status !== 204 && r.status !== 200) throw new Error(`restored tenant's signed webhook: HTTP ${r.status} ${r.body}`);
      log(`restored tenant authenticates: its signed webhook was answered ${r.status} (no panel API answers to compare)`);
    }
  }
  agent.destroy();
} catch (e) {
  if (e) { console.log(`FAIL ${e.message}`); code = 1; }
} finally {
  await app.stop();
  jira.close(); keys.close();
}
process.exit(code);
