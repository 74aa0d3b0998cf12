// Chronos' Prometheus metrics (GET /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ChronosMetrics {
  readonly registry = new Registry();
  readonly runs: Counter<'job' | 'result'>;
  readonly skipped: Counter<'job'>;
  readonly lateness: Histogram;
  private gauges: () => { jobs: number; queued: number; running: number } = () => ({ jobs: 0, queued: 0, running: 0 });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trireme_chronos_' });
    this.runs = new Counter({ name: 'chronos_job_runs_total', help: 'Finished job runs by result (success, failure, killed)', labelNames: ['job', 'result'], registers: [this.registry] });
    this.skipped = new Counter({ name: 'chronos_job_runs_skipped_total', help: 'Scheduled runs skipped: missed by more than epsilon, or already queued', labelNames: ['job'], registers: [this.registry] });
    this.lateness = new Histogram({ name: 'chronos_task_start_lateness_seconds', help: 'Launch time minus due time of each task', registers: [this.registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] });
    const self = this;
    for (const key of ['jobs', 'queued', 'running'] as const) {
      new Gauge({ name: `chronos_${key === 'jobs' ? 'jobs' : `tasks_${key}`}`, help: `Number of ${key === 'jobs' ? 'jobs' : `${key} tasks`}`, registers: [this.registry], collect() { this.set(self.gauges()[key]); } });
    }
  }

  /** Counts the event-stream clients (GET /v1/scheduler/events) from the given source. */
  countEventStreams(source: () => number): void {
    new Gauge({ name: 'chronos_event_streams', help: 'Clients attached to GET /v1/scheduler/events', registers: [this.registry], collect() { this.set(source()); } });
  }

  setGaugeSource(fn: () => { jobs: number; queued: number; running: number }): void { this.gauges = fn; }
}
