// The Chronos scheduler service: jobs, the task queue, run history and counters, kept in memory and written
// through to the Store. Decisions come from the pure modules (schedule, graph, runs, constraints); this class
// carries them out: timers at the edge, launches through the shared OfferLoop, status updates from the client.
import type { JobNotice } from './notifications.ts';
import type { StateFormat } from '../state/state-format.ts';
import type { Logger } from 'pino';
import type { Clock } from '../common/clock.ts';
import { isTerminalState, type TaskInfo, type TaskStatus } from '../proto/mesos.ts';
import { chronosContainerInfo } from './container.ts';
import type { OfferPlanner } from '../framework/offer-loop.ts';
import type { OfferBudget } from '../framework/offer-matcher.ts';
import type { Store, StoreOp } from '../state/store.ts';
import { offerSatisfies } from './constraints.ts';
import { childrenOf, dependencyError, parentCompleted, rewireOnDelete, type JobLookup } from './graph.ts';
import { keepCounters, type Job } from './job.ts';
import type { ChronosEventType } from './events.ts';
import type { ChronosMetrics } from './metrics.ts';
import { appendBounded, countFailure, countSuccess, outcomeOf, retryAfterFailure, type Outcome, type RunRecord } from './runs.ts';
import { dueAt, formatSchedule, parseIsoDuration, parseSchedule, type Schedule } from './schedule.ts';
import { formatTaskId } from './task-id.ts';
import { recoverLaunch } from './launch-recovery.ts';
import { commitUnits, recordTooLarge } from '../state/commit-units.ts';

/** A task of a job: queued until an offer takes it, then launched / running, or awaiting an async callback. */
export interface ChronosTask {
  taskId: string;
  jobName: string;
  due: number;
  attempt: number;
  arguments: string;
  state: 'queued' | 'launched' | 'running' | 'awaiting';
  agentId?: string;
  host?: string;
  start?: number;
}

interface JobRecord { job: Job; parentsDone: string[] }

/**
 * A job's schedule as the loop reads it, with its next instant and epsilon in ms, so the pass over every job on
 * each tick is a comparison per job, not date arithmetic (1,000 jobs: about 9 ms per tick otherwise).
 */
interface ParsedSchedule { text: string; tz: string; schedule: Schedule; startMs: number; epsilonText: string; epsilonMs: number }

export interface ChronosSchedulerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: ChronosMetrics;
  /** Runs kept per job (oldest dropped). */
  historyLimit: number;
  /** Delay before a failed attempt is retried (Chronos --failure_retry). */
  failureRetryMs: number;
  /** Disable a job after this many failures in a row (Chronos --disable_after_failures); 0 = never. */
  disableAfterFailures?: number;
  /** Mesos role whose resources tasks use. */
  role: string;
  /** How long before a due run offers are fetched and kept (--offer-hold-horizon); 0 never keeps offers. */
  offerHoldHorizonMs?: number;
  /** Kill a task on its agent (the scheduler client's KILL). */
  kill(taskId: string, agentId?: string): Promise<void>;
  /** Something became launchable: revive offers. */
  wake(): void;
  /** A job failed beyond its retries, was disabled for failing, or was deleted: tell its owners. */
  notify?(notice: JobNotice): void;
  /**
   * Called once launches are durably recorded, just before their ACCEPT goes out. Test hook only: the crash-safety
   * end-to-end test makes the process die here (TRIREME_CHRONOS_TEST_CRASH, see server.ts).
   */
  launchRecorded?(): void;
  /** Told about every change to a job or its tasks (feeds the event stream). */
  onEvent?(type: ChronosEventType, jobName: string, detail?: { taskId?: string; taskStatus?: string }): void;
}

/** The client-facing error: Chronos answers it with 400 {"message", "status": "Bad Request"}. */
export class BadRequest extends Error {}

const PREFIX = '/chronos';
/** Format of Chronos' state under /chronos; bump with a migration when what is stored changes shape. */
export const CHRONOS_STATE_FORMAT: StateFormat = { key: `${PREFIX}/format`, current: 1, migrations: [] };
function segment(s: string): string {
  const e = encodeURIComponent(s);
  return /^\.+$/.test(e) ? e.replace(/\./g, '%2E') : e; // '.' and '..' are not valid ZooKeeper node names
}
const jobKey = (name: string) => `${PREFIX}/jobs/${segment(name)}`;
const taskKey = (id: string) => `${PREFIX}/tasks/${segment(id)}`;
const historyKey = (name: string) => `${PREFIX}/history/${segment(name)}`;
export const FRAMEWORK_ID_KEY = `${PREFIX}/framework-id`;

const MAX_TIMER_MS = 60_000;
/**
 * Default of --offer-hold-horizon: offers are fetched and kept from this long before a run falls due, so its ACCEPT
 * goes out at the due time instead of a revive → allocation → offer round trip later (start lateness; see
 * BENCHMARKS.md, Chronos). Short, because kept offers are withheld from every other framework: with the seed's job
 * every 2 s, a 2 s horizon kept every agent from Marathon all the time (docs/decisions/0151).
 */
export const OFFER_HORIZON_MS = 500;

export class ChronosScheduler implements OfferPlanner {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly tasks = new Map<string, ChronosTask>();
  private readonly history = new Map<string, RunRecord[]>();
  /** Parsed schedules, keyed by job name and valid while the job's schedule text is unchanged. */
  private readonly parsed = new Map<string, ParsedSchedule>();
  private timer?: NodeJS.Timeout;
  /** Fires the offer hold horizon before the next due time: fetch offers to keep. */
  private prefetchTimer?: NodeJS.Timeout;
  /** When the armed timer fires (epoch ms); -Infinity when none is armed. */
  private timerAt = -Infinity;
  /** The next due instant the latest advance() found (epoch ms): offers are kept from the hold horizon before. */
  private nextDueAt = Infinity;
  /** The jobs as the graph functions read them, without copying. */
  private readonly lookup: JobLookup<Job> = {
    has: (n) => this.jobs.has(n),
    get: (n) => this.jobs.get(n)?.job,
    values: () => [...this.jobs.values()].map((r) => r.job),
  };
  private writes: Promise<unknown> = Promise.resolve();
  /** The write waiting for the one in flight; later writes join it. */
  private batch?: { units: StoreOp[][]; done: Promise<void> };
  /** The write recording the launches of the latest plan(); their ACCEPT waits for it (write-ahead). */
  private launchWrite: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly o: ChronosSchedulerOptions) {
    o.metrics.setGaugeSource(() => ({ jobs: this.jobs.size, queued: this.queued().length, running: this.tasks.size - this.queued().length }));
  }

  // ------------------------------------------------------------------ lifecycle

  /** Loads jobs, tasks and history from the store. */
  async load(): Promise<void> {
    this.jobs.clear(); this.tasks.clear(); this.history.clear(); this.parsed.clear();
    for (const e of await this.o.store.list<JobRecord>(`${PREFIX}/jobs/`)) this.jobs.set(e.value.job.name, e.value);
    for (const e of await this.o.store.list<ChronosTask>(`${PREFIX}/tasks/`)) this.tasks.set(e.value.taskId, e.value);
    for (const e of await this.o.store.list<RunRecord[]>(`${PREFIX}/history/`)) if (e.value.length > 0) this.history.set(e.value[0]!.jobName, e.value);
    // Tasks whose job vanished (e.g. deleted while a write was in flight) are forgotten.
    for (const [id, t] of this.tasks) if (!this.jobs.has(t.jobName)) this.tasks.delete(id);
  }

  /** Starts the schedule loop (this process leads). */
  start(): void {
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.nextDueAt = Infinity;
    if (this.timer) clearTimeout(this.timer);
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.timer = undefined;
    this.prefetchTimer = undefined;
    this.timerAt = -Infinity;
  }

  /** Resolves once every write issued so far reached the store. */
  flush(): Promise<void> { return this.writes.then(() => undefined); }

  /** Launched or running tasks, for reconciliation after every (re)subscription. */
  knownTasks(): Array<{ task_id: { value: string }; agent_id?: { value: string } }> {
    return [...this.tasks.values()].filter((t) => t.state !== 'queued' && t.agentId).map((t) => ({ task_id: { value: t.taskId }, agent_id: { value: t.agentId! } }));
  }

  // ------------------------------------------------------------------ reads

  allJobs(): Job[] { return [...this.jobs.values()].map((r) => r.job); }
  job(name: string): Job | undefined { return this.jobs.get(name)?.job; }
  jobHistory(name: string): RunRecord[] { return this.history.get(name) ?? []; }
  tasksOf(name: string): ChronosTask[] { return [...this.tasks.values()].filter((t) => t.jobName === name); }
  task(id: string): ChronosTask | undefined { return this.tasks.get(id); }

  /** When a scheduled job next falls due (epoch ms); undefined for dependent, broken or exhausted schedules. */
  nextRunAt(name: string): number | undefined {
    const job = this.jobs.get(name)?.job;
    if (!job || job.schedule === undefined) return undefined;
    const s = this.scheduleOf(job);
    return s && s.recurrences !== 0 ? s.start.toMillis() : undefined;
  }

  /** Tasks of every job by job name, built in one pass (for listings of many jobs). */
  tasksByJob(): Map<string, ChronosTask[]> {
    const out = new Map<string, ChronosTask[]>();
    for (const t of this.tasks.values()) {
      const list = out.get(t.jobName);
      if (list) list.push(t); else out.set(t.jobName, [t]);
    }
    return out;
  }

  /** Chronos' in-memory status of a job: idle, queued, running or "<n> running". */
  status(name: string, tasks: readonly ChronosTask[] = this.tasksOf(name)): string {
    const active = tasks.filter((t) => t.state !== 'queued').length;
    if (active === 1) return 'running';
    if (active > 1) return `${active} running`;
    return tasks.length > 0 ? 'queued' : 'idle';
  }

  // ------------------------------------------------------------------ writes from the API

  /** Creates or replaces a job (already validated on its own). Rejects unknown parents and cycles. */
  async upsert(job: Job, given: Set<string>): Promise<void> {
    const previous = this.jobs.get(job.name);
    const err = dependencyError(this.lookup, job);
    if (err) throw new BadRequest(err);
    const next = keepCounters(job, given, previous?.job);
    const record: JobRecord = { job: next, parentsDone: previous && sameSet(previous.job.parents, next.parents) ? previous.parentsDone : [] };
    // Refused before anything changes: a record the store then rejects (ZooKeeper: 1 MB) would be lost at restart.
    const tooLarge = recordTooLarge(this.o.store, record, 'the job definition');
    if (tooLarge) throw new BadRequest(tooLarge);
    this.jobs.set(job.name, record);
    this.parsed.delete(job.name);
    this.o.logger.info({ job: job.name, schedule: next.schedule, parents: next.parents }, previous ? 'job replaced' : 'job created');
    this.emit(previous ? 'job_changed' : 'job_added', job.name);
    await this.write([{ op: 'put', key: jobKey(job.name), value: record }]);
    // Only this job changed: step the loop now if it is due before the armed timer (avoids an O(jobs) pass per POST).
    const schedule = next.schedule !== undefined && !next.disabled ? this.scheduleOf(next) : undefined;
    if (schedule && schedule.recurrences !== 0 && schedule.start.toMillis() < this.timerAt) this.tick();
  }

  /** Deletes a job: its children are rewired as Chronos does, its tasks killed and dequeued. */
  async remove(name: string): Promise<void> {
    const removed = this.requireJob(name);
    const ops: StoreOp[] = [];
    for (const rw of rewireOnDelete(this.lookup, name)) {
      const child = this.jobs.get(rw.name)!;
      let job: Job;
      if (rw.kind === 'parents') job = { ...child.job, parents: rw.parents };
      else {
        const { parents: _dropped, ...rest } = child.job;
        job = { ...rest, schedule: rw.schedule, scheduleTimeZone: rw.scheduleTimeZone };
      }
      const updated: JobRecord = { job, parentsDone: child.parentsDone.filter((p) => job.parents?.includes(p)) };
      this.jobs.set(rw.name, updated);
      this.parsed.delete(rw.name);
      ops.push({ op: 'put', key: jobKey(rw.name), value: updated });
    }
    ops.push(...this.dropTasks(name, true));
    this.jobs.delete(name);
    this.parsed.delete(name);
    this.history.delete(name);
    ops.push({ op: 'delete', key: jobKey(name) }, { op: 'delete', key: historyKey(name) });
    this.o.logger.info({ job: name, rewired: ops.length }, 'job deleted');
    this.emit('job_deleted', name);
    for (const op of ops) if (op.op === 'put' && op.key.startsWith(`${PREFIX}/jobs/`)) this.emit('job_changed', (op.value as JobRecord).job.name);
    await this.write(ops);
    this.o.notify?.({ kind: 'deleted', job: removed.job });
    this.tick();
  }

  /** PUT /scheduler/job/{name}: run now (optionally with other arguments). */
  async runNow(name: string, args?: string): Promise<void> {
    const { job } = this.requireJob(name);
    const ops = this.enqueue(job, this.o.clock.now(), 0, args === undefined ? job.arguments.join(' ') : args.replace(/;/g, ''));
    await this.write(ops);
    this.o.wake();
  }

  /** DELETE /scheduler/task/kill/{name}: kill running tasks and drop queued ones. */
  async killTasks(name: string): Promise<void> {
    this.requireJob(name);
    await this.write(this.dropTasks(name, true));
  }

  /** DELETE /scheduler/task/all (2.x): drop every queued task; running ones are left alone. */
  async purgeQueue(): Promise<void> {
    const ops: StoreOp[] = [];
    for (const t of [...this.tasks.values()]) {
      if (t.state !== 'queued') continue;
      this.tasks.delete(t.taskId);
      this.emit('task_dropped', t.jobName, { taskId: t.taskId });
      ops.push({ op: 'delete', key: taskKey(t.taskId) });
    }
    await this.write(ops);
  }

  /** PUT /scheduler/job/success/{name}: count a success and fire its dependents. */
  async markSuccess(name: string): Promise<boolean> {
    const record = this.requireJob(name);
    const now = this.o.clock.now();
    record.job = { ...record.job, ...countSuccess(record.job, now) };
    const ops: StoreOp[] = [{ op: 'put', key: jobKey(name), value: record }, ...this.fireChildren(name, now)];
    this.emit('job_changed', name);
    await this.write(ops);
    this.o.wake();
    return true;
  }

  /** PUT /scheduler/task/{taskId} {"statusCode": n}: an async job reports completion. */
  async asyncCompleted(taskId: string, statusCode: number): Promise<void> {
    const t = this.tasks.get(taskId);
    if (!t) throw new BadRequest(`Task '${taskId}' not found (not running or already completed)`);
    const now = this.o.clock.now();
    await this.write(this.finish(t, statusCode === 0 ? 'success' : 'failure', 'ASYNC_CALLBACK', now, { exitStatus: statusCode, message: `async callback with statusCode ${statusCode}` }));
    this.o.wake();
  }

  private requireJob(name: string): JobRecord {
    const r = this.jobs.get(name);
    if (!r) throw new BadRequest(`Job '${name}' not found`);
    return r;
  }

  // ------------------------------------------------------------------ the schedule loop

  /** Consumes due instants of every scheduled job, enqueues runs, re-arms the timer for the next due time. */
  tick(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.prefetchTimer = undefined;
    const next = this.advance();
    this.timerAt = next;
    this.o.wake(); // launches what fell due into kept offers, or fetches offers, or lets kept ones go
    const now = this.o.clock.now();
    this.timer = setTimeout(() => this.tick(), Math.max(1, next - now));
    this.timer.unref?.();
    const horizon = this.holdHorizonMs;
    if (horizon > 0 && next - now > horizon) {
      this.prefetchTimer = setTimeout(() => { this.prefetchTimer = undefined; this.o.wake(); }, next - now - horizon);
      this.prefetchTimer.unref?.();
    }
  }

  /** One step of the loop at the clock's now (tests call it directly): returns when to look again (epoch ms). */
  advance(): number {
    const now = this.o.clock.now();
    // One unit per job (its record and its queued run belong together); a thousand jobs due at once are then
    // committed in as many transactions as the store needs (commitUnits).
    const units: StoreOp[][] = [];
    let next = now + MAX_TIMER_MS;
    for (const record of this.jobs.values()) {
      const job = record.job;
      if (job.schedule === undefined || job.disabled) continue;
      const entry = this.parsedOf(job);
      if (!entry || entry.schedule.recurrences === 0) continue;
      if (entry.startMs > now) { next = Math.min(next, entry.startMs); continue; }
      const decision = dueAt(entry.schedule, now, entry.epsilonMs);
      if (decision) {
        const text = formatSchedule(decision.next);
        record.job = { ...job, schedule: text };
        this.parsed.set(job.name, { ...entry, text, schedule: decision.next, startMs: decision.next.start.toMillis() });
        if (decision.skipped > 0) {
          this.o.metrics.skipped.inc({ job: job.name }, decision.skipped);
          this.o.logger.warn({ job: job.name, skipped: decision.skipped, epsilon: job.epsilon }, 'scheduled runs missed by more than epsilon were skipped');
        }
        const unit: StoreOp[] = [{ op: 'put', key: jobKey(job.name), value: record }];
        this.emit('job_changed', job.name);
        if (decision.runDue !== undefined) unit.push(...this.enqueue(record.job, decision.runDue, 0, job.arguments.join(' ')));
        units.push(unit);
        if (decision.next.recurrences !== 0) next = Math.min(next, decision.next.start.toMillis());
      } else {
        next = Math.min(next, entry.startMs);
      }
    }
    // Queued retries wake the loop when they fall due.
    for (const t of this.tasks.values()) if (t.state === 'queued' && t.due > now) next = Math.min(next, t.due);
    if (units.length > 0) void this.writeUnits(units);
    this.nextDueAt = next;
    return next;
  }

  private scheduleOf(job: Job): Schedule | undefined {
    return this.parsedOf(job)?.schedule;
  }

  private parsedOf(job: Job): ParsedSchedule | undefined {
    const cached = this.parsed.get(job.name);
    if (cached && cached.text === job.schedule && cached.tz === job.scheduleTimeZone && cached.epsilonText === job.epsilon) return cached;
    const r = parseSchedule(job.schedule!, this.o.clock.now(), job.scheduleTimeZone);
    if (!r.ok) { this.o.logger.error({ job: job.name, schedule: job.schedule, err: r.message }, 'stored schedule does not parse; job not scheduled'); return undefined; }
    const entry: ParsedSchedule = {
      text: job.schedule!, tz: job.scheduleTimeZone, schedule: r.schedule, startMs: r.schedule.start.toMillis(),
      epsilonText: job.epsilon, epsilonMs: parseIsoDuration(job.epsilon) ?? 60_000,
    };
    this.parsed.set(job.name, entry);
    return entry;
  }

  /**
   * Queues a run. A job is in the queue at most once (as in Chronos): a newer due run supersedes a still-queued
   * older one (which is counted as skipped), so a job held back by concurrency runs its latest instant.
   */
  private enqueue(job: Job, due: number, attempt: number, rawArgs: string): StoreOp[] {
    if (job.disabled) return [];
    // Chronos drops ';' from a task's arguments whatever their source (job arguments or ?arguments=): a shell job
    // runs "<command> <arguments>" through sh -c, where ';' would start a second command. Without a shell the
    // job's arguments are its argv and reach the process verbatim (as Chronos' CommandInfo.arguments do).
    const args = job.shell ? rawArgs.replace(/;/g, '') : rawArgs;
    const ops: StoreOp[] = [];
    if (attempt === 0) {
      const waiting = [...this.tasks.values()].find((t) => t.jobName === job.name && t.state === 'queued' && t.attempt === 0);
      if (waiting && waiting.due >= due) {
        this.o.metrics.skipped.inc({ job: job.name });
        this.o.logger.info({ job: job.name, due }, 'a run of this job is already queued; not queueing another');
        return [];
      }
      if (waiting) {
        this.tasks.delete(waiting.taskId);
        this.emit('task_dropped', job.name, { taskId: waiting.taskId });
        ops.push({ op: 'delete', key: taskKey(waiting.taskId) });
        this.o.metrics.skipped.inc({ job: job.name });
        this.o.logger.info({ job: job.name, superseded: waiting.taskId }, 'a newer run supersedes the queued one');
      }
    }
    const task: ChronosTask = { taskId: formatTaskId({ due, attempt, jobName: job.name, arguments: args }), jobName: job.name, due, attempt, arguments: args, state: 'queued' };
    if (this.tasks.has(task.taskId)) return ops;
    this.tasks.set(task.taskId, task);
    this.o.logger.info({ job: job.name, taskId: task.taskId }, 'task queued');
    this.emit('task_queued', job.name, { taskId: task.taskId });
    ops.push({ op: 'put', key: taskKey(task.taskId), value: task });
    return ops;
  }

  /** Removes the job's queued tasks and (when `kill`) kills its launched ones. */
  private dropTasks(name: string, kill: boolean): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const t of this.tasksOf(name)) {
      if (t.state === 'queued' || t.state === 'awaiting') {
        this.tasks.delete(t.taskId);
        this.emit('task_dropped', name, { taskId: t.taskId });
        ops.push({ op: 'delete', key: taskKey(t.taskId) });
      } else if (kill) {
        this.o.kill(t.taskId, t.agentId).catch((err: Error) => this.o.logger.warn({ taskId: t.taskId, err: err.message }, 'kill failed'));
      }
    }
    return ops;
  }

  // ------------------------------------------------------------------ offers (OfferPlanner)

  private queued(): ChronosTask[] {
    return [...this.tasks.values()].filter((t) => t.state === 'queued');
  }

  private blocked(t: ChronosTask): boolean {
    const job = this.jobs.get(t.jobName)?.job;
    if (!job || job.concurrent) return false;
    return [...this.tasks.values()].some((o) => o.jobName === t.jobName && o.state !== 'queued');
  }

  wantsOffers(): boolean {
    const now = this.o.clock.now();
    return this.queued().some((t) => t.due <= now && !this.blocked(t));
  }

  private get holdHorizonMs(): number { return this.o.offerHoldHorizonMs ?? OFFER_HORIZON_MS; }

  /** Keep offers while a run is due within the hold horizon (the armed timer or a queued retry). */
  holdOffers(): boolean {
    const horizon = this.holdHorizonMs;
    if (horizon <= 0) return false;
    const now = this.o.clock.now();
    if (this.nextDueAt - now <= horizon) return true;
    return this.queued().some((t) => t.due - now <= horizon && !this.blocked(t));
  }

  plan(offers: OfferBudget[]): Map<string, TaskInfo[]> {
    const now = this.o.clock.now();
    const placed = new Map<string, TaskInfo[]>();
    const ops: StoreOp[] = [];
    const candidates = this.queued().filter((t) => t.due <= now).sort((a, b) => {
      const pa = Number(this.jobs.get(a.jobName)?.job.highPriority ?? false); const pb = Number(this.jobs.get(b.jobName)?.job.highPriority ?? false);
      return pb - pa || a.due - b.due;
    });
    for (const t of candidates) {
      const job = this.jobs.get(t.jobName)?.job;
      const epsilon = job ? parseIsoDuration(job.epsilon) ?? 60_000 : 0;
      if (!job || job.disabled || now - t.due > epsilon) {
        // A run that could not start within epsilon (no offers, or its previous run still going) is skipped.
        this.tasks.delete(t.taskId);
        this.emit('task_dropped', t.jobName, { taskId: t.taskId });
        ops.push({ op: 'delete', key: taskKey(t.taskId) });
        if (job) { this.o.metrics.skipped.inc({ job: job.name }); this.o.logger.warn({ taskId: t.taskId, lateMs: now - t.due }, 'task could not start within epsilon; skipped'); }
        continue;
      }
      if (this.blocked(t)) continue;
      for (const budget of offers) {
        if (!offerSatisfies(budget.offer, job.constraints)) continue;
        // A role's reservation first, then the shared pool, as Chronos uses both.
        const fit = budget.take({ cpus: job.cpus, mem: job.mem, disk: job.disk, acceptedRoles: this.o.role === '*' ? ['*'] : [this.o.role, '*'] });
        if (!fit.ok) continue;
        const info = this.taskInfo(job, t, budget, fit.resources);
        const list = placed.get(budget.offer.id.value) ?? [];
        list.push(info);
        placed.set(budget.offer.id.value, list);
        Object.assign(t, { state: 'launched', agentId: budget.offer.agent_id.value, host: budget.offer.hostname, start: now });
        ops.push({ op: 'put', key: taskKey(t.taskId), value: t });
        this.o.metrics.lateness.observe(Math.max(0, now - t.due) / 1000);
        this.o.logger.info({ taskId: t.taskId, host: budget.offer.hostname }, 'task launched');
        this.emit('task_started', t.jobName, { taskId: t.taskId });
        break;
      }
    }
    // Write-ahead: the launches (state 'launched' with agent and start) reach the store before the ACCEPT is sent
    // (OfferLoop awaits launchesRecorded), so a restarted Chronos reconciles them instead of launching them again.
    // Each operation is its own change (one task's record), so a plan of thousands fits ZooKeeper's transactions.
    this.launchWrite = this.writeUnits(ops.map((op) => [op]));
    this.launchWrite.catch(() => undefined);
    return placed;
  }

  async launchesRecorded(): Promise<void> {
    await this.launchWrite;
    this.o.launchRecorded?.();
  }

  launchFailed(tasks: TaskInfo[]): void {
    const ops: StoreOp[] = [];
    for (const info of tasks) {
      const t = this.tasks.get(info.task_id.value);
      if (!t) continue;
      t.state = 'queued';
      delete t.agentId; delete t.host; delete t.start;
      this.emit('task_queued', t.jobName, { taskId: t.taskId });
      ops.push({ op: 'put', key: taskKey(t.taskId), value: t });
    }
    void this.writeUnits(ops.map((op) => [op]));
  }

  /** The TaskInfo Chronos builds: command with shell/arguments, CHRONOS_* environment, fetch URIs, Docker container. */
  private taskInfo(job: Job, t: ChronosTask, budget: OfferBudget, resources: TaskInfo['resources']): TaskInfo {
    const builtIn: Record<string, string> = {
      mesos_task_id: t.taskId, MESOS_TASK_ID: t.taskId, CHRONOS_JOB_OWNER: job.owner, CHRONOS_JOB_NAME: job.name, HOST: budget.offer.hostname,
      CHRONOS_RESOURCE_MEM: String(job.mem), CHRONOS_RESOURCE_CPU: String(job.cpus), CHRONOS_RESOURCE_DISK: String(job.disk),
      CHRONOS_JOB_RUN_TIME: String(t.due), CHRONOS_JOB_RUN_ATTEMPT: String(t.attempt),
    };
    // User variables first; Chronos' own win on a name clash.
    const env = new Map<string, string>(job.environmentVariables.map((v) => [v.name, v.value]));
    for (const [k, v] of Object.entries(builtIn)) env.set(k, v);
    const uris = job.fetch.length > 0
      ? job.fetch.map((f) => ({ value: f.uri, executable: f.executable, extract: f.extract, cache: f.cache, ...(f.output_file ? { output_file: f.output_file } : {}) }))
      : job.uris.map((value) => ({ value, executable: false, extract: true, cache: false }));
    const argv = t.arguments === '' ? [] : t.arguments.split(' ');
    const command = job.shell
      ? { shell: true, value: t.arguments === '' ? job.command : `${job.command} ${t.arguments}` }
      : { shell: false, value: job.command, arguments: [job.command, ...argv] };
    const container = chronosContainerInfo(job.container);
    return {
      name: `ChronosTask:${job.name}`,
      task_id: { value: t.taskId },
      agent_id: budget.offer.agent_id,
      resources,
      command: { ...command, environment: { variables: [...env].map(([name, value]) => ({ name, value })) }, ...(uris.length ? { uris } : {}), ...(job.runAsUser ? { user: job.runAsUser } : {}) },
      ...(container ? { container } : {}),
      ...(job.maxCompletionTime > 0 ? { max_completion_time: { nanoseconds: job.maxCompletionTime * 1e9 } } : {}),
    };
  }

  // ------------------------------------------------------------------ status updates

  update(status: TaskStatus): void {
    const t = this.tasks.get(status.task_id.value);
    if (!t) return; // not ours any more (finished earlier, async-completed, or another incarnation's)
    const now = this.o.clock.now();
    const job = this.jobs.get(t.jobName)?.job;
    const recovery = recoverLaunch(t, status, now, job ? parseIsoDuration(job.epsilon) ?? 60_000 : 0);
    if (recovery !== 'track') { this.recoverUnlaunched(t, recovery, now); return; }
    if (!isTerminalState(status.state)) {
      if (t.state === 'running' && t.agentId === status.agent_id?.value) return;
      t.state = 'running';
      if (status.agent_id) t.agentId = status.agent_id.value;
      this.emit('task_running', t.jobName, { taskId: t.taskId });
      void this.write([{ op: 'put', key: taskKey(t.taskId), value: t }]);
      return;
    }
    const outcome = outcomeOf(status.state) ?? 'failure';
    const exit = /exited with status (-?\d+)/.exec(status.message ?? '');
    if (outcome === 'success' && job?.async && t.state !== 'awaiting') {
      // Async jobs complete through PUT /scheduler/task/{taskId}, not when their process exits.
      t.state = 'awaiting';
      void this.write([{ op: 'put', key: taskKey(t.taskId), value: t }]);
      return;
    }
    void this.write(this.finish(t, outcome, status.state, now, { ...(exit ? { exitStatus: Number(exit[1]) } : {}), ...(status.message ? { message: status.message } : {}) }));
    this.o.wake();
  }

  /**
   * The master never saw a task recorded as launched (Chronos stopped between recording and sending the launch):
   * inside epsilon it is queued again under the same id, otherwise the run is skipped (counted once, as here the
   * task leaves the table and later answers about it are ignored).
   */
  private recoverUnlaunched(t: ChronosTask, recovery: 'relaunch' | 'skip', now: number): void {
    if (recovery === 'relaunch') {
      t.state = 'queued';
      delete t.agentId; delete t.host; delete t.start;
      this.o.logger.warn({ taskId: t.taskId, lateMs: now - t.due }, 'the master never received this recorded launch; launching it again (inside epsilon)');
      this.emit('task_queued', t.jobName, { taskId: t.taskId });
      void this.write([{ op: 'put', key: taskKey(t.taskId), value: t }]);
      this.tick();
      this.o.wake();
      return;
    }
    this.tasks.delete(t.taskId);
    this.o.metrics.skipped.inc({ job: t.jobName });
    this.o.logger.warn({ taskId: t.taskId, lateMs: now - t.due }, 'the master never received this recorded launch and epsilon has passed; run skipped');
    this.emit('task_dropped', t.jobName, { taskId: t.taskId });
    void this.write([{ op: 'delete', key: taskKey(t.taskId) }]);
    this.o.wake();
  }

  /** A task ended: history, counters, retry or give up, dependents. Returns the store writes. */
  private finish(t: ChronosTask, outcome: Outcome, statusName: string, now: number, extra: { exitStatus?: number; message?: string }): StoreOp[] {
    const ops = this.finishRun(t, outcome, statusName, now, extra);
    this.emit('task_finished', t.jobName, { taskId: t.taskId, taskStatus: statusName });
    return ops;
  }

  private finishRun(t: ChronosTask, outcome: Outcome, statusName: string, now: number, extra: { exitStatus?: number; message?: string }): StoreOp[] {
    this.tasks.delete(t.taskId);
    const ops: StoreOp[] = [{ op: 'delete', key: taskKey(t.taskId) }];
    const record = this.jobs.get(t.jobName);
    if (!record) return ops;
    const run: RunRecord = {
      taskId: t.taskId, jobName: t.jobName, attempt: t.attempt, due: t.due, start: t.start ?? now, end: now,
      ...(t.agentId ? { agentId: t.agentId } : {}), ...(t.host ? { host: t.host } : {}), status: outcome === 'success' && statusName === 'ASYNC_CALLBACK' ? 'TASK_FINISHED' : statusName, ...extra,
    };
    const history = appendBounded(this.history.get(t.jobName) ?? [], run, this.o.historyLimit);
    this.history.set(t.jobName, history);
    ops.push({ op: 'put', key: historyKey(t.jobName), value: history });
    this.o.metrics.runs.inc({ job: t.jobName, result: outcome });
    this.o.logger.info({ taskId: t.taskId, outcome, status: statusName }, 'task ended');
    const job = record.job;
    if (outcome === 'killed') return ops;
    if (outcome === 'success') {
      record.job = { ...job, ...countSuccess(job, now) };
      ops.push({ op: 'put', key: jobKey(job.name), value: record }, ...this.fireChildren(job.name, now));
      return ops;
    }
    const retry = retryAfterFailure(t.attempt, job.retries, now, this.o.failureRetryMs);
    if (retry) {
      ops.push(...this.enqueue(job, retry.due, retry.attempt, t.arguments));
      this.o.logger.info({ job: job.name, attempt: retry.attempt, inMs: this.o.failureRetryMs }, 'failed; retrying');
      this.tick();
      return ops;
    }
    record.job = { ...job, ...countFailure(job, now) };
    const limit = this.o.disableAfterFailures ?? 0;
    if (limit > 0 && record.job.errorsSinceLastSuccess >= limit) {
      record.job = { ...record.job, disabled: true };
      this.o.logger.warn({ job: job.name, failures: record.job.errorsSinceLastSuccess }, 'job disabled after failing too often (--disable-after-failures)');
    }
    ops.push({ op: 'put', key: jobKey(job.name), value: record });
    const at = new Date(now).toISOString();
    this.o.notify?.({ kind: record.job.disabled && !job.disabled ? 'disabled' : 'failed', job: record.job, taskId: t.taskId, at, ...(extra.message ? { schedulerMessage: extra.message } : {}) });
    // softError: dependents run even after the job finally failed.
    if (job.softError) ops.push(...this.fireChildren(job.name, now));
    return ops;
  }

  /** The job completed: each child counts it, and runs once all its parents completed since its last run. */
  private fireChildren(parent: string, now: number): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const childName of childrenOf(this.allJobs(), parent)) {
      const child = this.jobs.get(childName)!;
      const r = parentCompleted(child.job.parents ?? [], child.parentsDone, parent);
      child.parentsDone = r.done;
      ops.push({ op: 'put', key: jobKey(childName), value: child });
      if (r.ready) ops.push(...this.enqueue(child.job, now, 0, child.job.arguments.join(' ')));
    }
    return ops;
  }

  // ------------------------------------------------------------------ persistence

  private emit(type: ChronosEventType, jobName: string, detail?: { taskId?: string; taskStatus?: string }): void {
    this.o.onEvent?.(type, jobName, detail);
  }

  /** Serialised write-through: the store sees writes in the order they were decided. */
  private write(ops: StoreOp[]): Promise<void> {
    return this.writeUnits([ops]);
  }

  /** As write(), for several changes decided together, each kept whole in one transaction. */
  private writeUnits(units: StoreOp[][]): Promise<void> {
    units = units.filter((u) => u.length > 0);
    if (units.length === 0) return this.writes.then(() => undefined);
    // Writes issued while the previous one is still in flight share one transaction (the store applies its ops in
    // order): a run falling due queues and records its launch in one commit, not two, before its ACCEPT.
    if (this.batch) { this.batch.units.push(...units); return this.batch.done; }
    const batch: { units: StoreOp[][]; done: Promise<void> } = { units: [...units], done: Promise.resolve() };
    batch.done = this.writes.then(() => {
      if (this.batch === batch) this.batch = undefined;
      // One transaction where the store allows it; on ZooKeeper a thousand runs falling due at once exceed its
      // ~1 MB per multi-operation, so each write's operations stay together and the batch is split between them.
      return commitUnits(this.o.store, batch.units);
    });
    this.batch = batch;
    this.writes = batch.done.catch((err: Error) => this.o.logger.error({ err: err.message }, 'could not persist Chronos state'));
    return batch.done;
  }
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []); const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

