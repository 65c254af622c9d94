// The Jira site URL from the host context (for issue links the API gave no URL for); undefined until known.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';

export function useSiteUrl(host: Host | null): string | undefined {
  const [siteUrl, setSiteUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!host) return;
    host.context().then((c) => setSiteUrl(c.siteUrl), () => undefined);
  }, [host]);
  return siteUrl;
}
