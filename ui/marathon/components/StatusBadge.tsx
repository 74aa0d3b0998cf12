// An app's status as a coloured badge with its name in words (colour is never the only signal).
import type { AppStatus } from '../lib/status.ts';

const TONE: Record<AppStatus, string> = { running: 'ok', deploying: 'info', suspended: '', waiting: 'warn', delayed: 'bad' };

export function StatusBadge({ status }: { status: AppStatus }) {
  return <span className={`badge ${TONE[status]}`} data-status={status}>{status}</span>;
}

export function HealthSummary({ healthy = 0, unhealthy = 0 }: { healthy?: number; unhealthy?: number }) {
  if (healthy === 0 && unhealthy === 0) return <span className="muted">–</span>;
  return (
    <span className="health">
      {healthy > 0 && <span className="badge ok" title="healthy">{healthy} healthy</span>}
      {unhealthy > 0 && <span className="badge bad" title="unhealthy">{unhealthy} unhealthy</span>}
    </span>
  );
}
