// Admin configuration page: settings form, backfill control with live progress, index stats, data deletion.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import type { Host } from '../host/host';
import { Api, ApiError, FIELD_NAMES, describeError, type StatusResponse, type TenantConfig } from '../api';
import { Button, Field, ProgressBar, SectionMessage, Spinner, Toggle } from '../ui/components';
import { defaultScheduler, type Scheduler } from '../ui/schedule';
import { backfillPercent, formatCount, formatDate, formatEta, isBackfillRunning, percent } from '../ui/format';

export const POLL_MS = 2000;


const FIELD_LABELS: Record<string, string> = {
  summary: 'Summary',
  description: 'Description',
  environment: 'Environment',
  components: 'Components',
  labels: 'Labels',
};

/** "ABC, def ,,X" → ["ABC","DEF","X"] for project keys; issue types keep their case. */
export function parseList(text: string, upper: boolean): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const v = upper ? raw.trim().toUpperCase() : raw.trim();
    if (v) seen.add(v);
  }
  return [...seen];
}

/** "pendingPairs" / "inbox_pending" → "Pending pairs" / "Inbox pending" for the statistics list. */
export function humanizeKey(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function validateConfig(c: TenantConfig): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!(c.threshold >= 0 && c.threshold <= 1)) errors.threshold = 'Choose a threshold between 0 % and 100 %.';
  for (const f of FIELD_NAMES) {
    const w = c.fieldWeights[f];
    if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 10)) errors[`weight-${f}`] = 'Use a number from 0 to 10.';
  }
  if (FIELD_NAMES.every((f) => !c.fieldWeights[f])) errors['weight-summary'] = 'At least one field needs a weight above 0.';
  for (const p of c.projects) if (!/^[A-Z][A-Z0-9_]*$/.test(p)) errors.projects = `“${p}” is not a Jira project key.`;
  return errors;
}

function Stat(props: { label: string; value: string; testId?: string }) {
  return (
    <div class="doppel-stat">
      <div class="doppel-stat__value" data-testid={props.testId}>
        {props.value}
      </div>
      <div class="doppel-stat__label">{props.label}</div>
    </div>
  );
}

function BackfillCard(props: { status: StatusResponse | null; onStart: () => void; onStop: () => void; onRescan: () => void; busy: string | null }) {
  const b = props.status?.backfill;
  const running = isBackfillRunning(b?.state);
  const pct = b ? backfillPercent(b) : null;
  return (
    <section class="ds-card" aria-labelledby="backfill-h">
      <h2 id="backfill-h">Backfill</h2>
      <p class="ds-subtle">Indexes the site’s existing issues so Doppel can compare new issues with them.</p>
      {b ? (
        <div class="doppel-backfill" data-testid="backfill">
          <div class="doppel-backfill__line">
            <span>
              State: <strong data-testid="backfill-state">{b.state}</strong>
            </span>
            <span data-testid="backfill-progress-text">
              {formatCount(b.indexed)} of {b.total === null || b.total === undefined ? 'unknown' : formatCount(b.total)} issues
              {pct !== null ? ` (${pct} %)` : ''}
            </span>
          </div>
          <ProgressBar value={running || pct !== null ? pct : 0} label="Backfill progress" />
          <div class="doppel-backfill__line ds-subtlest">
            <span>Seen {formatCount(b.seen)}</span>
            <span>{b.rate ? `${b.rate.toFixed(1)} issues/s` : ''}</span>
            <span>{running ? `ETA ${formatEta(b.etaSeconds)}` : ''}</span>
          </div>
          {running && b.waiting ? (
            <p class="doppel-backfill__line" role="status" data-testid="backfill-waiting">
              {b.waiting.message}
            </p>
          ) : null}
        </div>
      ) : (
        <Spinner size="small" label="Loading backfill status" />
      )}
      <div class="ds-button-group doppel-actions">
        {running ? (
          <Button onClick={props.onStop} loading={props.busy === 'stop'} testId="backfill-stop">
            Stop backfill
          </Button>
        ) : (
          <Button appearance="primary" onClick={props.onStart} loading={props.busy === 'start'} testId="backfill-start">
            Start backfill
          </Button>
        )}
        <Button onClick={props.onRescan} loading={props.busy === 'rescan'} testId="rescan">
          Rescan now
        </Button>
      </div>
    </section>
  );
}

function StatsCard(props: { status: StatusResponse | null; stats: Record<string, unknown> | null }) {
  const idx = props.status?.index;
  const extra = Object.entries(props.stats ?? {}).filter(
    ([k, v]) => (typeof v === 'number' || typeof v === 'string') && !['issues', 'terms', 'lastEventAt'].includes(k),
  );
  return (
    <section class="ds-card" aria-labelledby="stats-h">
      <h2 id="stats-h">Index</h2>
      <div class="doppel-stats">
        <Stat label="Issues indexed" value={formatCount(idx?.issues)} testId="stat-issues" />
        <Stat label="Distinct terms" value={formatCount(idx?.terms)} testId="stat-terms" />
        <Stat label="Last event" value={idx ? formatDate(idx.lastEventAt) : '—'} testId="stat-last-event" />
      </div>
      {extra.length > 0 && (
        <dl class="doppel-extra-stats">
          {extra.map(([k, v]) => (
            <div key={k}>
              <dt>{humanizeKey(k)}</dt>
              <dd>{typeof v === 'number' ? formatCount(v) : String(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function DangerCard(props: { onDelete: () => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <section class="ds-card doppel-danger" aria-labelledby="danger-h">
      <h2 id="danger-h">Delete indexed data</h2>
      <p class="ds-subtle">
        Removes this site’s index, suggestions and review history from Doppel now. Jira issues and links are not touched. Run
        a backfill afterwards to index again.
      </p>
      <Field id="delete-confirm" label="Type DELETE to confirm">
        <input
          id="delete-confirm"
          class="ds-input"
          value={typed}
          autocomplete="off"
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setTyped(e.currentTarget.value)}
        />
      </Field>
      <Button
        appearance="danger"
        disabled={typed !== 'DELETE'}
        loading={busy}
        testId="delete-data"
        onClick={async () => {
          setBusy(true);
          try {
            await props.onDelete();
            setTyped('');
          } finally {
            setBusy(false);
          }
        }}
      >
        Delete data
      </Button>
    </section>
  );
}

export function Admin(props: { host: Host | null; hostError?: string; pollMs?: number; schedule?: Scheduler }) {
  const { host } = props;
  const pollMs = props.pollMs ?? POLL_MS;
  const schedule = props.schedule ?? defaultScheduler;
  const cancelPoll = useRef<(() => void) | null>(null);
  const [config, setConfig] = useState<TenantConfig | null>(null);
  const [projectsText, setProjectsText] = useState('');
  const [typesText, setTypesText] = useState('');
  const [loadError, setLoadError] = useState<{ message: string; notAdmin: boolean } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [stats, setStats] = useState<Record<string, unknown> | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const api = host ? new Api(host) : null;

  // Polls /api/status every pollMs while a backfill runs; each answer decides whether to poll again.
  const refreshStatus = useCallback(async () => {
    if (!host) return;
    const a = new Api(host);
    const [s, st] = await Promise.all([a.status().catch(() => null), a.stats().catch(() => null)]);
    if (s) setStatus(s);
    if (st) setStats(st);
    cancelPoll.current?.();
    cancelPoll.current = s && isBackfillRunning(s.backfill.state) ? schedule(() => void refreshStatus(), pollMs) : null;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [host, pollMs]);

  useEffect(() => () => cancelPoll.current?.(), []);

  useEffect(() => {
    if (!host) return;
    const a = new Api(host);
    a.getConfig().then(
      (c) => {
        setConfig(c);
        setProjectsText((c.projects ?? []).join(', '));
        setTypesText((c.issueTypes ?? []).join(', '));
      },
      (e) => setLoadError({ message: describeError(e), notAdmin: e instanceof ApiError && e.code === 'not_admin' }),
    );
    void refreshStatus();
  }, [host, refreshStatus]);

  useLayoutEffect(() => {
    host?.resize();
  });

  if (props.hostError) {
    return (
      <main class="doppel-page">
        <SectionMessage appearance="error" title="Doppel could not start">
          {props.hostError}
        </SectionMessage>
      </main>
    );
  }

  const action = async (name: string, fn: () => Promise<unknown>, success: string) => {
    if (!host) return;
    setBusy(name);
    try {
      await fn();
      host.flag('success', success);
      await refreshStatus();
    } catch (e) {
      host.flag('error', 'Action failed', describeError(e));
    } finally {
      setBusy(null);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!api || !config || !host) return;
    const next: TenantConfig = { ...config, projects: parseList(projectsText, true), issueTypes: parseList(typesText, false) };
    const errs = validateConfig(next);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setSaving(true);
    try {
      const saved = await api.putConfig(next);
      const merged = saved && typeof saved === 'object' && 'threshold' in saved ? saved : next;
      setConfig(merged);
      host.flag('success', 'Settings saved');
    } catch (err) {
      host.flag('error', 'Settings not saved', describeError(err));
    } finally {
      setSaving(false);
    }
  };

  const num = (e: JSX.TargetedEvent<HTMLInputElement>) => Number(e.currentTarget.value);

  return (
    <main class="doppel-page doppel-admin">
      <h1>Doppel settings</h1>
      {loadError ? (
        <SectionMessage
          appearance={loadError.notAdmin ? 'warning' : 'error'}
          title={loadError.notAdmin ? 'Jira administrators only' : 'Could not load settings'}
          testId={loadError.notAdmin ? 'not-admin' : 'error'}
        >
          {loadError.message}
        </SectionMessage>
      ) : !config ? (
        <div class="ds-card">
          <Spinner label="Loading settings" />
        </div>
      ) : (
        <form class="ds-card" onSubmit={save} aria-labelledby="settings-h" noValidate data-testid="settings-form">
          <h2 id="settings-h">Detection</h2>
          <Field
            id="threshold"
            label={`Similarity threshold: ${percent(config.threshold)}`}
            help="Suggest issues at least this similar. Lower finds more, with more false alarms."
            error={errors.threshold}
          >
            <input
              id="threshold"
              class="ds-range"
              type="range"
              min={0}
              max={1}
              step={0.01}
              value={config.threshold}
              aria-valuetext={percent(config.threshold)}
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setConfig({ ...config, threshold: num(e) })}
            />
          </Field>
          <fieldset class="doppel-fieldset">
            <legend>Field weights</legend>
            <div class="doppel-weights">
              {FIELD_NAMES.map((f) => (
                <Field key={f} id={`weight-${f}`} label={FIELD_LABELS[f]} error={errors[`weight-${f}`]}>
                  <input
                    id={`weight-${f}`}
                    class="ds-input ds-input--number"
                    type="number"
                    min={0}
                    max={10}
                    step={0.1}
                    value={config.fieldWeights[f]}
                    onInput={(e: JSX.TargetedEvent<HTMLInputElement>) =>
                      setConfig({ ...config, fieldWeights: { ...config.fieldWeights, [f]: num(e) } })
                    }
                  />
                </Field>
              ))}
            </div>
          </fieldset>
          <Field id="projects" label="Projects" help="Project keys separated by commas. Leave empty for all projects." error={errors.projects}>
            <input
              id="projects"
              class="ds-input"
              value={projectsText}
              placeholder="All projects"
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setProjectsText(e.currentTarget.value)}
            />
          </Field>
          <Field id="issue-types" label="Issue types" help="Issue type names separated by commas. Leave empty for all types.">
            <input
              id="issue-types"
              class="ds-input"
              value={typesText}
              placeholder="All issue types"
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setTypesText(e.currentTarget.value)}
            />
          </Field>
          <Toggle
            id="cross-project"
            label="Suggest duplicates across projects"
            checked={config.crossProject}
            onChange={(v) => setConfig({ ...config, crossProject: v })}
          />
          <Toggle
            id="comment-on-create"
            label="Comment on new issues that look like duplicates"
            help="Adds a comment listing the likely duplicates when an issue is created."
            checked={config.commentOnCreate}
            onChange={(v) => setConfig({ ...config, commentOnCreate: v })}
          />
          <Field id="rescan-schedule" label="Rescan schedule" help="Periodically recompute suggestions for the whole site.">
            <select
              id="rescan-schedule"
              class="ds-select"
              value={config.rescanSchedule}
              onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) =>
                setConfig({ ...config, rescanSchedule: e.currentTarget.value as TenantConfig['rescanSchedule'] })
              }
            >
              <option value="off">Off</option>
              <option value="daily">Daily</option>
              <option value="weekly">Weekly</option>
            </select>
          </Field>
          <Button appearance="primary" type="submit" loading={saving} testId="save">
            Save settings
          </Button>
        </form>
      )}
      {!loadError?.notAdmin && (
        <>
          <BackfillCard
            status={status}
            busy={busy}
            onStart={() => action('start', () => api!.startBackfill(), 'Backfill started')}
            onStop={() => action('stop', () => api!.stopBackfill(), 'Backfill stopped')}
            onRescan={() => action('rescan', () => api!.rescan(), 'Rescan queued')}
          />
          <StatsCard status={status} stats={stats} />
          <DangerCard
            onDelete={() =>
              action('delete', () => api!.deleteData(), 'Indexed data deleted').then(() => undefined)
            }
          />
        </>
      )}
    </main>
  );
}
