// "Why is this app waiting?": shown while instances sit in the launch queue; the reasons come from the last offers.
import { useEffect } from 'react';
import { api } from '../../shared/api.ts';
import { relativeTime } from '../../shared/format.ts';
import { explainWaiting } from '../lib/waiting.ts';
import type { MarathonApp, QueueEntry } from '../lib/types.ts';
import { store } from '../live.tsx';

/** The queue's reasons change with every offer cycle without an event; refresh them while the panel shows. */
const QUEUE_REFRESH_MS = 3000;

export function WaitingPanel({ app, entry }: { app: MarathonApp; entry: QueueEntry }) {
  useEffect(() => {
    const t = setInterval(() => store.refreshQueue(), QUEUE_REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const w = explainWaiting(entry, app);
  const resetDelay = async () => {
    await api(`/v2/queue${app.id.split('/').map(encodeURIComponent).join('/')}/delay`, { method: 'DELETE' }).catch(() => {});
    store.refreshQueue();
  };
  return (
    <section className="panel waiting" aria-labelledby="waiting-title" data-testid="waiting-panel">
      <h2 id="waiting-title">Why is this app waiting?</h2>
      <p><strong>{w.headline}</strong>{entry.since && <span className="muted"> · queued {relativeTime(entry.since)}</span>}</p>
      <ul>{w.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
      {w.delayedSeconds > 0 && <button type="button" onClick={() => void resetDelay()}>Retry now (reset the launch delay)</button>}
    </section>
  );
}
