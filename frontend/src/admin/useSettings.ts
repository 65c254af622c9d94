// The tenant's settings: loaded from /api/admin/config, edited in the form (lists as text), validated and saved.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, ApiError, describeError, type TenantConfig } from '../api';
import { parseList, validateConfig } from './config';

export function useSettings(host: Host | null) {
  const [config, setConfig] = useState<TenantConfig | null>(null);
  const [projectsText, setProjectsText] = useState('');
  const [typesText, setTypesText] = useState('');
  const [loadError, setLoadError] = useState<{ message: string; notAdmin: boolean } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!host) return;
    new Api(host).getConfig().then(
      (c) => {
        setConfig(c);
        setProjectsText((c.projects ?? []).join(', '));
        setTypesText((c.issueTypes ?? []).join(', '));
      },
      (e) => setLoadError({ message: describeError(e), notAdmin: e instanceof ApiError && e.code === 'not_admin' }),
    );
  }, [host]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!config || !host) return;
    const next: TenantConfig = { ...config, projects: parseList(projectsText, true), issueTypes: parseList(typesText, false) };
    const errs = validateConfig(next);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setSaving(true);
    try {
      const saved = await new Api(host).putConfig(next);
      const merged = saved && typeof saved === 'object' && 'threshold' in saved ? saved : next;
      setConfig(merged);
      host.flag('success', 'Settings saved');
    } catch (err) {
      host.flag('error', 'Settings not saved', describeError(err));
    } finally {
      setSaving(false);
    }
  };

  return { config, setConfig, projectsText, setProjectsText, typesText, setTypesText, loadError, errors, saving, save };
}

export type Settings = ReturnType<typeof useSettings>;
