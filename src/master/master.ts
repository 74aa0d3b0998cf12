// The master: agent registry, frameworks, offers and tasks. Decisions about who gets which
// resources come from the Allocator; this class carries them out and keeps the bookkeeping.
// Transport-free: HTTP routes hand it parsed calls and event sinks.
import { ensureStateFormat, type StateFormat } from '../state/state-format.ts';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Resources, ResourcesInterner } from '../common/resources.ts';
import type { Clock } from '../common/clock.ts';
import type { EventSink } from '../common/event-stream.ts';
import {
  TASK_STATES, frameworkRoles, hasCapability, isTerminalState,
  type FrameworkInfo, type MasterInfo, type Offer, type SchedulerCall, type TaskInfo, type TaskReason, type TaskState, type TaskStatus,
} from '../proto/mesos.ts';
import type { AgentCall, AgentEvent, ReportedTask } from '../proto/agent.ts';
import type { Allocation, Allocator } from './allocator/allocator.ts';
import type { Store } from '../state/store.ts';
import { AgentTasks, type Agent, type Framework, type OfferRecord, type Task, type TaskExtras } from './types.ts';
import type { MasterMetrics } from './metrics.ts';
import type { Acls } from '../security/acls.ts';
import { runTaskRefusal } from '../security/authorizer.ts';

/** Format of the master's registry (/master/...); bump with a migration when what is stored changes shape. */
export const MASTER_STATE_FORMAT: StateFormat = { key: '/master/format', current: 1, migrations: [] };

export const MESOS_COMPAT_VERSION = '1.11.0';
const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 31_536_000;

/** A call the master refuses; the HTTP layer turns it into the status code and text body Mesos uses. */
export class CallError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** The master's timing and retention settings (flags), shared by the CLI config and the master itself. */
export interface MasterTuning {
  allocationIntervalMs: number;
  offerTimeoutMs?: number;
  agentPingTimeoutMs: number;
  maxAgentPingTimeouts: number;
  heartbeatIntervalSeconds: number;
  maxCompletedFrameworks: number;
  maxCompletedTasksPerFramework: number;
}

export interface MasterOptions extends MasterTuning {
  hostname: string;
  ip: string;
  port: number;
  store: Store;
  allocator: Allocator;
  clock: Clock;
  logger: Logger;
  metrics: MasterMetrics;
  flags: Record<string, string>;
  /** --acls (register_frameworks, run_tasks, view_* ... decisions); undefined = everything allowed. */
  acls?: Acls;
  /** --allow-root-tasks (default true); see runTaskRefusal. */
  allowRootTasks?: boolean;
}

export type OperatorEvent =
  | { type: 'TASK_ADDED'; task: Task }
  | { type: 'TASK_UPDATED'; task: Task; status: TaskStatus }
  | { type: 'AGENT_ADDED'; agent: Agent }
  | { type: 'AGENT_REMOVED'; agentId: string }
  | { type: 'FRAMEWORK_ADDED' | 'FRAMEWORK_UPDATED' | 'FRAMEWORK_REMOVED'; framework: Framework };

function ipToUint32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p))) return 0;
  // MasterInfo.ip is in network byte order read as a little-endian uint32, as Mesos does.
  return ((parts[3]! << 24) >>> 0) + (parts[2]! << 16) + (parts[1]! << 8) + parts[0]!;
}

export class Master extends EventEmitter {
  readonly id = randomUUID();
  info: MasterInfo;
  readonly startTime: number;
  electedTime?: number;
  leader = true;
  /** The leading master's info when another master leads (set by MasterLeadership); undefined when leading or unknown. */
  leaderInfo?: MasterInfo;

  readonly agents = new Map<string, Agent>();
  /** Agents declared unreachable: id → time (ms). */
  readonly unreachableAgents = new Map<string, { time: number; hostname: string }>();
  /** Agents admitted in the registry by an earlier master that have not re-registered yet. */
  readonly recoveredAgents = new Map<string, { hostname: string }>();
  readonly frameworks = new Map<string, Framework>();
  readonly completedFrameworks: Framework[] = [];
  readonly offers = new Map<string, OfferRecord>();
  weights: Record<string, number> = {};

  private frameworkSeq = 0;
  private agentSeq = 0;
  private offerSeq = 0;
  private timers: NodeJS.Timeout[] = [];
  private allocationPending: { full: boolean; agents: Set<string> } | undefined;
  private readonly log: Logger;
  private readonly taskResources = new ResourcesInterner();

  constructor(readonly opts: MasterOptions) {
    super();
    this.setMaxListeners(0);
    this.log = opts.logger;
    this.startTime = opts.clock.now();
    this.info = this.buildInfo();
  }

  /** The port is known only once the server listens (--port 0). */
  bindPort(port: number): void {
    this.opts.port = port;
    this.info = this.buildInfo();
  }

  private buildInfo(): MasterInfo {
    const opts = this.opts;
    const address = { hostname: opts.hostname, ip: opts.ip, port: opts.port };
    return {
      id: this.id, ip: ipToUint32(opts.ip), port: opts.port, pid: `master@${opts.ip}:${opts.port}`, hostname: opts.hostname,
      version: MESOS_COMPAT_VERSION, address, capabilities: [{ type: 'AGENT_UPDATE' }],
    };
  }

  /** Reads the registry and starts the periodic allocation, ping and heartbeat loops. */
  async start(): Promise<void> {
    // A registry written by a newer format is not read (StateFormatError: this master does not lead); older is migrated.
    for (const m of await ensureStateFormat(this.opts.store, MASTER_STATE_FORMAT)) this.opts.logger.info({ from: m.from, to: m.from + 1, migration: m.description }, 'migrated the registry format');
    for (const entry of await this.opts.store.list<{ hostname: string; unreachable_time?: number }>('/master/registry/agents/')) {
      const id = entry.key.slice('/master/registry/agents/'.length);
      if (entry.value.unreachable_time !== undefined) this.unreachableAgents.set(id, { time: entry.value.unreachable_time, hostname: entry.value.hostname });
      else this.recoveredAgents.set(id, { hostname: entry.value.hostname });
    }
    const weights = await this.opts.store.get<Record<string, number>>('/master/registry/weights');
    if (weights) { this.weights = weights.value; this.opts.allocator.updateWeights(this.weights); }
    this.electedTime = this.opts.clock.now();
    this.timers.push(setInterval(() => this.scheduleAllocation(), this.opts.allocationIntervalMs));
    this.timers.push(setInterval(() => this.pingAgents(), this.opts.agentPingTimeoutMs));
    this.timers.push(setInterval(() => this.heartbeatFrameworks(), this.opts.heartbeatIntervalSeconds * 1000));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const f of this.frameworks.values()) { if (f.failoverTimer) clearTimeout(f.failoverTimer); f.stream?.close(); }
    for (const a of this.agents.values()) a.stream?.close();
    for (const o of this.offers.values()) if (o.timer) clearTimeout(o.timer);
  }

  // ------------------------------------------------------------------ agents

  /** Handles an agent's SUBSCRIBE: admits a new agent or re-registers a known one, then streams events to it. */
  async subscribeAgent(call: AgentCall, sink: EventSink & { onClose(l: () => void): void }, streamId: string): Promise<void> {
    const sub = call.subscribe!;
    const now = this.opts.clock.now();
    const requestedId = sub.agent_info.id?.value;
    const total = Resources.fromJSON(sub.agent_info.resources as never);
    const info = { hostname: sub.agent_info.hostname, port: sub.agent_info.port, resources: total.toJSON(), attributes: sub.agent_info.attributes as never };
    const pid = `slave(1)@${sub.agent_info.hostname}:${sub.agent_info.port}`;
    // The registry write comes first, and no await follows it: otherwise a call served meanwhile (a framework's
    // reconciliation right after a failover) could see the agent half admitted, without its tasks.
    const newId = requestedId && this.agents.has(requestedId) ? undefined : requestedId ?? `${this.id}-S${this.agentSeq++}`;
    if (newId) await this.opts.store.put(`/master/registry/agents/${newId}`, { hostname: info.hostname, agent_info: { ...info, id: { value: newId } } });
    let agent = requestedId ? this.agents.get(requestedId) : undefined;
    const wasUnreachable = requestedId ? this.unreachableAgents.has(requestedId) : false;

    if (agent) {
      // Re-registration of an agent this master knows: replace its stream, reconcile its tasks.
      if (agent.stream && agent.stream !== sink) agent.stream.close();
      this.rescindAgentOffers(agent.id);
      this.opts.allocator.removeAgent(agent.id);
      agent.info = { ...info, id: { value: agent.id } };
      agent.total = total;
      agent.pid = pid;
      agent.reregisteredTime = now;
      this.opts.metrics.counter('master/slave_reregistrations');
    } else {
      const id = newId ?? requestedId!;
      agent = {
        id, info: { ...info, id: { value: id } }, total, pid, registeredTime: now, version: MESOS_COMPAT_VERSION,
        connected: true, missedPings: 0, pongSinceLastPing: true, tasks: new AgentTasks(),
      };
      if (requestedId) { agent.reregisteredTime = now; this.opts.metrics.counter('master/slave_reregistrations'); }
      else this.opts.metrics.counter('master/slave_registrations');
      this.agents.set(id, agent);
      this.recoveredAgents.delete(id);
      this.unreachableAgents.delete(id);
    }

    agent.stream = sink;
    agent.streamId = streamId;
    agent.connected = true;
    agent.missedPings = 0;
    agent.pongSinceLastPing = true;
    const agentRef = agent;
    sink.onClose(() => this.agentDisconnected(agentRef, streamId));

    sink.send({ type: 'REGISTERED', registered: { agent_id: { value: agent.id }, master_info: this.info, ping_interval_seconds: this.opts.agentPingTimeoutMs / 1000 } } satisfies AgentEvent);

    this.reconcileAgentTasks(agent, sub.tasks as ReportedTask[], sub.frameworks as FrameworkInfo[], wasUnreachable);

    const used = new Map<string, { frameworkId: string; role: string; resources: Resources }>();
    for (const t of agent.tasks.values()) {
      if (isTerminalState(t.state)) continue;
      const k = `${t.frameworkId}\u0000${t.role}`;
      const u = used.get(k);
      if (u) u.resources = u.resources.plus(t.resources);
      else used.set(k, { frameworkId: t.frameworkId, role: t.role, resources: t.resources });
    }
    this.opts.allocator.addAgent(agent.id, total, [...used.values()]);
    this.emit('operator', { type: 'AGENT_ADDED', agent } satisfies OperatorEvent);
    this.log.info({ agentId: agent.id, hostname: info.hostname, resources: total.toString() }, agent.reregisteredTime === now ? 'agent re-registered' : 'agent registered');
    this.scheduleAllocation(agent.id);
  }

  /** Brings the master's view of an agent's tasks in line with what the agent reports. */
  private reconcileAgentTasks(agent: Agent, reported: ReportedTask[], frameworkInfos: FrameworkInfo[], wasUnreachable: boolean): void {
    const reportedKeys = new Set<string>();
    for (const rt of reported) {
      const fwId = rt.framework_id.value;
      reportedKeys.add(`${fwId}/${rt.task.task_id.value}`);
      let fw = this.frameworks.get(fwId);
      if (!fw) {
        const fi = frameworkInfos.find((f) => f.id?.value === fwId) ?? { user: 'unknown', name: 'unknown', id: { value: fwId } };
        fw = this.createFramework(fwId, fi, true);
      }
      const unreachableTask = fw.unreachableTasks.get(rt.task.task_id.value);
      if (wasUnreachable && !fw.partitionAware && unreachableTask === undefined && !fw.tasks.has(rt.task.task_id.value)) {
        // Non-partition-aware frameworks were told TASK_LOST; the task must not come back to life.
        this.sendToAgent(agent, { type: 'KILL_TASK', kill_task: { framework_id: { value: fwId }, task_id: rt.task.task_id } });
        continue;
      }
      const existing = fw.tasks.get(rt.task.task_id.value) ?? unreachableTask;
      if (existing) {
        fw.unreachableTasks.delete(existing.taskId);
        existing.unreachableTime = undefined;
        // A terminal state comes with its (re-sent) status update, which also moves the task to completed.
        if (!isTerminalState(rt.state)) existing.state = rt.state;
        fw.tasks.set(existing.taskId, existing);
        agent.tasks.set(existing);
      } else if (!isTerminalState(rt.state)) {
        const task = this.newTask(fw.id, agent.id, rt.task as TaskInfo, this.roleForResources(fw, rt.task.resources as never));
        task.state = rt.state;
        fw.tasks.set(task.taskId, task);
        agent.tasks.set(task);
      }
    }
    // Tasks the master believes run here but the agent no longer has: the agent restarted without them.
    for (const task of [...agent.tasks.values()]) {
      if (reportedKeys.has(`${task.frameworkId}/${task.taskId}`) || isTerminalState(task.state)) continue;
      if (task.state === 'TASK_STAGING') continue; // launch still in flight to the agent
      const fw = this.frameworks.get(task.frameworkId);
      const state: TaskState = fw?.partitionAware ? 'TASK_GONE' : 'TASK_LOST';
      this.transitionTask(task, { state, reason: 'REASON_AGENT_RESTARTED', source: 'SOURCE_MASTER', message: 'Task was not found on the re-registered agent' });
    }
  }

  private agentDisconnected(agent: Agent, streamId: string): void {
    if (agent.streamId !== streamId || this.agents.get(agent.id) !== agent) return;
    agent.connected = false;
    agent.stream = undefined;
    this.opts.allocator.deactivateAgent(agent.id);
    this.rescindAgentOffers(agent.id);
    this.log.warn({ agentId: agent.id }, 'agent disconnected');
  }

  handleAgentCall(call: AgentCall, streamId: string | undefined): void {
    const agentId = call.agent_id!.value;
    const agent = this.agents.get(agentId);
    if (!agent) throw new CallError(400, `Agent ${agentId} is not registered`);
    if (!agent.connected || !agent.streamId) throw new CallError(403, `Agent ${agentId} is not subscribed`);
    if (streamId !== agent.streamId) throw new CallError(400, `The stream ID '${streamId ?? ''}' included in this request didn't match the stream ID currently associated with agent ID ${agentId}`);
    agent.missedPings = 0;
    agent.pongSinceLastPing = true;
    if (call.type === 'UPDATE') this.statusUpdateFromAgent(agent, call.update!.framework_id.value, call.update!.status as unknown as TaskStatus);
    if (call.type === 'EXECUTOR_EXITED') {
      // As Mesos: the framework hears of every executor that terminates, as a FAILURE event with its exit status.
      const e = call.executor_exited!;
      const fw = this.frameworks.get(e.framework_id.value);
      if (fw) this.sendToFramework(fw, { type: 'FAILURE', failure: { agent_id: { value: agent.id }, executor_id: e.executor_id, status: e.status } });
    }
  }

  private statusUpdateFromAgent(agent: Agent, frameworkId: string, status: TaskStatus): void {
    const fw = this.frameworks.get(frameworkId);
    const task = agent.tasks.get(frameworkId, status.task_id.value);
    status.agent_id = agent.info.id ?? { value: agent.id }; // one shared id object per agent
    if (!task || !fw) {
      this.opts.metrics.counter('master/invalid_status_updates');
      // Still deliver it: the framework may know the task (e.g. after our failover).
      if (fw) this.sendToFramework(fw, { type: 'UPDATE', update: { status } });
      return;
    }
    this.opts.metrics.counter('master/valid_status_updates');
    const duplicate = task.statuses.some((s) => s.uuid !== undefined && s.uuid === status.uuid);
    if (!duplicate) this.applyStatus(task, status);
    task.statusUpdateState = status.state;
    task.statusUpdateUuid = status.uuid;
    this.sendToFramework(fw, { type: 'UPDATE', update: { status } });
  }

  private pingAgents(): void {
    for (const agent of [...this.agents.values()]) {
      if (!agent.pongSinceLastPing) agent.missedPings++;
      if (agent.missedPings >= this.opts.maxAgentPingTimeouts) {
        // The registry may be unavailable (ZooKeeper without quorum): log it rather than crash on the rejection.
        this.markAgentUnreachable(agent).catch((err: Error) => this.log.error({ err: err.message, agentId: agent.id }, 'cannot record the agent as unreachable in the registry'));
        continue;
      }
      agent.pongSinceLastPing = false;
      if (agent.connected) this.sendToAgent(agent, { type: 'PING' });
    }
  }

  /** An agent that stopped answering: its tasks are reported unreachable (or lost) and its offers rescinded. */
  async markAgentUnreachable(agent: Agent): Promise<void> {
    if (this.agents.get(agent.id) !== agent) return;
    const now = this.opts.clock.now();
    this.agents.delete(agent.id);
    this.unreachableAgents.set(agent.id, { time: now, hostname: agent.info.hostname });
    agent.stream?.close();
    this.rescindAgentOffers(agent.id);
    this.opts.allocator.removeAgent(agent.id);
    this.opts.metrics.counter('master/slave_removals');
    this.opts.metrics.counter('master/slave_unreachable_completed');
    this.log.warn({ agentId: agent.id, hostname: agent.info.hostname }, 'agent unreachable');
    for (const task of agent.tasks.values()) {
      if (isTerminalState(task.state)) continue;
      const fw = this.frameworks.get(task.frameworkId);
      if (fw?.partitionAware) {
        this.transitionTask(task, { state: 'TASK_UNREACHABLE', reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER', message: 'Agent is unreachable', unreachable_time: { nanoseconds: now * 1e6 } });
        fw.tasks.delete(task.taskId);
        task.unreachableTime = now;
        fw.unreachableTasks.set(task.taskId, task);
      } else {
        this.transitionTask(task, { state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER', message: 'Agent is unreachable' });
      }
    }
    for (const fw of this.frameworks.values()) this.sendToFramework(fw, { type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
    this.emit('operator', { type: 'AGENT_REMOVED', agentId: agent.id } satisfies OperatorEvent);
    await this.opts.store.put(`/master/registry/agents/${agent.id}`, { hostname: agent.info.hostname, agent_info: agent.info, unreachable_time: now });
  }

  // ------------------------------------------------------------------ frameworks

  private createFramework(id: string, info: FrameworkInfo, recovered: boolean): Framework {
    const fw: Framework = {
      id, info: { ...info, id: { value: id } }, roles: frameworkRoles(info), suppressedRoles: new Set(),
      partitionAware: hasCapability(info, 'PARTITION_AWARE'), connected: false, active: false, recovered,
      registeredTime: this.opts.clock.now(), tasks: new Map(), unreachableTasks: new Map(), completedTasks: [], offers: new Set(),
    };
    this.frameworks.set(id, fw);
    this.opts.allocator.addFramework(id, fw.roles, []);
    this.opts.allocator.deactivateFramework(id);
    return fw;
  }

  /** Checks a SUBSCRIBE before any response is sent, so a bad one gets a 4xx with a message. */
  validateSubscribe(call: SchedulerCall): void {
    const info = call.subscribe!.framework_info as FrameworkInfo;
    const requestedId = info.id?.value;
    if (call.framework_id && requestedId && call.framework_id.value !== requestedId) {
      throw new CallError(400, "'framework_id' differs from 'subscribe.framework_info.id'");
    }
    const roles = frameworkRoles(info);
    for (const role of roles) {
      const problem = validateRole(role);
      if (problem) throw new CallError(400, `Role '${role}' is invalid: ${problem}`);
    }
    for (const r of call.subscribe!.suppressed_roles ?? []) if (!roles.includes(r)) throw new CallError(400, `Suppressed role '${r}' is not contained in the list of roles`);
  }

  /** SUBSCRIBE from a scheduler. Returns the framework id; events flow to `sink`. */
  subscribeFramework(call: SchedulerCall, sink: EventSink & { onClose(l: () => void): void }, streamId: string): string {
    this.validateSubscribe(call);
    const sub = call.subscribe!;
    const info = sub.framework_info as FrameworkInfo;
    const now = this.opts.clock.now();
    const requestedId = info.id?.value;
    const roles = frameworkRoles(info);
    const suppressed = new Set(sub.suppressed_roles ?? []);
    if (requestedId && this.completedFrameworks.some((f) => f.id === requestedId)) {
      sink.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
      sink.close();
      return requestedId;
    }

    let fw = requestedId ? this.frameworks.get(requestedId) : undefined;
    if (fw) {
      // Failover or reconnection: the old subscription ends, offers are regenerated.
      if (fw.stream && fw.stream !== sink) {
        fw.stream.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
        fw.stream.close();
      }
      if (fw.failoverTimer) { clearTimeout(fw.failoverTimer); fw.failoverTimer = undefined; }
      this.rescindFrameworkOffers(fw);
      // `user` and `checkpoint` cannot change on re-subscription; everything else may.
      fw.info = { ...info, id: { value: fw.id }, user: fw.recovered ? info.user : fw.info.user, checkpoint: fw.recovered ? info.checkpoint : fw.info.checkpoint };
      fw.roles = roles;
      fw.partitionAware = hasCapability(info, 'PARTITION_AWARE');
      fw.recovered = false;
      fw.reregisteredTime = now;
      fw.unregisteredTime = undefined;
      this.opts.allocator.updateFramework(fw.id, roles, [...suppressed]);
    } else {
      const id = requestedId ?? `${this.id}-${String(this.frameworkSeq++).padStart(4, '0')}`;
      fw = this.createFramework(id, info, false);
      if (requestedId) fw.reregisteredTime = now;
      this.opts.allocator.updateFramework(id, roles, [...suppressed]);
    }
    fw.suppressedRoles = suppressed;
    fw.stream = sink;
    fw.streamId = streamId;
    fw.connected = true;
    fw.active = true;
    this.opts.allocator.activateFramework(fw.id);
    const fwRef = fw;
    sink.onClose(() => this.frameworkDisconnected(fwRef, streamId));
    sink.send({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: fw.id }, heartbeat_interval_seconds: this.opts.heartbeatIntervalSeconds, master_info: this.info } });
    this.emit('operator', { type: requestedId ? 'FRAMEWORK_UPDATED' : 'FRAMEWORK_ADDED', framework: fw } satisfies OperatorEvent);
    this.log.info({ frameworkId: fw.id, name: info.name, roles }, requestedId ? 'framework re-subscribed' : 'framework subscribed');
    this.scheduleAllocation();
    return fw.id;
  }

  private frameworkDisconnected(fw: Framework, streamId: string): void {
    if (fw.streamId !== streamId || this.frameworks.get(fw.id) !== fw) return;
    fw.connected = false;
    fw.active = false;
    fw.stream = undefined;
    fw.unregisteredTime = this.opts.clock.now();
    this.opts.allocator.deactivateFramework(fw.id);
    this.rescindFrameworkOffers(fw);
    const timeoutMs = (fw.info.failover_timeout ?? 0) * 1000;
    this.log.warn({ frameworkId: fw.id, failoverTimeoutMs: timeoutMs }, 'framework disconnected');
    fw.failoverTimer = setTimeout(() => this.removeFramework(fw, 'failover timeout elapsed'), Math.min(timeoutMs, 2 ** 31 - 1));
    fw.failoverTimer.unref();
    this.emit('operator', { type: 'FRAMEWORK_UPDATED', framework: fw } satisfies OperatorEvent);
  }

  /** Removes a framework: kills its tasks, forgets its offers, keeps it in completed_frameworks. */
  removeFramework(fw: Framework, why: string): void {
    if (this.frameworks.get(fw.id) !== fw) return;
    this.log.info({ frameworkId: fw.id, why }, 'removing framework');
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    this.rescindFrameworkOffers(fw, false);
    for (const agent of this.agents.values()) {
      if (agent.tasks.hasFramework(fw.id)) this.sendToAgent(agent, { type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: { value: fw.id } } });
    }
    for (const task of [...fw.tasks.values(), ...fw.unreachableTasks.values()]) {
      if (!isTerminalState(task.state)) this.transitionTask(task, { state: 'TASK_KILLED', reason: 'REASON_FRAMEWORK_REMOVED', source: 'SOURCE_MASTER', message: 'Framework removed' }, false);
    }
    fw.unreachableTasks.clear();
    this.opts.allocator.removeFramework(fw.id);
    this.frameworks.delete(fw.id);
    fw.active = false;
    fw.connected = false;
    fw.unregisteredTime ??= this.opts.clock.now();
    fw.stream?.close();
    fw.stream = undefined;
    this.completedFrameworks.push(fw);
    if (this.completedFrameworks.length > this.opts.maxCompletedFrameworks) this.completedFrameworks.shift();
    this.emit('operator', { type: 'FRAMEWORK_REMOVED', framework: fw } satisfies OperatorEvent);
  }

  private heartbeatFrameworks(): void {
    for (const fw of this.frameworks.values()) this.sendToFramework(fw, { type: 'HEARTBEAT' });
  }

  /** Looks up the framework a non-SUBSCRIBE call is for, with Mesos' status codes for each failure. */
  authorizeCall(call: SchedulerCall, streamId: string | undefined): Framework {
    if (!call.framework_id) throw new CallError(400, "Expecting 'framework_id' to be present");
    const fw = this.frameworks.get(call.framework_id.value);
    if (!fw) throw new CallError(400, `Framework '${call.framework_id.value}' not found`);
    if (!fw.connected) throw new CallError(403, 'Framework is not subscribed');
    if (streamId === undefined || streamId !== fw.streamId) {
      throw new CallError(400, `The stream ID '${streamId ?? ''}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
    }
    return fw;
  }

  /** Carries out an accepted (202) scheduler call. Validation failures throw CallError before anything changes. */
  handleSchedulerCall(fw: Framework, call: SchedulerCall): void {
    switch (call.type) {
      case 'TEARDOWN': this.removeFramework(fw, 'framework asked for teardown'); return;
      case 'ACCEPT': this.accept(fw, call.accept!.offer_ids.map((o) => o.value), call.accept!.operations as never, call.accept!.filters?.refuse_seconds); return;
      case 'DECLINE': this.decline(fw, call.decline!.offer_ids.map((o) => o.value), call.decline!.filters?.refuse_seconds); return;
      case 'REVIVE': this.revive(fw, call.revive?.roles); return;
      case 'SUPPRESS': this.suppress(fw, call.suppress?.roles); return;
      case 'KILL': this.kill(fw, call.kill!.task_id.value, call.kill!.agent_id?.value, call.kill!.kill_policy as never); return;
      case 'SHUTDOWN': this.shutdownExecutor(fw, call.shutdown!.executor_id.value, call.shutdown!.agent_id.value); return;
      case 'ACKNOWLEDGE': this.acknowledge(fw, call.acknowledge!.agent_id.value, call.acknowledge!.task_id.value, call.acknowledge!.uuid); return;
      case 'RECONCILE': this.reconcile(fw, call.reconcile!.tasks.map((t) => ({ taskId: t.task_id.value, agentId: t.agent_id?.value }))); return;
      case 'MESSAGE': this.frameworkMessage(fw, call.message!.agent_id.value, call.message!.executor_id.value, call.message!.data); return;
      case 'UPDATE_FRAMEWORK': this.updateFramework(fw, call.update_framework!.framework_info as FrameworkInfo, call.update_framework!.suppressed_roles); return;
      case 'REQUEST': case 'ACCEPT_INVERSE_OFFERS': case 'DECLINE_INVERSE_OFFERS': case 'ACKNOWLEDGE_OPERATION_STATUS': case 'RECONCILE_OPERATIONS':
        return; // accepted and ignored, as the default Mesos allocator does with REQUEST
      default:
        throw new CallError(501, `Call type ${call.type} is not implemented`);
    }
  }

  /** Forwards a scheduler's message to the executor's agent, as Mesos' Master::message; unknown agents drop it. */
  private frameworkMessage(fw: Framework, agentId: string, executorId: string, data: string): void {
    const agent = this.agents.get(agentId);
    if (!agent?.connected) {
      this.opts.metrics.counter('master/invalid_framework_to_executor_messages');
      this.log.warn({ frameworkId: fw.id, agentId }, 'framework message dropped: agent is not registered or not connected');
      return;
    }
    this.opts.metrics.counter('master/valid_framework_to_executor_messages');
    this.sendToAgent(agent, { type: 'FRAMEWORK_MESSAGE', framework_message: { framework_id: { value: fw.id }, executor_id: { value: executorId }, data } });
  }

  private updateFramework(fw: Framework, info: FrameworkInfo, suppressedRoles: string[] | undefined): void {
    if (info.id?.value !== fw.id) throw new CallError(400, "'framework_info.id' must match 'framework_id'");
    if ((info.principal ?? undefined) !== (fw.info.principal ?? undefined)) throw new CallError(400, "Updating 'FrameworkInfo.principal' is unsupported");
    if (info.user !== fw.info.user) throw new CallError(400, "Updating 'FrameworkInfo.user' is unsupported");
    if ((info.checkpoint ?? false) !== (fw.info.checkpoint ?? false)) throw new CallError(400, "Updating 'FrameworkInfo.checkpoint' is unsupported");
    const roles = frameworkRoles(info);
    for (const role of roles) { const p = validateRole(role); if (p) throw new CallError(400, `Role '${role}' is invalid: ${p}`); }
    const suppressed = new Set(suppressedRoles ?? []);
    for (const r of suppressed) if (!roles.includes(r)) throw new CallError(400, `Suppressed role '${r}' is not contained in the list of roles`);
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId);
      if (offer && (!roles.includes(offer.role) || suppressed.has(offer.role))) this.rescindOffer(offer);
    }
    fw.info = { ...info, id: { value: fw.id } };
    fw.roles = roles;
    fw.suppressedRoles = suppressed;
    fw.partitionAware = hasCapability(info, 'PARTITION_AWARE');
    this.opts.allocator.updateFramework(fw.id, roles, [...suppressed]);
    this.emit('operator', { type: 'FRAMEWORK_UPDATED', framework: fw } satisfies OperatorEvent);
    this.scheduleAllocation();
  }

  // ------------------------------------------------------------------ offers

  private scheduleAllocation(agentId?: string): void {
    if (!this.leader) return;
    if (!this.allocationPending) {
      this.allocationPending = { full: false, agents: new Set() };
      setImmediate(() => this.runAllocation());
    }
    if (agentId === undefined) this.allocationPending.full = true;
    else this.allocationPending.agents.add(agentId);
  }

  private runAllocation(): void {
    const pending = this.allocationPending;
    this.allocationPending = undefined;
    if (!pending) return;
    const started = performance.now();
    const allocations = this.opts.allocator.allocate(pending.full ? undefined : pending.agents);
    this.opts.metrics.counter('allocator/mesos/allocation_runs');
    this.opts.metrics.observeAllocation(performance.now() - started);
    if (allocations.length > 0) this.makeOffers(allocations);
  }

  private makeOffers(allocations: Allocation[]): void {
    const byFramework = new Map<string, Offer[]>();
    for (const a of allocations) {
      const fw = this.frameworks.get(a.frameworkId);
      const agent = this.agents.get(a.agentId);
      if (!fw || !fw.connected || !agent || !agent.connected) {
        this.opts.allocator.recoverResources(a.frameworkId, a.role, a.agentId, a.resources);
        continue;
      }
      const offer: OfferRecord = { id: `${this.id}-O${this.offerSeq++}`, frameworkId: fw.id, agentId: agent.id, role: a.role, resources: a.resources };
      this.offers.set(offer.id, offer);
      fw.offers.add(offer.id);
      if (this.opts.offerTimeoutMs !== undefined) {
        offer.timer = setTimeout(() => this.rescindOffer(offer), this.opts.offerTimeoutMs);
        offer.timer.unref();
      }
      let list = byFramework.get(fw.id);
      if (!list) { list = []; byFramework.set(fw.id, list); }
      list.push(this.offerJSON(offer, agent));
    }
    for (const [fwId, offers] of byFramework) this.sendToFramework(this.frameworks.get(fwId)!, { type: 'OFFERS', offers: { offers } });
  }

  offerJSON(offer: OfferRecord, agent: Agent): Offer {
    return {
      id: { value: offer.id }, framework_id: { value: offer.frameworkId }, agent_id: { value: agent.id }, hostname: agent.info.hostname,
      url: { scheme: 'http', address: { hostname: agent.info.hostname, ip: agent.info.hostname, port: agent.info.port }, path: '/slave(1)' },
      resources: offer.resources.toJSON(offer.role), attributes: agent.info.attributes, executor_ids: [], allocation_info: { role: offer.role },
    };
  }

  /** Removes an offer and returns its resources to the allocator (with an optional filter). */
  private removeOffer(offer: OfferRecord, refuseSeconds?: number): void {
    if (offer.timer) clearTimeout(offer.timer);
    this.offers.delete(offer.id);
    this.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
    this.opts.allocator.recoverResources(offer.frameworkId, offer.role, offer.agentId, offer.resources, refuseSeconds);
  }

  private rescindOffer(offer: OfferRecord, reallocate = true): void {
    if (!this.offers.has(offer.id)) return;
    this.removeOffer(offer);
    const fw = this.frameworks.get(offer.frameworkId);
    if (fw) this.sendToFramework(fw, { type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
    if (reallocate) this.scheduleAllocation(offer.agentId);
  }

  private rescindAgentOffers(agentId: string): void {
    for (const offer of [...this.offers.values()]) if (offer.agentId === agentId) this.rescindOffer(offer, false);
  }

  private rescindFrameworkOffers(fw: Framework, notify = true): void {
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId);
      if (!offer) continue;
      if (notify) this.rescindOffer(offer);
      else this.removeOffer(offer);
    }
  }

  private decline(fw: Framework, offerIds: string[], refuseSeconds: number | undefined): void {
    const filter = normalizeRefuseSeconds(refuseSeconds);
    for (const id of offerIds) {
      const offer = this.offers.get(id);
      if (offer && offer.frameworkId === fw.id) { this.removeOffer(offer, filter); this.scheduleAllocation(offer.agentId); }
    }
  }

  private revive(fw: Framework, roles: string[] | undefined): void {
    const list = roles && roles.length > 0 ? roles : fw.roles;
    for (const r of list) fw.suppressedRoles.delete(r);
    this.opts.allocator.revive(fw.id, roles && roles.length > 0 ? roles : undefined);
    this.scheduleAllocation();
  }

  private suppress(fw: Framework, roles: string[] | undefined): void {
    const list = roles && roles.length > 0 ? roles : fw.roles;
    for (const r of list) fw.suppressedRoles.add(r);
    this.opts.allocator.suppress(fw.id, roles && roles.length > 0 ? roles : undefined);
  }

  // ------------------------------------------------------------------ launching

  private accept(fw: Framework, offerIds: string[], operations: Array<{ type: string; launch?: { task_infos: TaskInfo[] }; launch_group?: { executor: TaskInfo['executor']; task_group: { tasks: TaskInfo[] } } }>, refuseSeconds: number | undefined): void {
    for (const op of operations) {
      if (op.type !== 'LAUNCH' && op.type !== 'LAUNCH_GROUP') {
        throw new CallError(400, `Offer operation ${op.type} is not supported by this master yet (only LAUNCH and LAUNCH_GROUP)`);
      }
    }
    const filter = normalizeRefuseSeconds(refuseSeconds);
    const launchTasks = operations.flatMap((op) => op.type === 'LAUNCH' ? op.launch?.task_infos ?? [] : op.launch_group?.task_group.tasks ?? []);

    // Validate the offers: each must exist, belong to this framework and share one agent and role.
    let invalid: string | undefined;
    const offers: OfferRecord[] = [];
    if (offerIds.length === 0) invalid = 'No offers specified';
    for (const id of offerIds) {
      const offer = this.offers.get(id);
      if (!offer) { invalid ??= `Offer ${id} is no longer valid`; continue; }
      if (offer.frameworkId !== fw.id) { invalid ??= `Offer ${id} has invalid framework`; continue; }
      if (offers.some((o) => o.id === id)) { invalid ??= `Duplicate offer ${id} in the accept call`; continue; }
      if (offers.length > 0 && offers[0]!.agentId !== offer.agentId) invalid ??= 'Aggregated offers must belong to one single agent';
      if (offers.length > 0 && offers[0]!.role !== offer.role) invalid ??= 'Aggregated offers must be allocated to the same role';
      offers.push(offer);
    }
    if (invalid !== undefined) {
      for (const offer of offers) { this.removeOffer(offer); this.scheduleAllocation(offer.agentId); }
      const state: TaskState = fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const t of launchTasks) this.sendMasterUpdate(fw, { task_id: t.task_id, agent_id: t.agent_id, state, reason: 'REASON_INVALID_OFFERS', message: `Task launched with invalid offers: ${invalid}` });
      return;
    }

    const agentId = offers[0]!.agentId;
    const role = offers[0]!.role;
    const agent = this.agents.get(agentId);
    if (!agent?.connected) {
      // As Mesos' Master::_accept: the agent went away between the offer and the launch.
      for (const offer of offers) this.removeOffer(offer);
      const state: TaskState = fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      const reason: TaskReason = agent ? 'REASON_AGENT_DISCONNECTED' : 'REASON_AGENT_REMOVED';
      for (const t of launchTasks) this.sendMasterUpdate(fw, { task_id: t.task_id, agent_id: t.agent_id, state, reason, message: `Agent ${agentId} is ${agent ? 'disconnected' : 'removed'}` });
      return;
    }
    let remaining = offers.reduce((acc, o) => acc.plus(o.resources), Resources.empty());
    for (const offer of offers) {
      if (offer.timer) clearTimeout(offer.timer);
      this.offers.delete(offer.id);
      fw.offers.delete(offer.id);
    }

    for (const op of operations) {
      if (op.type === 'LAUNCH') {
        for (const task of op.launch?.task_infos ?? []) {
          const used = this.launchTask(fw, agent, agentId, role, task, remaining, undefined);
          if (used) remaining = remaining.minus(used);
        }
      } else {
        const group = op.launch_group!;
        const problem = validateTaskGroup(group.task_group.tasks, group.executor);
        const groupResources = group.task_group.tasks.reduce((acc, t) => acc.plus(Resources.fromJSON(t.resources as never)), Resources.fromJSON(group.executor?.resources as never));
        const error = problem ?? (remaining.contains(groupResources) ? undefined : 'Task group uses more resources than offered');
        if (error || !agent) {
          for (const t of group.task_group.tasks) this.sendMasterUpdate(fw, { task_id: t.task_id, agent_id: t.agent_id, state: 'TASK_ERROR', reason: 'REASON_TASK_GROUP_INVALID', message: error ?? 'Agent is gone' });
          continue;
        }
        for (const t of group.task_group.tasks) {
          const used = this.launchTask(fw, agent, agentId, role, t, remaining, group.executor?.executor_id.value, true);
          if (used) remaining = remaining.minus(used);
        }
        this.sendToAgent(agent, { type: 'RUN_TASK_GROUP', run_task_group: { framework_info: fw.info, framework_id: { value: fw.id }, executor: group.executor!, tasks: group.task_group.tasks } });
      }
    }
    if (!remaining.isEmpty()) this.opts.allocator.recoverResources(fw.id, role, agentId, remaining, filter);
    this.scheduleAllocation(agentId);
  }

  /** Validates and starts one task; returns the resources it took, or undefined when it was refused. */
  private launchTask(fw: Framework, agent: Agent | undefined, agentId: string, role: string, info: TaskInfo, available: Resources, executorId: string | undefined, inGroup = false): Resources | undefined {
    const resources = this.taskResources.fromJSON(info.resources as never);
    const error = validateTask(info, fw, agentId, resources, available, inGroup);
    if (error || !agent) {
      this.sendMasterUpdate(fw, { task_id: info.task_id, agent_id: info.agent_id, state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message: error ?? 'Agent is gone' });
      return undefined;
    }
    const refusal = runTaskRefusal(this.opts.acls, this.opts.allowRootTasks ?? true, fw.info.principal, info.command?.user ?? fw.info.user);
    if (refusal) {
      this.sendMasterUpdate(fw, { task_id: info.task_id, agent_id: info.agent_id, state: 'TASK_ERROR', reason: 'REASON_TASK_UNAUTHORIZED', message: refusal });
      return undefined;
    }
    const task = this.newTask(fw.id, agent.id, info, role, executorId);
    fw.tasks.set(task.taskId, task);
    agent.tasks.set(task);
    this.emit('operator', { type: 'TASK_ADDED', task } satisfies OperatorEvent);
    if (!inGroup) this.sendToAgent(agent, { type: 'RUN_TASK', run_task: { framework_info: fw.info, framework_id: { value: fw.id }, task: info } });
    return resources;
  }

  /** `frameworkId` and `agentId` should be the master's own id strings, so every task shares them. */
  private newTask(frameworkId: string, agentId: string, info: TaskInfo, role: string, executorId?: string): Task {
    const task: Task = {
      taskId: info.task_id.value, name: info.name, frameworkId, agentId, executorId: executorId ?? info.executor?.executor_id.value ?? '', role,
      resources: this.taskResources.fromJSON(info.resources as never), state: 'TASK_STAGING', statuses: [],
    };
    const extras = taskExtras(info);
    if (extras) task.extras = extras;
    return task;
  }

  private roleForResources(fw: Framework, resources: Array<{ allocation_info?: { role: string } }>): string {
    return resources.find((r) => r.allocation_info)?.allocation_info?.role ?? fw.roles[0] ?? '*';
  }

  // ------------------------------------------------------------------ task lifecycle

  private kill(fw: Framework, taskId: string, agentId: string | undefined, killPolicy: { grace_period?: { nanoseconds: number } } | undefined): void {
    const task = fw.tasks.get(taskId);
    if (!task) {
      this.reconcile(fw, [{ taskId, agentId }]);
      return;
    }
    const agent = this.agents.get(task.agentId);
    if (agent?.connected) {
      this.sendToAgent(agent, { type: 'KILL_TASK', kill_task: { framework_id: { value: fw.id }, task_id: { value: taskId }, ...(killPolicy ? { kill_policy: killPolicy } : {}) } });
    }
  }

  private shutdownExecutor(fw: Framework, executorId: string, agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    for (const task of agent.tasks.values()) {
      if (task.frameworkId === fw.id && task.executorId === executorId && !isTerminalState(task.state)) {
        this.sendToAgent(agent, { type: 'KILL_TASK', kill_task: { framework_id: { value: fw.id }, task_id: { value: task.taskId } } });
      }
    }
  }

  private acknowledge(fw: Framework, agentId: string, taskId: string, uuid: string): void {
    const agent = this.agents.get(agentId);
    if (!agent?.connected) return; // the agent will resend the update once it is back
    const task = agent.tasks.get(fw.id, taskId);
    if (task && task.statusUpdateUuid === uuid) { task.statusUpdateState = undefined; task.statusUpdateUuid = undefined; }
    if (task && isTerminalState(task.state) && task.statusUpdateUuid === undefined) agent.tasks.delete(fw.id, taskId);
    this.sendToAgent(agent, { type: 'ACKNOWLEDGE', acknowledge: { framework_id: { value: fw.id }, task_id: { value: taskId }, uuid } });
  }

  /** Implicit (no tasks) or explicit reconciliation, answered with master-generated updates (no uuid). */
  reconcile(fw: Framework, tasks: Array<{ taskId: string; agentId?: string }>): void {
    const reply = (task: Task): void => {
      const last = task.statuses[task.statuses.length - 1];
      this.sendMasterUpdate(fw, {
        task_id: { value: task.taskId }, agent_id: { value: task.agentId }, state: task.statusUpdateState ?? task.state,
        reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Latest task state',
        ...(last?.healthy !== undefined ? { healthy: last.healthy } : {}),
        ...(task.unreachableTime !== undefined ? { unreachable_time: { nanoseconds: task.unreachableTime * 1e6 } } : {}),
      });
    };
    if (tasks.length === 0) {
      for (const t of fw.tasks.values()) reply(t);
      for (const t of fw.unreachableTasks.values()) reply(t);
      return;
    }
    for (const { taskId, agentId } of tasks) {
      // A task whose terminal update the framework has not acknowledged yet is still known (as in Mesos, which
      // removes it only on that acknowledgement): a scheduler restarted meanwhile learns how it ended, not "lost".
      const unacknowledged = agentId ? this.agents.get(agentId)?.tasks.get(fw.id, taskId) : undefined;
      const task = fw.tasks.get(taskId) ?? fw.unreachableTasks.get(taskId) ?? unacknowledged;
      if (task) { reply(task); continue; }
      const base = { task_id: { value: taskId }, ...(agentId ? { agent_id: { value: agentId } } : {}), reason: 'REASON_RECONCILIATION' as TaskReason };
      if (agentId ? this.recoveredAgents.has(agentId) : this.recoveredAgents.size > 0) continue; // no answer until the agent is back
      let state: TaskState;
      let message: string;
      if (agentId && this.agents.has(agentId)) { state = 'TASK_GONE'; message = 'Reconciliation: Task is unknown to the agent'; }
      else if (agentId && this.unreachableAgents.has(agentId)) { state = 'TASK_UNREACHABLE'; message = 'Reconciliation: Task is unreachable'; }
      else { state = 'TASK_UNKNOWN'; message = 'Reconciliation: Task is unknown'; }
      if (!fw.partitionAware) state = 'TASK_LOST';
      this.sendMasterUpdate(fw, { ...base, state, message });
    }
  }

  /** A status the master itself generates (no uuid, so schedulers do not acknowledge it). */
  private sendMasterUpdate(fw: Framework, status: Omit<TaskStatus, 'source' | 'timestamp'> & { source?: TaskStatus['source'] }): void {
    this.sendToFramework(fw, { type: 'UPDATE', update: { status: { source: 'SOURCE_MASTER', timestamp: this.opts.clock.now() / 1000, ...status } } });
  }

  /** Master-side transition (agent lost, framework removed...): record it and tell the framework. */
  private transitionTask(task: Task, s: Pick<TaskStatus, 'state' | 'reason' | 'source' | 'message' | 'unreachable_time'>, notify = true): void {
    const status: TaskStatus = { task_id: { value: task.taskId }, agent_id: { value: task.agentId }, timestamp: this.opts.clock.now() / 1000, ...s };
    this.applyStatus(task, status);
    const fw = this.frameworks.get(task.frameworkId);
    if (fw && notify) this.sendToFramework(fw, { type: 'UPDATE', update: { status } });
  }

  /** Records a new status on a task; terminal states free the task's resources. */
  private applyStatus(task: Task, status: TaskStatus): void {
    const wasTerminal = isTerminalState(task.state);
    const previous = task.state;
    task.state = status.state;
    this.agents.get(task.agentId)?.tasks.stateChanged();
    task.statuses = recordStatus(task.statuses, status);
    this.opts.metrics.taskTransition(previous, status.state);
    const fw = this.frameworks.get(task.frameworkId);
    if (fw) this.emit('operator', { type: 'TASK_UPDATED', task, status } satisfies OperatorEvent);
    if (!wasTerminal && isTerminalState(status.state)) {
      if (this.agents.has(task.agentId)) this.opts.allocator.recoverResources(task.frameworkId, task.role, task.agentId, task.resources);
      if (fw) {
        fw.tasks.delete(task.taskId);
        fw.unreachableTasks.delete(task.taskId);
        fw.completedTasks.push(task);
        if (fw.completedTasks.length > this.opts.maxCompletedTasksPerFramework) fw.completedTasks.shift();
      }
      // The agent forgets the task once the terminal update is acknowledged; master-generated ones need no ack.
      if (status.uuid === undefined) this.agents.get(task.agentId)?.tasks.delete(task.frameworkId, task.taskId);
      this.scheduleAllocation(task.agentId);
    }
  }

  // ------------------------------------------------------------------ weights

  async updateWeights(weights: Array<{ role: string; weight: number }>): Promise<void> {
    for (const w of weights) {
      const p = validateRole(w.role);
      if (p) throw new CallError(400, `Role '${w.role}' is invalid: ${p}`);
      if (!(w.weight > 0)) throw new CallError(400, `Weight of role '${w.role}' must be positive`);
    }
    const next = { ...this.weights };
    for (const w of weights) next[w.role] = w.weight;
    await this.opts.store.put('/master/registry/weights', next);
    this.weights = next;
    this.opts.allocator.updateWeights(next);
    this.scheduleAllocation();
  }

  // ------------------------------------------------------------------ transport

  private sendToFramework(fw: Framework, event: unknown): void {
    if (fw.connected && fw.stream) fw.stream.send(event);
  }

  private sendToAgent(agent: Agent, event: AgentEvent): void {
    if (agent.connected && agent.stream) agent.stream.send(event);
  }

  /** All tasks the master knows (active, unreachable and completed), for state endpoints. */
  *allTasks(): Generator<Task> {
    for (const fw of [...this.frameworks.values(), ...this.completedFrameworks]) {
      yield* fw.tasks.values();
      yield* fw.unreachableTasks.values();
      yield* fw.completedTasks;
    }
  }
}

/** Enum strings from parsed JSON are fresh copies each time; statuses keep these shared ones instead. */
const SHARED_STRINGS = new Map<string, string>([...TASK_STATES, 'SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'].map((s) => [s, s]));

/**
 * A task's history with `status` recorded the way Mesos' master does (Master::updateTask): a status in the same
 * state as the last one replaces it, and `data` (framework payload, possibly large) is not kept. Returns a new,
 * exactly sized array (a pushed-to array reserves room for 16 more), never changing the old one.
 */
export function recordStatus(statuses: readonly TaskStatus[], status: TaskStatus): TaskStatus[] {
  const { data: _data, ...kept } = status;
  kept.state = (SHARED_STRINGS.get(kept.state) ?? kept.state) as TaskState;
  if (kept.source !== undefined) kept.source = (SHARED_STRINGS.get(kept.source) ?? kept.source) as TaskStatus['source'];
  const previous = statuses[statuses.length - 1];
  // Statuses of one task share its id object (the agent's copy differs per update but says the same).
  if (previous && previous.task_id.value === kept.task_id.value) kept.task_id = previous.task_id;
  if (previous?.state === kept.state) return [...statuses.slice(0, -1), kept];
  return [...statuses, kept];
}

/** The parts of a TaskInfo the master's Task keeps besides ids, name and resources (undefined when none). */
export function taskExtras(info: TaskInfo): TaskExtras | undefined {
  const user = info.command?.user;
  if (!info.labels && !info.discovery && !info.container && !info.health_check && !info.kill_policy && user === undefined) return undefined;
  const extras: TaskExtras = {};
  if (info.labels) extras.labels = info.labels;
  if (info.discovery) extras.discovery = info.discovery;
  if (info.container) extras.container = info.container;
  if (info.health_check) extras.health_check = info.health_check;
  if (info.kill_policy) extras.kill_policy = info.kill_policy;
  if (user !== undefined) extras.user = user;
  return extras;
}

export function normalizeRefuseSeconds(value: number | undefined): number {
  if (value === undefined || value < 0 || !Number.isFinite(value)) return DEFAULT_REFUSE_SECONDS;
  return Math.min(value, MAX_REFUSE_SECONDS);
}

/** Mesos' role name rules (roles.cpp). Returns the problem, or undefined when the name is fine. */
export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  for (const part of role.split('/')) {
    if (part === '') return "Role names cannot have empty path segments ('/' at the start or end, or '//')";
    if (part === '.' || part === '..') return `Role names cannot contain '.' or '..' as a path segment`;
    if (part.startsWith('-')) return "Role names cannot start with '-'";
    if (part === '*') return "'*' cannot be used as a path segment of a role";
  }
  if (/[\s\\]/.test(role)) return 'Role names cannot contain whitespace or backslashes';
  return undefined;
}

function validateTask(info: TaskInfo, fw: Framework, agentId: string, resources: Resources, available: Resources, inGroup: boolean): string | undefined {
  if (!info.task_id.value) return "Task ID must not be empty";
  if (/[\s/]/.test(info.task_id.value) || info.task_id.value === '.' || info.task_id.value === '..') return `Task ID '${info.task_id.value}' contains invalid characters`;
  if (info.agent_id.value !== agentId) return `Task uses invalid agent: ${info.agent_id.value}`;
  if (fw.tasks.has(info.task_id.value) || fw.unreachableTasks.has(info.task_id.value)) return `Task has duplicate ID: ${info.task_id.value}`;
  if (!inGroup && (info.command ? 1 : 0) + (info.executor ? 1 : 0) !== 1) return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  if (info.command) {
    const shell = info.command.shell ?? true;
    if (shell && !info.command.value) return "Task's 'command.value' must be set when 'command.shell' is true";
    // A DOCKER container may run its image's own entrypoint/CMD (with `arguments`, if any).
    if (!shell && !info.command.value && info.container?.type !== 'DOCKER') return "Task's 'command.value' (the executable) must be set when 'command.shell' is false";
  }
  if (info.container?.type === 'DOCKER' && !info.container.docker) return "Task's ContainerInfo of type DOCKER needs 'docker' (with 'image')";
  if (resources.isEmpty()) return 'Task uses no resources';
  if (!available.contains(resources)) return `Task uses more resources ${resources.toString()} than available ${available.toString()}`;
  return undefined;
}

function validateTaskGroup(tasks: TaskInfo[], executor: TaskInfo['executor']): string | undefined {
  if (!executor) return "'launch_group.executor' is required";
  if (tasks.length === 0) return 'Task group cannot be empty';
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.task_id.value)) return `Task group has duplicate task ID: ${t.task_id.value}`;
    ids.add(t.task_id.value);
    if (t.executor) return `Task '${t.task_id.value}' in a task group must not set 'executor'`;
    if (!t.command) return `Task '${t.task_id.value}' in a task group needs 'command' (nested containers run commands)`;
  }
  return undefined;
}
