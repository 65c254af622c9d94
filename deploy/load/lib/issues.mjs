// Synthetic Jira issues for load: real Apache Jira text from ../shared/datasets (if present), re-keyed and varied.
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

// Small deterministic PRNG (mulberry32) so every run sends the same issues.
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FALLBACK_WORDS = ("namenode datanode block replica lease timeout heartbeat exception nullpointer container " +
  "scheduler queue capacity memory yarn mapreduce shuffle reducer mapper split checksum corrupt volume " +
  "rpc socket connection refused kerberos token renew expired balancer decommission snapshot quota " +
  "webhdfs fsimage editlog journal failover zookeeper standby active safemode").split(" ");

// Loads base issues (summary, description, type, status, priority) from the shared dataset, else makes some up.
export function load_base_issues(source_dir, limit = 25000) {
  const file = join(source_dir, "..", "shared", "datasets", "apache-hadoop.jsonl.gz");
  if (existsSync(file)) {
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    const out = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      const f = JSON.parse(line).fields ?? {};
      out.push({ summary: f.summary ?? "", description: f.description ?? "",
                 issuetype: f.issuetype?.name ?? "Bug", status: f.status?.name ?? "Open",
                 priority: f.priority?.name ?? "Major" });
      if (out.length >= limit) break;
    }
    return { issues: out, source: "apache-hadoop.jsonl.gz" };
  }
  const rnd = prng(7);
  const pick = (n) => Array.from({ length: n }, () => FALLBACK_WORDS[Math.floor(rnd() * FALLBACK_WORDS.length)]).join(" ");
  const issues = Array.from({ length: 5000 }, () => ({ summary: pick(8), description: pick(60),
    issuetype: "Bug", status: "Open", priority: "Major" }));
  return { issues, source: "generated words (dataset not found)" };
}

// The i-th synthetic issue of a project: base text of issue i mod n plus a few words from another base issue,
// so copies beyond the first cycle are near-duplicates rather than exact ones.
export function make_issue(base, i, project_key = "LOAD") {
  const b = base[i % base.length];
  const other = base[(i * 7919 + 13) % base.length];
  const extra = i < base.length ? "" : " " + other.summary.split(/\s+/).slice(0, 3).join(" ");
  const t = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString().replace("Z", "+0000");
  return {
    id: String(100000 + i),
    key: `${project_key}-${i + 1}`,
    fields: {
      summary: (b.summary + extra).slice(0, 250),
      description: b.description,
      issuetype: { name: b.issuetype },
      status: { name: b.status },
      priority: { name: b.priority },
      project: { key: project_key, id: "10000", name: project_key },
      security: null, // no issue security level (Jira sends null when the field is asked for)
      labels: [], components: [],
      created: t, updated: t,
    },
  };
}

// Jira's webhook body for an issue event.
export function webhook_body(issue, event = "jira:issue_created") {
  return JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: event,
    issue_event_type_name: event === "jira:issue_created" ? "issue_created" : "issue_updated",
    user: { accountId: "5b10a2844c20165700ede21g" },
    issue,
  });
}
