// Master metrics: counters kept under Mesos' names for /metrics/snapshot, mirrored into Prometheus.
import os from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskState } from '../proto/mesos.ts';

const TERMINAL_COUNTERS: Partial<Record<TaskState, string>> = {
  TASK_FINISHED: 'master/tasks_finished', TASK_FAILED: 'master/tasks_failed', TASK_KILLED: 'master/tasks_killed',
  TASK_LOST: 'master/tasks_lost', TASK_ERROR: 'master/tasks_error', TASK_DROPPED: 'master/tasks_dropped',
  TASK_GONE: 'master/tasks_gone', TASK_GONE_BY_OPERATOR: 'master/tasks_gone_by_operator',
};

export function promName(mesosName: string): string {
  return `mesos_${mesosName.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export class MasterMetrics {
  readonly registry = new Registry();
  private readonly counts = new Map<string, number>();
  private readonly promCounters = new Map<string, Counter>();
  private readonly allocationSeconds: Histogram;
  /** Gauges computed from the master's state at scrape time. */
  private gaugeSource: () => Record<string, number> = () => ({});

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trireme_master_' });
    this.allocationSeconds = new Histogram({ name: 'trireme_allocation_duration_seconds', help: 'Duration of one allocation cycle', registers: [this.registry], buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    for (const name of [...Object.values(TERMINAL_COUNTERS), 'master/slave_registrations', 'master/slave_reregistrations', 'master/slave_removals',
      'master/slave_unreachable_completed', 'master/valid_status_updates', 'master/invalid_status_updates',
      'master/valid_framework_to_executor_messages', 'master/invalid_framework_to_executor_messages', 'allocator/mesos/allocation_runs']) {
      this.ensure(name!);
    }
    const self = this;
    new Gauge({
      name: 'mesos_master_state', help: 'Master gauges under their Mesos /metrics/snapshot names (label: name)', labelNames: ['name'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(self.gaugeSource())) this.set({ name: k }, v);
      },
    });
  }

  private ensure(name: string): void {
    if (this.counts.has(name)) return;
    this.counts.set(name, 0);
    this.promCounters.set(name, new Counter({ name: `${promName(name)}_total`, help: `Mesos counter ${name}`, registers: [this.registry] }));
  }

  counter(name: string, by = 1): void {
    this.ensure(name);
    this.counts.set(name, this.counts.get(name)! + by);
    this.promCounters.get(name)!.inc(by);
  }

  taskTransition(_from: TaskState, to: TaskState): void {
    const name = TERMINAL_COUNTERS[to];
    if (name) this.counter(name);
  }

  observeAllocation(ms: number): void {
    this.allocationSeconds.observe(ms / 1000);
  }

  setGaugeSource(source: () => Record<string, number>): void {
    this.gaugeSource = source;
  }

  /** The flat `/metrics/snapshot` object. */
  snapshot(): Record<string, number> {
    const load = os.loadavg();
    return {
      ...Object.fromEntries(this.counts),
      ...this.gaugeSource(),
      'system/cpus_total': os.cpus().length,
      'system/load_1min': load[0]!, 'system/load_5min': load[1]!, 'system/load_15min': load[2]!,
      'system/mem_total_bytes': os.totalmem(), 'system/mem_free_bytes': os.freemem(),
    };
  }
}
