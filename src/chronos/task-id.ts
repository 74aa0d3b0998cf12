// Chronos task ids: `ct:<due epoch ms>:<attempt>:<job name>:<arguments>` (attempt 0 = first try).
// Scripts and the async-completion callback parse them, so the format is exactly Chronos'.

export interface TaskIdParts { due: number; attempt: number; jobName: string; arguments: string }

const PATTERN = /^ct:(\d+):(\d+):([\w.-]+):?(.*)$/s;

/**
 * Mesos refuses task ids with whitespace or '/', which arguments often hold ("--out /tmp/x"): those characters
 * (and '%', '\\') are percent-encoded in the id; the task still runs with the arguments as given.
 */
export function formatTaskId(p: TaskIdParts): string {
  return `ct:${p.due}:${p.attempt}:${p.jobName}:${p.arguments.replace(/[\s/%\\]/g, (c) => encodeURIComponent(c))}`;
}

/** Undefined for ids that are not Chronos task ids (another framework's, or an old format). */
export function parseTaskId(id: string): TaskIdParts | undefined {
  const m = PATTERN.exec(id);
  if (!m) return undefined;
  const due = Number(m[1]);
  const attempt = Number(m[2]);
  if (!Number.isSafeInteger(due) || !Number.isSafeInteger(attempt)) return undefined;
  let args = m[4] ?? '';
  try { args = decodeURIComponent(args); } catch { /* not encoded by us: keep as is */ }
  return { due, attempt, jobName: m[3]!, arguments: args };
}
