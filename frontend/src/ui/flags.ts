// In-page flags for hosts without AP.flag (standalone pages): a polite live region, text nodes only.
import type { FlagType } from '../host/host';

export function showInPageFlag(type: FlagType, title: string, body?: string, doc: Document = document): HTMLElement {
  let region = doc.getElementById('ds-flags');
  if (!region) {
    region = doc.createElement('div');
    region.id = 'ds-flags';
    region.className = 'ds-flags';
    region.setAttribute('aria-live', 'polite');
    doc.body.appendChild(region);
  }
  const flag = doc.createElement('div');
  flag.className = `ds-flag ds-flag--${type}`;
  flag.setAttribute('role', type === 'error' ? 'alert' : 'status');
  const strong = doc.createElement('strong');
  strong.textContent = title;
  flag.appendChild(strong);
  if (body) {
    const p = doc.createElement('div');
    p.textContent = body;
    flag.appendChild(p);
  }
  region.appendChild(flag);
  setTimeout(() => flag.remove(), 8000);
  return flag;
}
