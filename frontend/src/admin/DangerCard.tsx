// The admin page's "Delete indexed data" card, enabled once DELETE is typed.
import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { Button, Field } from '../ui/components';

export function DangerCard(props: { onDelete: () => Promise<void> }) {
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
