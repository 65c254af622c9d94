// Loopback test bed: fake Atlassian install-key server, fake Jira, a `doppel serve` child, tenant install, HTTP client.
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { install_token, request_token } from "./tokens.mjs";

// --- HTTP client -------------------------------------------------------------------------------------------
export function make_agent(max_sockets = 256) {
  return new http.Agent({ keepAlive: true, maxSockets: max_sockets, maxFreeSockets: max_sockets });
}

// One request; resolves {status, body, headers} or {status: 0, error} on a network error or timeout.
export function send(agent, { url, method = "GET", headers = {}, body, timeout_ms = 30_000 }) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent,
      headers: { ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => resolve({ status: 0, error: e.message }));
      });
    req.setTimeout(timeout_ms, () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, error: e.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

// --- fake Atlassian install-key server: GET /<kid> -> PEM public key ----------------------------------------
export async function start_key_server() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = `load-${randomUUID()}`;
  const pem = publicKey.export({ type: "spki", format: "pem" });
  const server = http.createServer((req, res) => {
    if (req.url === `/${kid}`) { res.writeHead(200, { "content-type": "text/plain" }); res.end(pem); return; }
    res.writeHead(404); res.end();
  });
  const url = await listen(server);
  return { url, kid, private_key_pem: privateKey.export({ type: "pkcs8", format: "pem" }), close: () => server.close() };
}

// --- fake Jira: answers the calls the app makes back (search, issue, properties, links, permissions) ----------
// backlog: {count, issue(i)} = the site's existing issues, served to the backfill through /rest/api/3/search/jql
// (pages of up to 100, nextPageToken) in creation order; without it the site starts empty.
// `port` (optional): the port to listen on, e.g. the one a restored tenant's base URL names.
export async function start_fake_jira({ issue_lookup = () => null, backlog = { count: 0, issue: () => null }, port = 0 } = {}) {
  const counts = new Map();
  const server = http.createServer((req, res) => {
    const path = req.url.split("?")[0];
    const route = path.replace(/\/[A-Z][A-Z0-9]*-\d+/g, "/{key}");
    counts.set(`${req.method} ${route}`, (counts.get(`${req.method} ${route}`) ?? 0) + 1);
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const json = (status, obj) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(obj)); };
      const q = new URL(req.url, "http://fake").searchParams;
      if (path === "/rest/api/3/search/approximate-count") return json(200, { count: backlog.count });
      if (path === "/rest/api/3/search/jql") {
        const start = Number(q.get("nextPageToken") ?? 0), max = Math.min(100, Number(q.get("maxResults") ?? 50) || 50);
        const end = Math.min(backlog.count, start + max);
        const issues = Array.from({ length: Math.max(0, end - start) }, (_, k) => backlog.issue(start + k));
        return json(200, { issues, isLast: end >= backlog.count, ...(end < backlog.count ? { nextPageToken: String(end) } : {}) });
      }
      if (path === "/rest/api/3/permissions/check") {
        // An open site: every user is an admin and holds every project permission asked, on every id asked.
        let asked = {};
        try { asked = JSON.parse(body); } catch { asked = {}; }
        const projectPermissions = (asked.projectPermissions ?? []).flatMap((e) =>
          (e.permissions ?? []).map((permission) => ({ permission, projects: e.projects ?? [], issues: e.issues ?? [] })));
        return json(200, { globalPermissions: ["ADMINISTER"], projectPermissions });
      }
      // Get project: every synthetic project carries id 10000 (issues.mjs make_issue).
      const pm = path.match(/^\/rest\/api\/3\/project\/([A-Z][A-Z0-9_]*)$/);
      if (pm && req.method === "GET") return json(200, { id: "10000", key: pm[1], name: pm[1] });
      const m = path.match(/^\/rest\/api\/[23]\/issue\/([A-Z][A-Z0-9]*-\d+)$/);
      if (m && req.method === "GET") { const i = issue_lookup(m[1]); return i ? json(200, i) : json(404, { errorMessages: ["not found"] }); }
      if (path.includes("/properties/")) { res.writeHead(204); return res.end(); }
      if (path.endsWith("/issueLink") || path.endsWith("/comment")) return json(201, {});
      if (path.includes("mypermissions")) return json(200, { permissions: { ADMINISTER: { havePermission: true }, ADMINISTER_PROJECTS: { havePermission: true } } });
      return json(200, {});
    });
  });
  const url = await listen(server, port);
  return { url, counts, close: () => server.close() };
}

// --- doppel serve ----------------------------------------------------------------------------------------
// Resolves with the port from the server's JSON "listening" log line.
function watch_for_port(child, log, log_path) {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (chunk) => {
      log.write(chunk);
      if (buf === null) return;
      buf += chunk.toString("utf8");
      let nl;
      while (buf !== null && (nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const rec = JSON.parse(line);
          const port = rec.port ?? rec.fields?.port;
          if (/listening/.test(rec.msg ?? rec.message ?? "") && port) { buf = null; resolve(Number(port)); }
        } catch { /* not JSON */ }
      }
    });
    child.on("exit", (code) => reject(new Error(`doppel serve exited ${code} before listening (see ${log_path})`)));
  });
}

// Waits for the port, then for GET /readyz 200; returns the base URL. Throws after timeout_ms.
async function wait_ready(port_promise, timeout_ms) {
  let timer;
  const port = await Promise.race([port_promise,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`doppel serve not listening after ${timeout_ms} ms`)), timeout_ms); })])
    .finally(() => clearTimeout(timer));
  const url = `http://127.0.0.1:${port}`;
  const agent = make_agent(1);
  try {
    for (const deadline = Date.now() + timeout_ms; ;) {
      const r = await send(agent, { url: `${url}/readyz`, timeout_ms: 2000 });
      if (r.status === 200) return url;
      if (Date.now() > deadline) throw new Error(`/readyz not 200 after ${timeout_ms} ms (last ${r.status})`);
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    agent.destroy();
  }
}

// Starts `doppel serve` on a free loopback port (embedded PostgreSQL unless database_url is given) and waits for
// /readyz. Returns {url, pid, child, data_dir, log_path, stop()}.
export async function start_doppel({ bin, keys_url, out_dir, database_url, data_dir, env = {}, ready_timeout_ms = 180_000 }) {
  if (!bin || !existsSync(bin)) throw new Error(`doppel binary not found (--bin or DOPPEL_BIN): ${bin}`);
  const own_dir = !data_dir;
  data_dir ??= mkdtempSync(join(tmpdir(), "doppel-load-"));
  mkdirSync(data_dir, { recursive: true });
  if (process.getuid?.() === 0) chmodSync(data_dir, 0o777); // the embedded cluster runs as an unprivileged user
  mkdirSync(out_dir, { recursive: true });
  const log_path = join(out_dir, "doppel-serve.log");
  const log = createWriteStream(log_path);
  // The caller's DOPPEL_* settings (a real database URL, a public base URL) never leak into the test server; only
  // where the binary finds its files is kept.
  const keep = new Set(["DOPPEL_STATIC_DIR", "DOPPEL_DESCRIPTOR_DIR", "DOPPEL_MIGRATIONS_DIR"]);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("DOPPEL_") || keep.has(k)));
  const child = spawn(bin, ["serve"], {
    env: { ...inherited, DOPPEL_PORT: "0", DOPPEL_BIND: "127.0.0.1", DOPPEL_DATA_DIR: data_dir,
           DOPPEL_INSTALL_KEYS_URL: keys_url, DOPPEL_ALLOWED_HOSTS: "127.0.0.1:*", DOPPEL_LOG_LEVEL: "info",
           ...(database_url ? { DOPPEL_DATABASE_URL: database_url } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  // SIGTERM (so the server stops its embedded PostgreSQL), SIGKILL only after 30 s.
  const stop = async () => {
    const t0 = Date.now();
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const status = await exited;
    const drain_ms = Date.now() - t0;
    clearTimeout(killer);
    log.end();
    if (own_dir) rmSync(data_dir, { recursive: true, force: true });
    return { ...status, drain_ms };
  };
  let url;
  try {
    url = await wait_ready(watch_for_port(child, log, log_path), ready_timeout_ms);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid, child, data_dir, log_path, stop };
}

// --- tenant install --------------------------------------------------------------------------------------
// Installs a Connect tenant the way Jira does: signed-install RS256 token, then the enabled callback (HS256).
export async function install_tenant({ app_url, keys, jira_url, client_key = `load-${randomUUID()}` }) {
  const agent = make_agent(2);
  const descriptor = await send(agent, { url: `${app_url}/atlassian-connect.json` });
  if (descriptor.status !== 200) throw new Error(`descriptor: HTTP ${descriptor.status}`);
  const d = JSON.parse(descriptor.body);
  const app_base_url = d.baseUrl;
  const shared_secret = randomBytes(32).toString("hex");
  const tenant = { client_key, shared_secret, app_base_url, app_url, jira_url, app_key: d.key };
  const body = JSON.stringify({
    key: d.key, clientKey: client_key, sharedSecret: shared_secret, baseUrl: jira_url, displayUrl: jira_url,
    productType: "jira", description: "Doppel load-test site", serverVersion: "100000", pluginsVersion: "1.0.0",
    eventType: "installed",
  });
  const path = "/lifecycle/installed";
  const token = install_token({ client_key, app_base_url, path, private_key_pem: keys.private_key_pem, kid: keys.kid });
  const r = await send(agent, { url: app_url + path, method: "POST", body,
    headers: { "content-type": "application/json", authorization: `JWT ${token}` } });
  if (r.status !== 200 && r.status !== 204) throw new Error(`install: HTTP ${r.status} ${r.body ?? r.error}`);
  const epath = "/lifecycle/enabled";
  const et = request_token({ ...tenant, method: "POST", url: epath });
  const e = await send(agent, { url: app_url + epath, method: "POST",
    body: JSON.stringify({ key: d.key, clientKey: client_key, baseUrl: jira_url, eventType: "enabled" }),
    headers: { "content-type": "application/json", authorization: `JWT ${et}` } });
  if (e.status !== 200 && e.status !== 204) throw new Error(`enabled: HTTP ${e.status} ${e.body ?? e.error}`);
  agent.destroy();
  return tenant;
}

// --- process sampling (Linux /proc) ----------------------------------------------------------------------
function children_of(pid) {
  const out = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
  } catch { /* gone */ }
  return out;
}
function rss_kib(pid) {
  try { return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0); }
  catch { return 0; }
}
// Proportional set size: shared pages (PostgreSQL's shared buffers) divided among the processes that map them,
// so a sum over processes does not count shared memory more than once.
function pss_kib(pid) {
  try { return Number(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+)/m)?.[1] ?? 0); }
  catch { return 0; }
}
function open_sockets(pid) {
  try { return readdirSync(`/proc/${pid}/fd`).filter((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:"); } catch { return false; } }).length; }
  catch { return 0; }
}
// PIDs whose command line mentions `needle` (the embedded postmaster runs detached, with -D under the data dir).
function pids_with_arg(needle) {
  const out = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try { if (readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").some((a) => a.startsWith(needle))) out.push(Number(p)); }
    catch { /* gone */ }
  }
  return out;
}

// RSS of the server process, PSS of its tree plus the embedded PostgreSQL (found by its data dir, when given),
// its open sockets and fds.
export function sample_process(pid, data_dir) {
  const tree = [pid, ...(data_dir ? pids_with_arg(data_dir).filter((p) => p !== pid) : [])];
  for (let i = 0; i < tree.length; i++) tree.push(...children_of(tree[i]).filter((c) => !tree.includes(c)));
  let fds = 0;
  try { fds = readdirSync(`/proc/${pid}/fd`).length; } catch { /* gone */ }
  return { rss_mib: rss_kib(pid) / 1024, tree_pss_mib: tree.reduce((s, p) => s + pss_kib(p), 0) / 1024,
           processes: tree.length, sockets: open_sockets(pid), fds };
}

// CPU seconds (user + system) used so far by the server process and by its embedded PostgreSQL processes.
export function cpu_seconds(pid, data_dir) {
  const ticks = (p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
      return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch { return 0; }
  };
  const pg = [];
  if (data_dir) {
    pg.push(...pids_with_arg(data_dir).filter((p) => p !== pid));
    for (let i = 0; i < pg.length; i++) pg.push(...children_of(pg[i]).filter((c) => !pg.includes(c)));
  }
  const hz = 100; // USER_HZ on Linux
  return { server: ticks(pid) / hz, postgres: pg.reduce((a, p) => a + ticks(p), 0) / hz };
}

// Reads one Prometheus gauge/counter value (first series) from /metrics text.
export function metric_value(text, name) {
  const m = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, "m"));
  return m ? Number(m[1]) : null;
}
