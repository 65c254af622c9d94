// CSV export of the pairs the filter selects (all pages) as doppel-pairs-<date>.csv, and the browser download it goes to.
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type PairFilter } from '../api';

export function useCsvExport(host: Host | null, download: (blob: Blob, name: string) => void) {
  const [exporting, setExporting] = useState(false);

  const exportCsv = async (filter: PairFilter) => {
    if (!host) return;
    setExporting(true);
    try {
      const blob = await new Api(host).pairsCsv(filter);
      download(blob, `doppel-pairs-${new Date().toISOString().slice(0, 10)}.csv`);
    } catch (e) {
      host.flag('error', 'Export failed', describeError(e));
    } finally {
      setExporting(false);
    }
  };

  return { exporting, exportCsv };
}

/** Saves a blob through a temporary <a download> (the browser's own download). */
export function triggerDownload(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
