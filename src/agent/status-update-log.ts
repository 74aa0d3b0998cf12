// Durable status update streams, as Mesos' status update manager checkpoints them: one append-only JSON-lines file
// per task under <work-dir>/meta/updates. An update is appended (synchronously, before it is first sent) as
// {"update":…}; an acknowledgement as {"ack":"<uuid>"}. After a crash the agent replays every file: the updates after
// the last acknowledged one are re-sent with their original uuids. A torn last line (a write cut short) is skipped.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PendingUpdate } from './status-updates.ts';

/** One record of a stream file. */
export type UpdateRecord = { update: PendingUpdate } | { ack: string };

/** A stream as replayed from its file: every update, and how many of them (from the front) were acknowledged. */
export interface ReplayedStream { frameworkId: string; taskId: string; updates: PendingUpdate[]; acknowledged: number }

/** Replays a stream's records; unparsable lines (a torn last write) and acks of anything but the head are ignored. */
export function replayStream(text: string): ReplayedStream | undefined {
  const updates: PendingUpdate[] = [];
  let acknowledged = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let record: UpdateRecord;
    try { record = JSON.parse(line) as UpdateRecord; } catch { continue; }
    if ('update' in record && record.update?.status?.uuid) updates.push(record.update);
    else if ('ack' in record && updates[acknowledged]?.status.uuid === record.ack) acknowledged++;
  }
  const first = updates[0];
  if (!first) return undefined;
  return { frameworkId: first.frameworkId, taskId: first.status.task_id.value, updates, acknowledged };
}

/** The journal the status update manager writes through (no-op journals for tests and agents without a work dir). */
export interface UpdateJournal {
  appendUpdate(update: PendingUpdate): void;
  appendAck(frameworkId: string, taskId: string, uuid: string): void;
  /** All of a stream's updates are acknowledged: keep only its latest update (for the task's last state). */
  compact(update: PendingUpdate): void;
  /** The stream is over (terminal update acknowledged, or its framework removed). */
  remove(frameworkId: string, taskId: string): void;
}

export class StatusUpdateLog implements UpdateJournal {
  /** Checkpoint failures are reported, not thrown: the update still goes out, it only loses its durability. */
  constructor(private readonly dir: string, private readonly onError: (err: Error) => void = () => undefined) {}

  private guarded(write: () => void): void {
    try { write(); } catch (err) { this.onError(err as Error); }
  }

  private file(frameworkId: string, taskId: string): string {
    return join(this.dir, `${createHash('sha256').update(`${frameworkId}/${taskId}`).digest('hex').slice(0, 32)}.log`);
  }

  private append(frameworkId: string, taskId: string, record: UpdateRecord): void {
    this.guarded(() => {
      mkdirSync(this.dir, { recursive: true });
      // One write of one whole line: it reaches the kernel before the update is sent, so it survives kill -9.
      appendFileSync(this.file(frameworkId, taskId), `${JSON.stringify(record)}\n`);
    });
  }

  appendUpdate(update: PendingUpdate): void {
    this.append(update.frameworkId, update.status.task_id.value, { update });
  }

  appendAck(frameworkId: string, taskId: string, uuid: string): void {
    this.append(frameworkId, taskId, { ack: uuid });
  }

  compact(update: PendingUpdate): void {
    const file = this.file(update.frameworkId, update.status.task_id.value);
    const text = `${JSON.stringify({ update })}\n${JSON.stringify({ ack: update.status.uuid })}\n`;
    this.guarded(() => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    });
  }

  remove(frameworkId: string, taskId: string): void {
    this.guarded(() => rmSync(this.file(frameworkId, taskId), { force: true }));
  }

  /** Every checkpointed stream (after a restart); files that hold no update are removed. */
  replay(): ReplayedStream[] {
    const streams: ReplayedStream[] = [];
    let names: string[];
    try { names = readdirSync(this.dir); } catch { return streams; }
    for (const name of names) {
      const path = join(this.dir, name);
      if (!name.endsWith('.log')) { rmSync(path, { force: true }); continue; } // a compaction cut short
      const stream = replayStream(readFileSync(path, 'utf8'));
      if (stream) streams.push(stream);
      else rmSync(path, { force: true });
    }
    return streams;
  }

  /** Forgets every stream (--recover cleanup). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
