// Directory names in the agent's sandbox tree. Mesos names an executor's directory after its id, and a command
// task's executor id is its task id: ids longer than a file name may be (NAME_MAX, 255 bytes; Chronos ids embed a
// job's run arguments), or holding a '/', would fail the launch. Such ids get a short, stable name derived from the
// id, so the same id always maps to the same directory (files API paths and restarts agree without a lookup table).
import { createHash } from 'node:crypto';

/** Ids up to this many bytes are used as they are (leaves room under NAME_MAX for temporary suffixes). */
export const MAX_PLAIN_NAME_BYTES = 200;

/** Whether an id can be a directory name as it is. */
export function isPlainName(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !/[/\0]/.test(id) && Buffer.byteLength(id) <= MAX_PLAIN_NAME_BYTES;
}

/** The executor's directory name: the id itself when it is a plain name, else a readable prefix and a digest of the id. */
export function executorDirName(executorId: string): string {
  if (isPlainName(executorId)) return executorId;
  const digest = createHash('sha256').update(executorId).digest('hex').slice(0, 32);
  const prefix = executorId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64).replace(/^\.+/, '_');
  return `${prefix}.${digest}`;
}
