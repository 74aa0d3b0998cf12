// The agent: registers its resources with the master, runs the tasks it is sent in sandboxes through a
// Containerizer, and reports every state change reliably.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AttributeJSON, Resources } from '../common/resources.ts';
import { Resources as ResourcesClass } from '../common/resources.ts';
import type { Clock } from '../common/clock.ts';
import { isTerminalState, hasCapability, type FrameworkInfo, type TaskInfo, type TaskState, type TaskStatus, type TaskReason, type TaskSource, type MasterInfo } from '../proto/mesos.ts';
import type { AgentCall, AgentEvent } from '../proto/agent.ts';
import type { Containerizer, ContainerExit } from './containerizer/containerizer.ts';
import { MasterLink } from './master-link.ts';
import type { ClientTls } from '../security/tls.ts';
import { StatusUpdateManager } from './status-updates.ts';
import { StatusUpdateLog } from './status-update-log.ts';
import { TaskHealthChecker, parseHealthCheck, type CheckTarget } from './health-checker.ts';
import { taskEnvironment } from './containerizer/process.ts';
import { taskUser } from './containerizer/task-user.ts';
import { executorDirName } from './sandbox-paths.ts';
import { FetchError, type Fetcher } from './fetcher.ts';
import type { SandboxGc } from './sandbox-gc.ts';

/** The command executor's default grace period between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 3000;

export interface AgentOptions {
  master: string;
  hostname: string;
  port: number; // advertised HTTP port
  workDir: string;
  resources: Resources;
  attributes: AttributeJSON[];
  containerizer: Containerizer;
  logger: Logger;
  clock: Clock;
  statusUpdateRetryMs: number;
  registrationBackoffMs: number;
  maxCompletedTasks: number;
  /** Fetches CommandInfo.uris into the sandbox before launch (every containerizer). */
  fetcher?: Fetcher;
  /** Removes completed sandboxes after --gc-delay. */
  sandboxGc?: SandboxGc;
  /** --recover: re-adopt the tasks a crashed agent left running (reconnect, default) or kill them (cleanup). */
  recover?: 'reconnect' | 'cleanup';
  /** Authorization header value for the master (from --credential). */
  masterAuthorization?: string;
  /** How the agent reaches an HTTPS master (--ca-file, --ssl-cert); default plain HTTP. */
  tls?: ClientTls;
  /** --switch-user (default true): tasks run as CommandInfo.user, else FrameworkInfo.user; false: as the agent's user. */
  switchUser?: boolean;
  /** Told, per launched task, how long each step from RUN_TASK receipt to TASK_RUNNING took (for metrics). */
  onLaunchTimed?: (timing: LaunchTiming) => void;
}

/** Milliseconds spent in each step of a task launch on the agent; `total` is RUN_TASK receipt → TASK_RUNNING. */
export interface LaunchTiming { sandbox: number; fetch: number; launch: number; checkpoint: number; total: number }

/** What the agent checkpoints per launched task to find it again after a crash. */
interface TaskCheckpoint { frameworkId: string; frameworkInfo: FrameworkInfo; info: TaskInfo; executorId: string; containerId: string; sandbox: string }

export interface AgentTask {
  frameworkId: string;
  frameworkInfo: FrameworkInfo;
  info: TaskInfo;
  executorId: string;
  state: TaskState;
  containerId: string;
  sandbox: string;
  killRequested: boolean;
  launchedAt?: number;
  statuses: TaskStatus[];
  /** Runs TaskInfo.health_check while the task runs. */
  healthChecker?: TaskHealthChecker;
  /** The kill came from failing health checks: the terminal update says healthy: false. */
  killedByHealthCheck?: boolean;
  /** Aborts the task's fetch when it is killed while staging. */
  launchAbort?: AbortController;
}

export class Agent {
  agentId?: string;
  masterInfo?: MasterInfo;
  readonly startTime: number;
  readonly tasks = new Map<string, AgentTask>(); // key frameworkId/taskId
  readonly completedTasks: AgentTask[] = [];
  readonly frameworks = new Map<string, FrameworkInfo>();
  /** Scheduler messages for running executors (delivered) and for unknown ones (dropped), as Mesos counts them. */
  readonly frameworkMessages = { valid: 0, invalid: 0 };
  private readonly link: MasterLink;
  private readonly updates: StatusUpdateManager;
  private readonly updateLog: StatusUpdateLog;
  private readonly log: Logger;

  constructor(readonly opts: AgentOptions) {
    this.log = opts.logger;
    this.startTime = opts.clock.now();
    this.updateLog = new StatusUpdateLog(join(opts.workDir, 'meta', 'updates'), (err) => this.log.error({ err: err.message }, 'cannot checkpoint a status update'));
    this.updates = new StatusUpdateManager({
      journal: this.updateLog,
      send: (u) => this.link.call({ type: 'UPDATE', update: { framework_id: { value: u.frameworkId }, status: u.status as never } }),
      initialRetryMs: opts.statusUpdateRetryMs,
      maxRetryMs: 10 * 60_000,
      isTerminal: (s) => isTerminalState(s.state),
      onTerminalAcknowledged: (fw, taskId) => this.retireTask(`${fw}/${taskId}`),
    });
    this.link = new MasterLink({
      master: opts.master, logger: opts.logger, subscribeCall: () => this.subscribeCall(),
      onEvent: (e) => this.onEvent(e), onDisconnected: () => this.onDisconnected(),
      backoffFactorMs: opts.registrationBackoffMs, maxBackoffMs: 60_000, authorization: opts.masterAuthorization, ...(opts.tls ? { tls: opts.tls } : {}),
    });
  }

  get registered(): boolean { return this.link.connected; }

  private metaFile(): string { return join(this.opts.workDir, 'meta', 'agent.json'); }
  private tasksDir(): string { return join(this.opts.workDir, 'meta', 'tasks'); }
  private taskFile(frameworkId: string, taskId: string): string {
    return join(this.tasksDir(), `${createHash('sha256').update(`${frameworkId}/${taskId}`).digest('hex').slice(0, 32)}.json`);
  }

  /**
   * Reads the checkpointed agent id (so a restarted agent re-registers as itself) and the tasks an earlier run
   * launched: with --recover reconnect their containers are re-adopted (or their end reported), with cleanup they
   * are killed. Returns the sandboxes in use again. Call before start().
   */
  async recover(): Promise<string[]> {
    try {
      const meta = JSON.parse(await readFile(this.metaFile(), 'utf8')) as { agent_id?: string };
      this.agentId = meta.agent_id;
    } catch { /* first start */ }
    const inUse: string[] = [];
    const known = new Set<string>();
    // Unacknowledged status updates go out again (same uuids) once registered; --recover cleanup forgets them.
    const streams = this.opts.recover === 'cleanup' ? (this.updateLog.clear(), []) : this.updateLog.replay();
    const history = new Map(streams.map((st) => [`${st.frameworkId}/${st.taskId}`, st.updates.map((u) => u.status as TaskStatus)]));
    const files = await readdir(this.tasksDir()).catch(() => [] as string[]);
    for (const name of files) {
      const file = join(this.tasksDir(), name);
      let cp: TaskCheckpoint;
      try { cp = JSON.parse(await readFile(file, 'utf8')) as TaskCheckpoint; } catch { await rm(file, { force: true }); continue; }
      const key = `${cp.frameworkId}/${cp.info.task_id.value}`;
      const statuses = history.get(key) ?? [];
      const last = statuses.at(-1);
      if (last && isTerminalState(last.state) && this.opts.recover !== 'cleanup') {
        // It ended and said so before the crash; only the acknowledgement is missing (re-sent above).
        this.tasks.set(key, {
          frameworkId: cp.frameworkId, frameworkInfo: cp.frameworkInfo, info: cp.info, executorId: cp.executorId, state: last.state,
          containerId: cp.containerId, sandbox: cp.sandbox, killRequested: false, statuses,
        });
        this.frameworks.set(cp.frameworkId, cp.frameworkInfo);
        continue;
      }
      known.add(cp.containerId);
      const container = await this.opts.containerizer.recover?.({ containerId: cp.containerId, sandbox: cp.sandbox, resources: ResourcesClass.fromJSON(cp.info.resources as never) })
        .catch((err: Error) => { this.log.warn({ containerId: cp.containerId, err: err.message }, 'cannot recover a container'); return undefined; });
      if (!container || this.opts.recover === 'cleanup') {
        if (container) await this.opts.containerizer.kill(cp.containerId, 0);
        this.log.info({ taskId: cp.info.task_id.value, containerId: cp.containerId, found: Boolean(container) }, container ? 'killed a task left by the previous agent run (--recover cleanup)' : 'a checkpointed task is gone');
        await rm(file, { force: true });
        continue;
      }
      const task: AgentTask = {
        frameworkId: cp.frameworkId, frameworkInfo: cp.frameworkInfo, info: cp.info, executorId: cp.executorId, state: last?.state ?? 'TASK_RUNNING',
        containerId: cp.containerId, sandbox: cp.sandbox, killRequested: false, statuses, launchedAt: this.opts.clock.now(),
      };
      this.tasks.set(key, task);
      this.frameworks.set(cp.frameworkId, cp.frameworkInfo);
      inUse.push(cp.sandbox);
      container.exited.then((exit) => this.onExit(task, exit), (err: Error) => this.onExit(task, { exitCode: null, signal: null, killed: false, message: err.message }));
      this.log.info({ taskId: cp.info.task_id.value, containerId: cp.containerId, pid: container.pid }, 'recovered task');
      // The agent died between starting the container and reporting it running: report it now.
      if (task.state === 'TASK_STARTING') this.status(task, 'TASK_RUNNING');
      // Mesos' checker lives in the executor and never stops; here it lived in the crashed agent, so it starts again.
      void this.startHealthCheck(task);
    }
    // A stream whose task is gone and had not ended is dropped: the master reports that task lost, and a late
    // TASK_RUNNING must not follow. Ended ones are sent: they carry the task's real end.
    const kept = streams.filter((st) => this.tasks.has(`${st.frameworkId}/${st.taskId}`) || isTerminalState(st.updates.at(-1)!.status.state));
    for (const st of streams) if (!kept.includes(st)) this.updateLog.remove(st.frameworkId, st.taskId);
    this.updates.restore(kept);
    const removed = await this.opts.containerizer.cleanupOrphans?.(this.agentId, known)
      .catch((err: Error) => { this.log.warn({ err: err.message }, 'cannot clean up orphaned containers'); return []; });
    if (removed?.length) this.log.info({ removed }, 'removed orphaned containers');
    return inUse;
  }

  /** Connects to the master (recover() first to pick up the checkpointed id and tasks). */
  async start(): Promise<void> {
    await this.link.start();
  }

  /** Synchronous, as the rest of the launch path's metadata writes (see runTask). */
  private async checkpointTask(task: AgentTask): Promise<void> {
    const cp: TaskCheckpoint = { frameworkId: task.frameworkId, frameworkInfo: task.frameworkInfo, info: task.info, executorId: task.executorId, containerId: task.containerId, sandbox: task.sandbox };
    const file = this.taskFile(task.frameworkId, task.info.task_id.value);
    mkdirSync(this.tasksDir(), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(cp));
    renameSync(`${file}.tmp`, file);
  }

  async stop(killTasks = true): Promise<void> {
    this.link.stop();
    this.updates.stop();
    for (const t of this.tasks.values()) t.healthChecker?.stop();
    if (!killTasks) return;
    await Promise.all([...this.tasks.values()].map((t) => this.opts.containerizer.kill(t.containerId, 0)));
    // A clean stop is the end of these tasks for this agent (as Mesos' agent shutdown): their checkpoints and pending
    // updates go too, and the master reports them lost when the agent comes back. Let the kills' updates land first.
    await new Promise((r) => setImmediate(r));
    this.updateLog.clear();
    await rm(this.tasksDir(), { recursive: true, force: true });
  }

  private subscribeCall(): AgentCall {
    const running = [...this.tasks.values()].filter((t) => !isTerminalState(t.state) || this.updates.hasPending(t.frameworkId, t.info.task_id.value));
    return {
      type: 'SUBSCRIBE',
      subscribe: {
        agent_info: {
          hostname: this.opts.hostname, port: this.opts.port, resources: this.opts.resources.toJSON() as never, attributes: this.opts.attributes as never,
          ...(this.agentId ? { id: { value: this.agentId } } : {}),
        },
        tasks: running.map((t) => ({ framework_id: { value: t.frameworkId }, task: t.info as never, state: t.state })),
        frameworks: [...new Set(running.map((t) => t.frameworkId))].map((id) => this.frameworks.get(id)!).filter(Boolean) as never,
      },
    };
  }

  private onDisconnected(): void {
    this.log.warn('lost the master; tasks keep running, updates wait');
    this.updates.pause();
  }

  private onEvent(event: AgentEvent): void {
    switch (event.type) {
      case 'REGISTERED': {
        const first = this.agentId !== event.registered.agent_id.value;
        this.agentId = event.registered.agent_id.value;
        this.masterInfo = event.registered.master_info;
        this.log.info({ agentId: this.agentId, master: this.opts.master }, first ? 'registered with master' : 're-registered with master');
        void this.checkpointMeta();
        this.updates.resume();
        return;
      }
      case 'RUN_TASK':
        this.frameworks.set(event.run_task.framework_id.value, event.run_task.framework_info);
        void this.runTask(event.run_task.framework_id.value, event.run_task.framework_info, event.run_task.task, '');
        return;
      case 'RUN_TASK_GROUP': {
        const g = event.run_task_group;
        this.frameworks.set(g.framework_id.value, g.framework_info);
        for (const t of g.tasks) void this.runTask(g.framework_id.value, g.framework_info, t, g.executor.executor_id.value);
        return;
      }
      case 'KILL_TASK': {
        const k = event.kill_task;
        const grace = k.kill_policy?.grace_period?.nanoseconds;
        void this.killTask(k.framework_id.value, k.task_id.value, grace === undefined ? undefined : grace / 1e6);
        return;
      }
      case 'ACKNOWLEDGE':
        this.updates.acknowledge(event.acknowledge.framework_id.value, event.acknowledge.task_id.value, event.acknowledge.uuid);
        return;
      case 'SHUTDOWN_FRAMEWORK': {
        const fwId = event.shutdown_framework.framework_id.value;
        this.updates.dropFramework(fwId);
        for (const t of this.tasks.values()) if (t.frameworkId === fwId) void this.killTask(fwId, t.info.task_id.value, undefined, true);
        return;
      }
      case 'FRAMEWORK_MESSAGE': {
        const m = event.framework_message;
        const running = [...this.tasks.values()].some((t) => t.frameworkId === m.framework_id.value && (t.executorId || t.info.task_id.value) === m.executor_id.value && !isTerminalState(t.state));
        // The command executor (the only executor here) ignores framework messages, as Mesos' does.
        if (running) this.frameworkMessages.valid++;
        else { this.frameworkMessages.invalid++; this.log.warn({ frameworkId: m.framework_id.value, executorId: m.executor_id.value }, 'framework message for an executor that is not running dropped'); }
        return;
      }
      case 'PING':
        this.link.call({ type: 'PONG' }).catch((err) => this.log.debug({ err: (err as Error).message }, 'pong failed'));
        return;
      case 'SHUTDOWN':
        this.log.error({ message: event.shutdown.message }, 'master asked this agent to shut down');
        return;
      case 'ERROR':
        this.log.error({ message: event.error.message }, 'master reported an error');
        return;
    }
  }

  private async checkpointMeta(): Promise<void> {
    const file = this.metaFile();
    await mkdir(join(this.opts.workDir, 'meta'), { recursive: true });
    // Write-then-rename so a crash never leaves a half-written file.
    await writeFile(`${file}.tmp`, JSON.stringify({ agent_id: this.agentId, hostname: this.opts.hostname, port: this.opts.port }));
    await rename(`${file}.tmp`, file);
  }

  /** An executor's run directory (a long or unsafe executor id gets a short stable name: sandbox-paths.ts). */
  sandboxDir(frameworkId: string, executorId: string, containerId: string): string {
    return join(this.opts.workDir, 'slaves', this.agentId ?? 'unregistered', 'frameworks', frameworkId, 'executors', executorDirName(executorId), 'runs', containerId);
  }

  private status(task: AgentTask, state: TaskState, extra: { message?: string; reason?: TaskReason; source?: TaskSource; healthy?: boolean } = {}): void {
    const status: TaskStatus = {
      task_id: task.info.task_id, state, source: extra.source ?? 'SOURCE_EXECUTOR', timestamp: this.opts.clock.now() / 1000,
      agent_id: { value: this.agentId ?? '' }, ...(task.executorId ? { executor_id: { value: task.executorId } } : {}),
      container_status: { container_id: { value: task.containerId } },
      ...(extra.message !== undefined ? { message: extra.message } : {}), ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.healthy !== undefined ? { healthy: extra.healthy } : {}),
    };
    task.state = state;
    task.statuses.push(status);
    if (isTerminalState(state) && task.sandbox) this.opts.sandboxGc?.schedule(task.sandbox);
    this.updates.update(task.frameworkId, status);
  }

  private async runTask(frameworkId: string, frameworkInfo: FrameworkInfo, info: TaskInfo, groupExecutorId: string): Promise<void> {
    const received = performance.now();
    const key = `${frameworkId}/${info.task_id.value}`;
    if (this.tasks.has(key)) { this.log.warn({ taskId: info.task_id.value }, 'duplicate task launch ignored'); return; }
    const containerId = randomUUID();
    // Command tasks run under the built-in command executor, whose id is the task id.
    const executorId = groupExecutorId || info.task_id.value;
    const task: AgentTask = {
      frameworkId, frameworkInfo, info, executorId: groupExecutorId, state: 'TASK_STAGING', containerId,
      sandbox: this.sandboxDir(frameworkId, executorId, containerId), killRequested: false, statuses: [],
    };
    this.tasks.set(key, task);
    // Synchronous: a few metadata syscalls cost less than thread-pool round trips, which on a loaded machine each
    // wait for the scheduler twice (docs/decisions/0142).
    try {
      mkdirSync(task.sandbox, { recursive: true });
      const latest = join(task.sandbox, '..', 'latest');
      rmSync(latest, { force: true });
      try { symlinkSync(containerId, latest); } catch { /* runs/latest is a convenience */ }
    } catch (err) {
      this.status(task, 'TASK_FAILED', { source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to create sandbox: ${(err as Error).message}` });
      return;
    }
    const sandboxCreated = performance.now();
    // Checkpointed before anything is reported or launched (as Mesos does): after a crash the agent knows every task
    // it has sent an update for, re-adopts its container if one started, and reports the task until acknowledged.
    await this.checkpointTask(task).catch((err: Error) => this.log.warn({ taskId: info.task_id.value, err: err.message }, 'cannot checkpoint task'));
    const sandboxReady = performance.now();
    const uris = info.command?.uris ?? [];
    if (uris.length && this.opts.fetcher && !task.killRequested) {
      task.launchAbort = new AbortController();
      try {
        await this.opts.fetcher.fetchAll(uris, task.sandbox, task.launchAbort.signal);
      } catch (err) {
        if (task.killRequested) {
          this.status(task, 'TASK_KILLED', { source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Task killed while its URIs were being fetched' });
          return;
        }
        const message = err instanceof FetchError ? err.message : `Failed to fetch URIs: ${(err as Error).message}`;
        this.log.warn({ taskId: info.task_id.value, message }, 'fetch failed');
        this.status(task, 'TASK_FAILED', { source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message });
        return;
      }
    }
    if (task.killRequested) {
      this.status(task, 'TASK_KILLED', { source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Task killed before it was launched' });
      return;
    }
    this.status(task, 'TASK_STARTING');
    const fetched = performance.now();
    const env = this.agentEnvironment(task);
    const user = taskUser({ commandUser: info.command?.user, frameworkUser: frameworkInfo.user, switchUser: this.opts.switchUser ?? true, agentIsRoot: process.getuid?.() === 0 });
    let container;
    try {
      container = await this.opts.containerizer.launch({
        containerId, frameworkId, taskId: info.task_id.value, command: info.command ?? {}, env, sandbox: task.sandbox,
        resources: ResourcesClass.fromJSON(info.resources as never),
        ...(info.container ? { container: info.container } : {}), ...(info.labels ? { labels: info.labels.labels } : {}), ...(this.agentId ? { agentId: this.agentId } : {}),
        ...(user ? { user } : {}),
      });
    } catch (err) {
      this.status(task, 'TASK_FAILED', { source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch container: ${(err as Error).message}` });
      return;
    }
    task.launchedAt = this.opts.clock.now();
    const launched = performance.now();
    if (task.killRequested) void this.opts.containerizer.kill(containerId, 0);
    else {
      this.status(task, 'TASK_RUNNING');
      const running = performance.now();
      this.opts.onLaunchTimed?.({ sandbox: sandboxCreated - received, fetch: fetched - sandboxReady, launch: launched - fetched, checkpoint: sandboxReady - sandboxCreated, total: running - received });
      void this.startHealthCheck(task);
    }
    container.exited.then((exit) => this.onExit(task, exit), (err: Error) => this.onExit(task, { exitCode: null, signal: null, killed: false, message: err.message }));
  }

  /**
   * As Mesos' command executor: every verdict of the task's health check goes out as a TASK_RUNNING update with
   * `healthy` and REASON_TASK_HEALTH_CHECK_STATUS_UPDATED; a verdict asking for the kill kills the task.
   */
  private async startHealthCheck(task: AgentTask): Promise<void> {
    if (!task.info.health_check) return;
    const parsed = parseHealthCheck(task.info.health_check);
    if (!parsed.ok) {
      this.log.error({ taskId: task.info.task_id.value, error: parsed.error }, 'Failed to create health checker');
      return;
    }
    // A docker task is checked from inside its container: docker exec, and 127.0.0.1 in its network namespace.
    const placement = await this.opts.containerizer.checkPlacement?.(task.containerId).catch(() => undefined);
    if (isTerminalState(task.state) || task.killRequested) return;
    const address = placement?.address;
    const inNamespace = placement?.inNamespace;
    const target: CheckTarget = {
      host: inNamespace ? '127.0.0.1' : address && 'host' in address ? address.host : this.opts.hostname, sandbox: task.sandbox,
      env: taskEnvironment(task.info.command ?? {}, this.agentEnvironment(task)),
      ...(inNamespace ? { socket: inNamespace.socket, port: inNamespace.port } : {}),
      ...(!inNamespace && address && 'host' in address ? { port: address.port } : {}),
      ...(!inNamespace && address && 'unreachable' in address ? { unreachable: address.unreachable } : {}),
      ...(placement?.exec ? { exec: placement.exec } : {}), ...(placement?.commandPrefix ? { commandPrefix: placement.commandPrefix } : {}),
    };
    task.healthChecker = new TaskHealthChecker({
      config: parsed.config, now: () => this.opts.clock.now(), target,
      onVerdict: (verdict, failure) => {
        if (isTerminalState(task.state) || task.killRequested) return;
        this.log.info({ taskId: task.info.task_id.value, healthy: verdict.healthy, consecutiveFailures: verdict.consecutiveFailures, failure }, 'task health update');
        this.status(task, 'TASK_RUNNING', { reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy: verdict.healthy });
        if (verdict.killTask) {
          task.killedByHealthCheck = true;
          void this.killTask(task.frameworkId, task.info.task_id.value, undefined);
        }
      },
    });
  }

  /** The MESOS_* variables the agent gives a task (the command executor's environment). */
  private agentEnvironment(task: AgentTask): Record<string, string> {
    return {
      MESOS_SANDBOX: task.sandbox, MESOS_DIRECTORY: task.sandbox, MESOS_TASK_ID: task.info.task_id.value, MESOS_FRAMEWORK_ID: task.frameworkId,
      MESOS_AGENT_ID: this.agentId ?? '', MESOS_SLAVE_ID: this.agentId ?? '', MESOS_EXECUTOR_ID: task.executorId || task.info.task_id.value,
      MESOS_CONTAINER_ID: task.containerId, MESOS_AGENT_ENDPOINT: `${this.opts.hostname}:${this.opts.port}`, MESOS_HOSTNAME: this.opts.hostname,
    };
  }

  private onExit(task: AgentTask, exit: ContainerExit): void {
    task.healthChecker?.stop();
    if (isTerminalState(task.state)) return;
    if (task.killRequested || exit.killed) this.status(task, 'TASK_KILLED', { message: exit.message, ...(task.killedByHealthCheck ? { healthy: false } : {}) });
    else if (exit.exitCode === 0) this.status(task, 'TASK_FINISHED', { message: exit.message });
    else this.status(task, 'TASK_FAILED', { message: exit.message, ...(exit.reason ? { reason: exit.reason as TaskReason, source: 'SOURCE_AGENT' as TaskSource } : {}) });
    this.executorExitedIfDone(task);
  }

  /**
   * Tells the master an executor ended once none of its tasks is left (a command task is its own executor). The
   * status is the executor's: Mesos' command executor exits 0 after reporting its task, whatever the task did.
   * Best effort, like Mesos' ExitedExecutorMessage: the terminal status update is what is retried.
   */
  private executorExitedIfDone(task: AgentTask): void {
    const executorId = task.executorId || task.info.task_id.value;
    for (const t of this.tasks.values()) {
      if (t.frameworkId === task.frameworkId && (t.executorId || t.info.task_id.value) === executorId && !isTerminalState(t.state)) return;
    }
    this.link.call({ type: 'EXECUTOR_EXITED', executor_exited: { framework_id: { value: task.frameworkId }, executor_id: { value: executorId }, status: 0 } })
      .catch((err) => this.log.debug({ err: (err as Error).message, executorId }, 'could not report the executor exit'));
  }

  private async killTask(frameworkId: string, taskId: string, graceMs: number | undefined, frameworkRemoved = false): Promise<void> {
    const task = this.tasks.get(`${frameworkId}/${taskId}`);
    if (!task) {
      if (frameworkRemoved) return;
      // Unknown here: tell the framework so it does not wait forever.
      const placeholder: AgentTask = { frameworkId, frameworkInfo: this.frameworks.get(frameworkId) ?? { user: '', name: '' }, info: { task_id: { value: taskId }, name: '', agent_id: { value: this.agentId ?? '' }, resources: [] } as TaskInfo, executorId: '', state: 'TASK_STAGING', containerId: '', sandbox: '', killRequested: true, statuses: [] };
      this.status(placeholder, 'TASK_LOST', { source: 'SOURCE_AGENT', reason: 'REASON_TASK_UNKNOWN', message: 'Cannot find the task on this agent' });
      return;
    }
    if (isTerminalState(task.state) || task.killRequested) return;
    task.killRequested = true;
    task.healthChecker?.stop(); // as Mesos: no health updates once the task is being killed
    if (task.state === 'TASK_STAGING') {
      task.launchAbort?.abort(); // a fetch in progress stops now; runTask sees the flag and reports TASK_KILLED
      return;
    }
    if (frameworkRemoved) this.updates.dropFramework(frameworkId);
    else if (hasCapability(task.frameworkInfo, 'TASK_KILLING_STATE') && task.state !== 'TASK_STARTING') this.status(task, 'TASK_KILLING');
    const policy = task.info.kill_policy?.grace_period?.nanoseconds;
    const grace = graceMs ?? (policy !== undefined ? policy / 1e6 : DEFAULT_KILL_GRACE_MS);
    await this.opts.containerizer.kill(task.containerId, grace);
  }

  /** A task whose terminal update was acknowledged moves to the completed list. */
  private retireTask(key: string): void {
    const task = this.tasks.get(key);
    if (!task || !isTerminalState(task.state)) return;
    this.tasks.delete(key);
    void rm(this.taskFile(task.frameworkId, task.info.task_id.value), { force: true });
    this.completedTasks.push(task);
    if (this.completedTasks.length > this.opts.maxCompletedTasks) this.completedTasks.shift();
  }

  /** Resources used by non-terminal tasks. */
  usedResources(): Resources {
    let used = ResourcesClass.empty();
    for (const t of this.tasks.values()) if (!isTerminalState(t.state)) used = used.plus(ResourcesClass.fromJSON(t.info.resources as never));
    return used;
  }
}
