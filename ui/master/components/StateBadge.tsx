// A task state as a coloured badge: running is good, failures are bad, the rest neutral or in between.
const GOOD = new Set(['TASK_RUNNING', 'TASK_FINISHED']);
const BAD = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_UNREACHABLE']);
const WARN = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING', 'TASK_KILLED']);

export function StateBadge({ state }: { state: string }) {
  const tone = GOOD.has(state) ? 'ok' : BAD.has(state) ? 'bad' : WARN.has(state) ? 'warn' : '';
  return <span className={`badge ${tone}`}>{state.replace(/^TASK_/, '').toLowerCase()}</span>;
}

export function ActiveBadge({ active, completed }: { active: boolean; completed?: boolean }) {
  if (completed) return <span className="badge">completed</span>;
  return active ? <span className="badge ok">active</span> : <span className="badge warn">inactive</span>;
}
