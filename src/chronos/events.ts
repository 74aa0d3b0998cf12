// What changed in the scheduler, as it happens: the feed behind GET /v1/scheduler/events (an extension: Chronos
// has no event stream, so its UI polled). The scheduler publishes; each stream client subscribes.

export type ChronosEventType =
  | 'job_added' | 'job_changed' | 'job_deleted'
  | 'task_queued' | 'task_started' | 'task_running' | 'task_finished' | 'task_dropped';

export interface ChronosEvent {
  type: ChronosEventType;
  jobName: string;
  taskId?: string;
  /** Mesos state of a finished task (TASK_FINISHED, TASK_FAILED, ...). */
  taskStatus?: string;
  /** ISO time the event was published. */
  timestamp: string;
}

export type ChronosEventListener = (e: ChronosEvent) => void;

export class ChronosEvents {
  private readonly listeners = new Set<ChronosEventListener>();

  subscribe(listener: ChronosEventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  publish(e: ChronosEvent): void {
    for (const l of this.listeners) l(e);
  }

  get subscribers(): number { return this.listeners.size; }
}
