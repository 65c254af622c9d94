// The tenant's settings: loaded from /api/admin/config, edited in the form (lists as text), validated and saved;
// the threshold curve that comes with them is kept apart (read-only, never sent back).
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, ApiError, describeError, type TenantConfig, type ThresholdPoint } from '../api';
import { parseList, splitConfig, validateConfig } from './config';

export function useSettings(host: Host | null) {
  const [config, setConfig] = useState<TenantConfig | null>(null);
  const [curve, setCurve] = useState<ThresholdPoint[]>([]);
  const [projectsText, setProjectsText] = useState('');
  const [typesText, setTypesText] = useState('');
  const [loadError, setLoadError] = useState<{ message: string; notAdmin: boolean } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!host) return;
    new Api(host).getConfig().then(
      (answer) => {
        const { config: c, curve: points } = splitConfig(answer);
        setConfig(c);
        setCurve(points);
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
      if (saved && typeof saved === 'object' && 'threshold' in saved) {
        const { config: c, curve: points } = splitConfig(saved);
        setConfig(c);
        if (points.length) setCurve(points);
      } else setConfig(next);
      host.flag('success', 'Settings saved');
    } catch (err) {
      host.flag('error', 'Settings not saved', describeError(err));
    } finally {
      setSaving(false);
    }
  };

  return { config, setConfig, curve, projectsText, setProjectsText, typesText, setTypesText, loadError, errors, saving, save };
}

export type Settings = ReturnType<typeof useSettings>;
