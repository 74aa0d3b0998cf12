// Runs an app's Marathon-side health checks (HTTP, HTTPS, TCP) for each tracked task on its interval, folds the
// results through the pure state machine (state.ts) and reports changes, failures and kills. Mesos-side checks
// (COMMAND, MESOS_*) are run by the agent; their TaskStatus.healthy values come in through reportMesosHealth.
import { applyProbeResult, healthToJSON, INITIAL_HEALTH, isAlive, type Health, type HealthCheckResultJSON, type ProbeResult } from './state.ts';
import { defaultProbe, type ProbeFn } from './probes.ts';
import { effectivePort, MARATHON_PROTOCOLS, type HealthCheckDefinition } from './definition.ts';

export interface TrackedTask {
  taskId: string;
  /** Marathon's instance id for the task; the task id when not given. */
  instanceId?: string;
  appId: string;
  /** Where Marathon probes: the agent's hostname or IP. */
  host: string;
  /** The task's host ports, in portDefinitions order. */
  ports: number[];
  /** When the task became running (epoch ms); the grace period counts from here. */
  startedAt: number;
  healthChecks: HealthCheckDefinition[];
}

export type HealthChange = HealthCheckResultJSON & { healthCheckIndex: number };

export interface HealthMonitorOptions {
  now?: () => number;
  probe?: ProbeFn;
  /** A check's verdict for a task changed (Marathon's health_status_changed_event). */
  onChange(taskId: string, alive: boolean, result: HealthChange): void;
  /** The task failed too many consecutive checks and must be killed (unhealthy_task_kill_event); once per task. */
  onUnhealthy(taskId: string, reason: string): void;
  /** A failure was counted (failed_health_check_event). */
  onFailure?(taskId: string, healthCheckIndex: number, cause: string): void;
  /** Any result was folded in (timestamps in `results` moved): lets callers drop cached views. */
  onResult?(taskId: string): void;
}

interface CheckRun { def: HealthCheckDefinition; health: Health; timer?: NodeJS.Timeout; inFlight: boolean }
interface Entry { task: TrackedTask; checks: CheckRun[]; killed: boolean }

/** Marathon starts probing no later than 5 s after a check is set up, then every intervalSeconds. */
const FIRST_PROBE_AFTER_MS = 5000;
const MIN_INTERVAL_MS = 1000;

export class HealthMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly probe: ProbeFn;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.now = opts.now ?? Date.now;
    this.probe = opts.probe ?? defaultProbe;
  }

  /** Starts checking a running task (replacing an earlier registration of the same id). */
  track(task: TrackedTask): void {
    this.untrack(task.taskId);
    const entry: Entry = { task, checks: task.healthChecks.map((def) => ({ def, health: INITIAL_HEALTH, inFlight: false })), killed: false };
    this.entries.set(task.taskId, entry);
    entry.checks.forEach((run, index) => {
      if (!MARATHON_PROTOCOLS.includes(run.def.protocol)) return;
      const interval = Math.max(MIN_INTERVAL_MS, run.def.intervalSeconds * 1000);
      this.schedule(entry, index, Math.min(interval, FIRST_PROBE_AFTER_MS));
    });
  }

  untrack(taskId: string): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    for (const run of entry.checks) if (run.timer) clearTimeout(run.timer);
    this.entries.delete(taskId);
  }

  tracked(): string[] {
    return [...this.entries.keys()];
  }

  /** Marathon's `healthCheckResults` for the task: one entry per health check ([] when not tracked). */
  results(taskId: string): HealthCheckResultJSON[] {
    const entry = this.entries.get(taskId);
    if (!entry) return [];
    const ids = { instanceId: entry.task.instanceId ?? taskId, taskId };
    return entry.checks.map((run) => healthToJSON(run.health, ids));
  }

  /** True when every check passed last time, false when one did not, undefined without checks or results yet. */
  alive(taskId: string): boolean | undefined {
    const entry = this.entries.get(taskId);
    if (!entry || entry.checks.length === 0) return undefined;
    if (entry.checks.every((c) => c.health.lastSuccess === undefined && c.health.lastFailure === undefined)) return undefined;
    return entry.checks.every((c) => isAlive(c.health));
  }

  /** A TaskStatus with `healthy` arrived for a task: it is the result of the task's Mesos-side checks. */
  reportMesosHealth(taskId: string, healthy: boolean): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    entry.checks.forEach((run, index) => {
      if (MARATHON_PROTOCOLS.includes(run.def.protocol)) return;
      // Mesos does not say why a check failed; Marathon records an empty cause.
      this.record(taskId, index, healthy ? { kind: 'healthy' } : { kind: 'unhealthy', cause: '' });
    });
  }

  /** Folds one result of check `index` into the task's health and reports what changed. */
  record(taskId: string, index: number, result: ProbeResult): void {
    const entry = this.entries.get(taskId);
    const run = entry?.checks[index];
    if (!entry || !run) return;
    const t = applyProbeResult(run.health, result, this.now(), {
      startedAt: entry.task.startedAt, gracePeriodSeconds: run.def.gracePeriodSeconds, maxConsecutiveFailures: run.def.maxConsecutiveFailures,
    });
    run.health = t.health;
    this.opts.onResult?.(taskId);
    if (t.failureCounted && result.kind === 'unhealthy') this.opts.onFailure?.(taskId, index, result.cause);
    if (t.aliveChanged) {
      const json = healthToJSON(t.health, { instanceId: entry.task.instanceId ?? taskId, taskId });
      this.opts.onChange(taskId, t.alive, { ...json, healthCheckIndex: index });
    }
    if (t.kill && !entry.killed) {
      entry.killed = true;
      this.opts.onUnhealthy(taskId, t.health.lastFailureCause ?? 'unknown');
    }
  }

  /** Stops every timer (tracked tasks are forgotten). */
  stop(): void {
    for (const id of [...this.entries.keys()]) this.untrack(id);
  }

  private schedule(entry: Entry, index: number, delayMs: number): void {
    const run = entry.checks[index]!;
    run.timer = setTimeout(() => { void this.runProbe(entry, index); }, delayMs);
    run.timer.unref();
  }

  private async runProbe(entry: Entry, index: number): Promise<void> {
    const run = entry.checks[index]!;
    const interval = Math.max(MIN_INTERVAL_MS, run.def.intervalSeconds * 1000);
    if (this.entries.get(entry.task.taskId) !== entry) return; // untracked meanwhile
    this.schedule(entry, index, interval);
    if (run.inFlight) return; // the previous probe is still waiting for its timeout
    const port = effectivePort(run.def, entry.task.ports);
    let result: ProbeResult;
    if (port === undefined) {
      result = { kind: 'unhealthy', cause: "Health check failed: unable to get the task's effectivePort" };
    } else {
      run.inFlight = true;
      try {
        result = await this.probe({
          protocol: run.def.protocol as 'HTTP' | 'HTTPS' | 'TCP', host: entry.task.host, port, path: run.def.path,
          // timeoutSeconds 0: bounded by the interval.
          timeoutMs: run.def.timeoutSeconds > 0 ? run.def.timeoutSeconds * 1000 : interval, ignoreHttp1xx: run.def.ignoreHttp1xx,
        });
      } catch (err) {
        result = { kind: 'unhealthy', cause: (err as Error).message };
      } finally {
        run.inFlight = false;
      }
    }
    if (this.entries.get(entry.task.taskId) !== entry) return;
    this.record(entry.task.taskId, index, result);
  }
}
