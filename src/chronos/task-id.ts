// Chronos task ids: `ct:<due epoch ms>:<attempt>:<job name>:<arguments>` (attempt 0 = first try).
// Scripts and the async-completion callback parse them, so the format is exactly Chronos'.

export interface TaskIdParts { due: number; attempt: number; jobName: string; arguments: string }

const PATTERN = /^ct:(\d+):(\d+):([\w.-]+):?(.*)$/s;

export function formatTaskId(p: TaskIdParts): string {
  return `ct:${p.due}:${p.attempt}:${p.jobName}:${p.arguments}`;
}

/** Undefined for ids that are not Chronos task ids (another framework's, or an old format). */
export function parseTaskId(id: string): TaskIdParts | undefined {
  const m = PATTERN.exec(id);
  if (!m) return undefined;
  const due = Number(m[1]);
  const attempt = Number(m[2]);
  if (!Number.isSafeInteger(due) || !Number.isSafeInteger(attempt)) return undefined;
  return { due, attempt, jobName: m[3]!, arguments: m[4] ?? '' };
}
