// Sets up and tears down one loopback test bed (key server, fake Jira, doppel serve, installed tenant) for a script.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { install_tenant, start_doppel, start_fake_jira, start_key_server } from "./harness.mjs";
import { EXIT_ROUTE_MISSING, route_missing } from "./tenant_ops.mjs";

export const source_dir = process.env.DOPPEL_SOURCE_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

// Options every script accepts.
export const common_defaults = {
  bin: process.env.DOPPEL_BIN ?? join(source_dir, "build", "doppel"),
  out: join(source_dir, "test-output", "load"),
  database_url: "",   // explicit only (--database-url): never picked up from the environment
  data_dir: "",
  http_threads: 2,
  workers: 2,
};

export function machine_info(bin) {
  let version = "unknown";
  try { version = execFileSync(bin, ["version"], { encoding: "utf8", timeout: 10_000 }).trim(); } catch { /* old binary */ }
  return { doppel: version, node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "?",
           started_at: new Date().toISOString() };
}

// install_tenant(), but a build that cannot install tenants yet (no install route: 404; no install-key provider:
// 503 key_server_unavailable while our own key server is up) throws route_missing instead of a failure.
export function install_or_missing(args) {
  return install_tenant(args).catch((e) => {
    if (/HTTP 404|HTTP 503 .*key_server_unavailable/.test(e.message)) throw new route_missing(`this build cannot install a tenant yet (${e.message})`);
    throw e;
  });
}

// Runs fn(bed) with a fresh bed and always tears it down; bed = {app, tenant, jira, keys, info}.
export async function with_bed(opts, name, fn, { issue_lookup, backlog } = {}) {
  const out_dir = join(opts.out, name);
  const keys = await start_key_server();
  const jira = await start_fake_jira({ issue_lookup, backlog });
  let app;
  const stop_all = async () => {
    const status = app ? await app.stop() : null;
    jira.close(); keys.close();
    return status;
  };
  const on_signal = () => { stop_all().finally(() => process.exit(130)); };
  process.once("SIGINT", on_signal);
  process.once("SIGTERM", on_signal);
  try {
    app = await start_doppel({ bin: opts.bin, keys_url: keys.url, out_dir, database_url: opts.database_url || undefined,
      data_dir: opts.data_dir || undefined,
      env: { DOPPEL_HTTP_THREADS: String(opts.http_threads), DOPPEL_WORKERS: String(opts.workers) } });
    const tenant = await install_or_missing({ app_url: app.url, keys, jira_url: jira.url });
    console.error(`[${name}] doppel ${app.url} (pid ${app.pid}), tenant ${tenant.client_key}, log ${app.log_path}`);
    const result = await fn({ app, tenant, jira, keys, out_dir, info: machine_info(opts.bin) });
    const stopped = await stop_all(); app = null;
    return { result, stopped };
  } catch (e) {
    await stop_all().catch(() => {});
    throw e;
  } finally {
    process.off("SIGINT", on_signal);
    process.off("SIGTERM", on_signal);
  }
}

// Awaits a script's with_bed() run; when the server lacks something the script needs, says so and exits 3.
export async function unless_missing(run, name) {
  try {
    return await run;
  } catch (e) {
    if (!(e instanceof route_missing)) throw e;
    console.log(`${name} not run: ${e.message}`);
    process.exit(EXIT_ROUTE_MISSING);
  }
}
