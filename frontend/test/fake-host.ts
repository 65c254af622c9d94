// Test host: a Host whose requests go to an in-memory Doppel API following docs/http-api.md.
import type { FlagType, Host, HostRequest, PageContext } from '../src/host/host';
import type { Candidate, DashboardSummary, HistoryItem, PairItem, StatusResponse, TenantConfig, ThresholdPoint } from '../src/api';

export interface Call {
  method: string;
  path: string;
  body?: unknown;
}

export interface FakeState {
  candidates: Candidate[];
  status: StatusResponse;
  config: TenantConfig;
  /** Answered with the config as `thresholdCurve` (read-only: a PUT carrying it is refused). */
  curve: ThresholdPoint[];
  stats: Record<string, unknown>;
  pairs: PairItem[];
  summary: DashboardSummary;
  /** The pair action history, newest first (GET /api/history pages it by `before` cursor). */
  history: HistoryItem[];
  admin: boolean;
  /** Path prefix → forced error answer. */
  failures: Record<string, { status: number; error: string; message: string }>;
}

/** The site's default likely threshold (the server's). */
export const DEFAULT_THRESHOLD = 0.016;

/** A suggestion with this likelihood; its tier follows the default threshold unless `extra` says otherwise. */
export function candidate(key: string, likelihood: number, extra: Partial<Candidate> = {}): Candidate {
  return {
    key,
    summary: `Summary of ${key}`,
    project: key.split('-')[0],
    status: 'To Do',
    score: 0.5,
    likelihood,
    tier: likelihood >= DEFAULT_THRESHOLD ? 'likely' : 'related',
    url: `https://example.atlassian.net/browse/${key}`,
    terms: ['login', 'password'],
    pairStatus: 'pending',
    ...extra,
  };
}

export function pair(issue: string, cand: string, score: number, status: PairItem['status'] = 'pending'): PairItem {
  const ref = (key: string) => ({ key, summary: `Summary of ${key}`, project: key.split('-')[0], status: 'To Do' });
  return { issue: ref(issue), candidate: ref(cand), score, status, createdAt: '2026-11-20T10:00:00Z' };
}

export function defaultState(): FakeState {
  return {
    candidates: [],
    status: {
      backfill: { state: 'done', seen: 10, indexed: 10, total: 10, rate: null, etaSeconds: null },
      index: { issues: 10, terms: 120, lastEventAt: '2026-11-21T08:00:00Z' },
    },
    config: {
      threshold: DEFAULT_THRESHOLD,
      fieldWeights: { summary: 3, description: 1, environment: 0.5, components: 1, labels: 1 },
      projects: [],
      issueTypes: [],
      crossProject: true,
      commentOnCreate: false,
      rescanSchedule: 'off',
    },
    curve: [
      { threshold: 0.005, duplicatesFound: 0.587, falseFlagsPerCleanIssue: 1.401 },
      { threshold: 0.01, duplicatesFound: 0.49, falseFlagsPerCleanIssue: 0.726 },
      { threshold: 0.016, duplicatesFound: 0.433, falseFlagsPerCleanIssue: 0.449 },
      { threshold: 0.1, duplicatesFound: 0.208, falseFlagsPerCleanIssue: 0.062 },
      { threshold: 0.5, duplicatesFound: 0.018, falseFlagsPerCleanIssue: 0.002 },
    ],
    stats: { issues: 10, terms: 120, pairs: 4 },
    pairs: [],
    summary: { headline: { pending: 0, confirmed: 0, dismissed: 0, issues: 0 }, series: [], byProject: [] },
    history: [],
    admin: true,
    failures: {},
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export class FakeHost implements Host {
  readonly kind = 'standalone' as const;
  readonly calls: Call[] = [];
  readonly flags: { type: FlagType; title: string; body?: string }[] = [];
  readonly opened: string[] = [];
  resizes = 0;
  private issueChanged: (() => void)[] = [];

  constructor(
    readonly state: FakeState = defaultState(),
    readonly ctx: PageContext = { issueKey: 'WEB-1', projectKey: 'WEB' },
  ) {}

  async request(path: string, init?: HostRequest): Promise<Response> {
    const method = init?.method ?? 'GET';
    this.calls.push({ method, path, body: init?.body });
    return this.answer(method, path, init?.body);
  }

  private answer(method: string, path: string, body: unknown): Response {
    const s = this.state;
    for (const [prefix, f] of Object.entries(s.failures)) {
      if (path.startsWith(prefix)) return json(f.status, { error: f.error, message: f.message });
    }
    const url = new URL(path, 'http://doppel.test');
    const p = url.pathname;
    if (p.startsWith('/api/admin/') && !s.admin) return json(403, { error: 'not_admin', message: 'Jira administrator permission required.' });
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/issues\/([^/]+)\/similar$/.exec(p))) {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      return json(200, { issue: decodeURIComponent(m[1]), candidates: s.candidates.slice(0, limit) });
    }
    if ((m = /^\/api\/pairs\/([^/]+)\/([^/]+)\/(link|dismiss|restore)$/.exec(p)) && method === 'POST') {
      const next = m[3] === 'link' ? 'confirmed' : m[3] === 'dismiss' ? 'dismissed' : 'pending';
      const [issue, cand] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const c = s.candidates.find((x) => x.key === cand);
      const it = s.pairs.find((x) => x.issue.key === issue && x.candidate.key === cand);
      if (!c && !it) return json(404, { error: 'pair_not_found', message: 'No such pair.' });
      if (c) c.pairStatus = next;
      if (it) it.status = next;
      return json(200, { status: next });
    }
    if (p === '/api/status') return json(200, s.status);
    if (p === '/api/admin/config') {
      if (method === 'PUT') {
        if (body && typeof body === 'object' && 'thresholdCurve' in body)
          return json(400, { error: 'invalid_config', message: 'thresholdCurve: unknown member' });
        s.config = body as TenantConfig;
      }
      return json(200, { ...s.config, thresholdCurve: s.curve });
    }
    if (p === '/api/admin/stats') return json(200, s.stats);
    if (p === '/api/admin/backfill') {
      s.status = { ...s.status, backfill: { ...s.status.backfill, state: method === 'POST' ? 'running' : 'stopped' } };
      return json(202, { state: s.status.backfill.state });
    }
    if (p === '/api/admin/rescan' || p === '/api/admin/delete-data') return new Response(null, { status: 204 });
    if (p === '/api/dashboard/summary') return json(200, s.summary);
    if (p === '/api/history') {
      const before = Number(url.searchParams.get('before') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const older = s.history.filter((h) => !before || h.id < before);
      const items = older.slice(0, limit);
      return json(200, { items, next: older.length > limit ? items[items.length - 1].id : null });
    }
    if (p === '/api/pairs' || p === '/api/pairs.csv') {
      const st = url.searchParams.get('status');
      const pr = url.searchParams.get('project');
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const min = Number(url.searchParams.get('minScore') ?? 0);
      const items = s.pairs.filter(
        (x) =>
          (!st || x.status === st) &&
          (!pr || x.issue.project === pr || x.candidate.project === pr) &&
          x.score >= min &&
          (!q || `${x.issue.key} ${x.issue.summary} ${x.candidate.key} ${x.candidate.summary}`.toLowerCase().includes(q)),
      );
      if (p.endsWith('.csv')) {
        const rows = items.map((x) => `${x.issue.key},${x.candidate.key},${x.score},${x.status}`);
        return new Response(['issue,candidate,score,status', ...rows].join('\n') + '\n', { status: 200, headers: { 'Content-Type': 'text/csv' } });
      }
      const page = Number(url.searchParams.get('page') ?? 1);
      const size = Number(url.searchParams.get('pageSize') ?? 25);
      return json(200, { items: items.slice((page - 1) * size, page * size), total: items.length, page, pageSize: size });
    }
    if (p === '/api/pairs/bulk' && method === 'POST') {
      const b = body as { action: 'link' | 'dismiss'; pairs: { issue: string; candidate: string }[] };
      for (const x of b.pairs) {
        const it = s.pairs.find((y) => y.issue.key === x.issue && y.candidate.key === x.candidate);
        if (it) it.status = b.action === 'link' ? 'confirmed' : 'dismissed';
      }
      return json(200, { done: b.pairs.length, failed: [] });
    }
    return json(404, { error: 'not_found', message: `No route ${method} ${p}` });
  }

  async context() {
    return this.ctx;
  }
  flag(type: FlagType, title: string, body?: string) {
    this.flags.push({ type, title, body });
  }
  resize() {
    this.resizes++;
  }
  openIssue(issueKey: string) {
    this.opened.push(issueKey);
  }
  onIssueChanged(cb: () => void) {
    this.issueChanged.push(cb);
  }
  fireIssueChanged() {
    for (const cb of this.issueChanged) cb();
  }
  async initTheme() {}
}
