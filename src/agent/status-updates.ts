// Reliable status updates: each task's updates go out one at a time, in order, and the head is
// re-sent with exponential backoff until the framework acknowledges its uuid through the master.
import { randomBytes } from 'node:crypto';
import type { TaskStatus } from '../proto/mesos.ts';
import type { ReplayedStream, UpdateJournal } from './status-update-log.ts';

export interface PendingUpdate { frameworkId: string; status: TaskStatus & { uuid: string } }

export interface StatusUpdateOptions {
  /** Delivers one update to the master; rejections are retried like timeouts. */
  send(update: PendingUpdate): Promise<void>;
  initialRetryMs: number; // Mesos: 10 s
  maxRetryMs: number;     // Mesos: 10 min
  /** Called when the last update of a task (a terminal one) has been acknowledged. */
  onTerminalAcknowledged?(frameworkId: string, taskId: string): void;
  isTerminal(status: TaskStatus): boolean;
  /** Where updates and acknowledgements are checkpointed before they take effect (none: memory only). */
  journal?: UpdateJournal;
}

interface Stream { queue: PendingUpdate[]; timer?: NodeJS.Timeout; retryMs: number }

export function newStatusUuid(): string {
  return randomBytes(16).toString('base64');
}

export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();
  private paused = true;

  constructor(private readonly opts: StatusUpdateOptions) {}

  private key(frameworkId: string, taskId: string): string { return `${frameworkId}/${taskId}`; }

  /** Queues an update (assigning its uuid) and sends it if it is at the head of its task's stream. */
  update(frameworkId: string, status: TaskStatus): PendingUpdate {
    const pending: PendingUpdate = { frameworkId, status: { ...status, uuid: status.uuid ?? newStatusUuid() } };
    // Durable before it is first sent: a restarted agent re-sends it with the same uuid.
    this.opts.journal?.appendUpdate(pending);
    const k = this.key(frameworkId, status.task_id.value);
    let stream = this.streams.get(k);
    if (!stream) { stream = { queue: [], retryMs: this.opts.initialRetryMs }; this.streams.set(k, stream); }
    stream.queue.push(pending);
    if (stream.queue.length === 1) this.sendHead(stream);
    return pending;
  }

  /** An ACKNOWLEDGE from the master: pop the head if it matches and move on to the next update. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const k = this.key(frameworkId, taskId);
    const stream = this.streams.get(k);
    const head = stream?.queue[0];
    if (!stream || !head || head.status.uuid !== uuid) return false;
    const terminal = this.opts.isTerminal(head.status);
    if (stream.queue.length === 1) {
      if (terminal) this.opts.journal?.remove(frameworkId, taskId);
      else this.opts.journal?.compact(head);
    } else this.opts.journal?.appendAck(frameworkId, taskId, uuid);
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = undefined;
    stream.queue.shift();
    stream.retryMs = this.opts.initialRetryMs;
    if (stream.queue.length > 0) this.sendHead(stream);
    else {
      this.streams.delete(k);
      if (terminal) this.opts.onTerminalAcknowledged?.(frameworkId, taskId);
    }
    return true;
  }

  /**
   * Re-queues the unacknowledged updates of streams checkpointed by an earlier run (after a crash), with their
   * original uuids and order; they go out on resume(). Does not journal them again.
   */
  restore(streams: ReplayedStream[]): void {
    for (const r of streams) {
      const queue = r.updates.slice(r.acknowledged);
      if (queue.length === 0) continue;
      // Updates of a recovered task that ended meanwhile may already be queued: they come after the restored ones.
      const existing = this.streams.get(this.key(r.frameworkId, r.taskId));
      if (existing) existing.queue.unshift(...queue);
      else this.streams.set(this.key(r.frameworkId, r.taskId), { queue, retryMs: this.opts.initialRetryMs });
    }
  }

  /** While disconnected from the master nothing is sent; resume() re-sends every stream's head. */
  pause(): void {
    this.paused = true;
    for (const s of this.streams.values()) { if (s.timer) clearTimeout(s.timer); s.timer = undefined; }
  }

  resume(): void {
    this.paused = false;
    for (const s of this.streams.values()) { s.retryMs = this.opts.initialRetryMs; this.sendHead(s); }
  }

  /** Unacknowledged updates per task, for state endpoints and re-registration. */
  pending(frameworkId: string, taskId: string): PendingUpdate[] {
    return this.streams.get(this.key(frameworkId, taskId))?.queue ?? [];
  }

  hasPending(frameworkId: string, taskId: string): boolean {
    return this.streams.has(this.key(frameworkId, taskId));
  }

  /** Forgets a framework's streams (framework removed: nobody will acknowledge). */
  dropFramework(frameworkId: string): void {
    for (const [k, s] of this.streams) {
      const head = s.queue[0];
      if (head?.frameworkId !== frameworkId) continue;
      if (s.timer) clearTimeout(s.timer);
      this.opts.journal?.remove(frameworkId, head.status.task_id.value);
      this.streams.delete(k);
    }
  }

  stop(): void {
    this.pause();
  }

  private sendHead(stream: Stream): void {
    if (this.paused) return;
    const head = stream.queue[0];
    if (!head) return;
    if (stream.timer) clearTimeout(stream.timer);
    this.opts.send(head).catch(() => { /* retried by the timer below */ });
    stream.timer = setTimeout(() => {
      stream.timer = undefined;
      stream.retryMs = Math.min(stream.retryMs * 2, this.opts.maxRetryMs);
      this.sendHead(stream);
    }, stream.retryMs);
    stream.timer.unref();
  }
}
