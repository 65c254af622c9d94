// Admin configuration page: settings form, backfill control with live progress, index stats, data deletion.
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError } from '../api';
import { SectionMessage, Spinner } from '../ui/components';
import { HostError, PageShell, usePageResize } from '../ui/PageShell';
import { defaultScheduler, type Scheduler } from '../ui/schedule';
import { BackfillCard } from './BackfillCard';
import { DangerCard } from './DangerCard';
import { SettingsForm } from './SettingsForm';
import { StatsCard } from './StatsCard';
import { useIndexStatus } from './useIndexStatus';
import { useSettings } from './useSettings';

export { humanizeKey, parseList, validateConfig } from './config';
export const POLL_MS = 2000;

export function Admin(props: { host: Host | null; hostError?: string; pollMs?: number; schedule?: Scheduler }) {
  const { host } = props;
  const settings = useSettings(host);
  const { status, stats, refreshStatus } = useIndexStatus(host, props.pollMs ?? POLL_MS, props.schedule ?? defaultScheduler);
  const [busy, setBusy] = useState<string | null>(null);
  usePageResize(host);

  if (props.hostError) {
    return (
      <PageShell class="doppel-page">
        <HostError message={props.hostError} />
      </PageShell>
    );
  }

  const api = host ? new Api(host) : null;
  const { config, loadError } = settings;

  /** Runs one backfill / rescan / delete request, flags the outcome and refreshes the status. */
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

  return (
    <PageShell class="doppel-page doppel-admin" title="Doppel settings">
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
        <SettingsForm settings={settings} config={config} />
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
          <DangerCard onDelete={() => action('delete', () => api!.deleteData(), 'Indexed data deleted').then(() => undefined)} />
        </>
      )}
    </PageShell>
  );
}
