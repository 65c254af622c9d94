// Typed client for Doppel's HTTP API (docs/http-api.md), on top of a host adapter.
import { HostTokenError, type Host, type HostRequest } from './host/host';

export type PairStatus = 'pending' | 'confirmed' | 'dismissed';

export interface IssueRef {
  key: string;
  summary: string;
  project: string;
  status: string;
  url?: string;
}

/** "likely": at or above the site's threshold (badge, comment, review queue); "related": the next most similar. */
export type Tier = 'likely' | 'related';

export interface Candidate extends IssueRef {
  /** Similarity relative to the issue's own score (the engine's ranking). */
  score: number;
  /** Calibrated probability 0..1 that the pair is a filed duplicate. */
  likelihood: number;
  tier: Tier;
  issueType?: string;
  url: string;
  /** The explaining words as written in the issues. */
  terms: string[];
  pairStatus: PairStatus;
}

export interface SimilarResponse {
  issue: IssueRef | string | null;
  candidates: Candidate[];
}

export interface BackfillStatus {
  /** idle (never ran), running, done, stopped (or failed). */
  state: string;
  /** Issues read from Jira so far; `indexed` counts those that were new or changed in the index. */
  seen: number;
  indexed: number;
  total: number | null;
  rate: number | null;
  etaSeconds: number | null;
  /** Why a running backfill is not fetching right now (e.g. no usable Forge app system token); null otherwise. */
  waiting?: { reason: string; message: string } | null;
}

export interface StatusResponse {
  backfill: BackfillStatus;
  index: { issues: number; terms: number; lastEventAt: string | null };
}

export type FieldName = 'summary' | 'description' | 'environment' | 'components' | 'labels';
export const FIELD_NAMES: FieldName[] = ['summary', 'description', 'environment', 'components', 'labels'];

export interface TenantConfig {
  threshold: number;
  fieldWeights: Record<FieldName, number>;
  projects: string[];
  issueTypes: string[];
  crossProject: boolean;
  commentOnCreate: boolean;
  rescanSchedule: 'off' | 'daily' | 'weekly';
}

/** One point of the reference (dev-set) curve: what a likely threshold finds and how many false flags it shows. */
export interface ThresholdPoint {
  threshold: number;
  /** Share 0..1 of filed duplicates the likely tier lists. */
  duplicatesFound: number;
  /** Likely suggestions per issue that has no filed duplicate. */
  falseFlagsPerCleanIssue: number;
}

/** GET/PUT /api/admin/config: the settings plus the read-only curve (never sent back). */
export interface ConfigResponse extends TenantConfig {
  thresholdCurve?: ThresholdPoint[];
}

export interface PairItem {
  issue: IssueRef;
  candidate: IssueRef;
  /** The pair's likelihood 0..1 (calibrated probability of a filed duplicate). */
  score: number;
  status: PairStatus;
  createdAt: string;
}

export interface PairsPage {
  items: PairItem[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PairFilter {
  status?: PairStatus | '';
  project?: string;
  q?: string;
  minScore?: number;
  page?: number;
  pageSize?: number;
}

export interface BulkResult {
  done: number;
  failed: unknown[];
}

export interface DashboardSummary {
  headline: { pending: number; confirmed: number; dismissed: number; issues: number };
  series: { date: string; found: number; confirmed: number }[];
  byProject: { project: string; found: number; confirmed: number }[];
}

/** One recorded pair action (GET /api/history): who (Atlassian account id; null once erased on Atlassian's request). */
export interface HistoryItem {
  id: number;
  action: 'link' | 'dismiss' | 'restore';
  bulk: boolean;
  by: string | null;
  at: string;
  issue: IssueRef;
  candidate: IssueRef;
}

export interface HistoryPage {
  items: HistoryItem[];
  /** Cursor of the next (older) page; null on the last. */
  next: number | null;
}

/** A non-2xx answer: `code` is the server's stable error code ({"error","message"}). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const seg = (s: string) => encodeURIComponent(s);

export function pairQuery(f: PairFilter): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.project) q.set('project', f.project);
  if (f.q) q.set('q', f.q);
  if (f.minScore !== undefined && f.minScore > 0) q.set('minScore', String(f.minScore));
  if (f.page !== undefined) q.set('page', String(f.page));
  if (f.pageSize !== undefined) q.set('pageSize', String(f.pageSize));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function failure(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `The server answered ${res.status}.`;
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // Not JSON: keep the generic message.
  }
  return new ApiError(res.status, code, message);
}

export class Api {
  constructor(private readonly host: Host) {}

  private async call(path: string, init?: HostRequest): Promise<Response> {
    let res: Response;
    try {
      res = await this.host.request(path, init);
    } catch (e) {
      if (e instanceof HostTokenError) throw new ApiError(0, 'no_token', 'Jira did not provide a session token. Reload the page and try again.');
      throw new ApiError(0, 'network', 'Doppel could not be reached. Check your connection and try again.');
    }
    if (!res.ok) throw await failure(res);
    return res;
  }

  private async json<T>(path: string, init?: HostRequest): Promise<T> {
    const res = await this.call(path, init);
    if (res.status === 204) return {} as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  similar(issueKey: string, limit = 10) {
    return this.json<SimilarResponse>(`/api/issues/${seg(issueKey)}/similar?limit=${limit}`);
  }
  pairAction(issueKey: string, candidateKey: string, action: 'link' | 'dismiss' | 'restore') {
    return this.json<{ status?: string }>(`/api/pairs/${seg(issueKey)}/${seg(candidateKey)}/${action}`, { method: 'POST' });
  }
  status() {
    return this.json<StatusResponse>('/api/status');
  }
  getConfig() {
    return this.json<ConfigResponse>('/api/admin/config');
  }
  putConfig(config: TenantConfig) {
    return this.json<ConfigResponse>('/api/admin/config', { method: 'PUT', body: config });
  }
  startBackfill() {
    return this.json<unknown>('/api/admin/backfill', { method: 'POST' });
  }
  stopBackfill() {
    return this.json<unknown>('/api/admin/backfill', { method: 'DELETE' });
  }
  rescan() {
    return this.json<unknown>('/api/admin/rescan', { method: 'POST' });
  }
  stats() {
    return this.json<Record<string, unknown>>('/api/admin/stats');
  }
  deleteData() {
    return this.json<unknown>('/api/admin/delete-data', { method: 'POST' });
  }
  pairs(filter: PairFilter) {
    return this.json<PairsPage>(`/api/pairs${pairQuery(filter)}`);
  }
  bulk(action: 'link' | 'dismiss', pairs: { issue: string; candidate: string }[]) {
    return this.json<BulkResult>('/api/pairs/bulk', { method: 'POST', body: { action, pairs } });
  }
  async pairsCsv(filter: PairFilter): Promise<Blob> {
    const { page: _p, pageSize: _s, ...rest } = filter;
    const res = await this.call(`/api/pairs.csv${pairQuery(rest)}`, { accept: 'text/csv' });
    return res.blob();
  }
  summary() {
    return this.json<DashboardSummary>('/api/dashboard/summary');
  }
  history(before?: number, limit = 20) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', String(before));
    return this.json<HistoryPage>(`/api/history?${q.toString()}`);
  }
}

/** A user-facing sentence for any failure. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'not_admin') return 'Only Jira administrators can change Doppel settings. Ask a Jira admin for help.';
    if (e.status === 401) return 'Your Jira session could not be verified. Reload the page and try again.';
    return e.message;
  }
  return e instanceof Error ? e.message : 'Something went wrong.';
}
