// A Master driven in process through its transport-free methods, with event sinks that record what they get:
// for unit tests of the master's bookkeeping and rendering (no sockets, no timers: start() is never called).
import { pino } from 'pino';
import { ManualClock } from '../../src/common/clock.ts';
import { parseResources, type ResourceJSON } from '../../src/common/resources.ts';
import { DrfAllocator } from '../../src/master/allocator/drf.ts';
import { Master } from '../../src/master/master.ts';
import { MasterMetrics } from '../../src/master/metrics.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { AgentCall } from '../../src/proto/agent.ts';
import type { SchedulerCall, TaskInfo, TaskState } from '../../src/proto/mesos.ts';
import type { Framework } from '../../src/master/types.ts';

export class RecordingSink {
  readonly events: Array<{ type: string; [k: string]: any }> = [];
  closed = false;
  private listeners: Array<() => void> = [];
  send(event: unknown): void { if (!this.closed) this.events.push(event as never); }
  close(): void { if (this.closed) return; this.closed = true; for (const l of this.listeners.splice(0)) l(); }
  onClose(l: () => void): void { if (this.closed) l(); else this.listeners.push(l); }
  ofType(type: string): Array<{ type: string; [k: string]: any }> { return this.events.filter((e) => e.type === type); }
}

export function newMaster(overrides: { offerTimeoutMs?: number; maxCompletedTasksPerFramework?: number } = {}): { master: Master; clock: ManualClock } {
  const clock = new ManualClock();
  const master = new Master({
    hostname: 'm1', ip: '127.0.0.1', port: 5050, store: new MemoryStore(), allocator: new DrfAllocator({ clock, random: () => 0 }), clock,
    logger: pino({ level: 'silent' }), metrics: new MasterMetrics(), flags: { port: '5050' },
    allocationIntervalMs: 1000, agentPingTimeoutMs: 15_000, maxAgentPingTimeouts: 5, heartbeatIntervalSeconds: 15,
    maxCompletedFrameworks: 50, maxCompletedTasksPerFramework: overrides.maxCompletedTasksPerFramework ?? 1000, offerTimeoutMs: overrides.offerTimeoutMs,
  });
  return { master, clock };
}

/** What the master's periodic allocation timer does (start() is not called in process, so tests tick by hand). */
export async function allocationTick(master: Master): Promise<void> {
  (master as unknown as { scheduleAllocation(): void }).scheduleAllocation();
  await settle();
}

/** Lets the master's setImmediate-scheduled allocation run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function addAgent(master: Master, hostname: string, resources = 'cpus:4;mem:4096;disk:1000;ports:[31000-31999]'): Promise<{ agentId: string; sink: RecordingSink; streamId: string }> {
  const sink = new RecordingSink();
  const streamId = `agent-stream-${hostname}`;
  const call = { type: 'SUBSCRIBE', subscribe: { agent_info: { hostname, port: 5051, resources: parseResources(resources).toJSON(), attributes: [] }, tasks: [], frameworks: [] } } as unknown as AgentCall;
  await master.subscribeAgent(call, sink, streamId);
  return { agentId: sink.events[0]!.registered.agent_id.value, sink, streamId };
}

export function addFramework(master: Master, name: string, extra: Record<string, unknown> = {}): { fw: Framework; sink: RecordingSink } {
  const sink = new RecordingSink();
  const call = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name, ...extra } } } as unknown as SchedulerCall;
  const id = master.subscribeFramework(call, sink, `fw-stream-${name}`);
  return { fw: master.frameworks.get(id)!, sink };
}

export function call(master: Master, fw: Framework, body: Record<string, unknown>): void {
  master.handleSchedulerCall(fw, { framework_id: { value: fw.id }, ...body } as unknown as SchedulerCall);
}

/** The offers the framework holds right now (sent and neither used, declined nor rescinded). */
export function openOffers(master: Master, fw: Framework): Array<{ id: string; agentId: string; role: string }> {
  return [...fw.offers].map((id) => master.offers.get(id)!).map((o) => ({ id: o.id, agentId: o.agentId, role: o.role }));
}

export function taskInfo(id: string, agentId: string, resources: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources: parseResources(resources).toJSON() as ResourceJSON[], command: { value: 'true' }, ...extra } as TaskInfo;
}

let uuidSeq = 0;
/** An agent's status update for a task, as the agent would POST it. */
export function agentUpdate(master: Master, agent: { agentId: string; streamId: string }, frameworkId: string, taskId: string, state: TaskState, extra: Record<string, unknown> = {}): string {
  const uuid = `uuid-${uuidSeq++}`;
  master.handleAgentCall({ type: 'UPDATE', agent_id: { value: agent.agentId }, update: { framework_id: { value: frameworkId }, status: { task_id: { value: taskId }, state, uuid, source: 'SOURCE_EXECUTOR', timestamp: 1_700_000_000 + uuidSeq, ...extra } } } as unknown as AgentCall, agent.streamId);
  return uuid;
}
