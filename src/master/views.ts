// JSON views of the master's state: the legacy /master/state family (plain string ids, float seconds,
// collapsed resources) and the v1 operator API shapes.
import { Resources, attributesToLegacy } from '../common/resources.ts';
import { isTerminalState, type TaskState } from '../proto/mesos.ts';
import { MESOS_COMPAT_VERSION, type Master } from './master.ts';
import type { Agent, Framework, OfferRecord, Task } from './types.ts';
import { TRIREME_VERSION } from '../common/version.ts';

const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

const sumResources = (list: Iterable<Resources>): Resources => Resources.sum(list);
/** Shared, so its legacy JSON is computed once. */
const NOTHING = Resources.empty();

function* liveResources(tasks: Iterable<Task>): Generator<Resources> {
  for (const t of tasks) if (!isTerminalState(t.state)) yield t.resources;
}

function agentUsed(agent: Agent): Resources {
  return agent.tasks.used();
}

/** Reference for AgentTasks.used()'s cache (tests compare the two). */
export function agentUsedUncached(agent: Agent): Resources {
  return sumResources(liveResources(agent.tasks.values()));
}

/** Resources of a framework's tasks that are not terminal. */
export function frameworkUsed(fw: Framework): Resources {
  return sumResources(liveResources(fw.tasks.values()));
}

/** Offered resources per agent, in one pass over the outstanding offers (an agent's only offer is used as is). */
export function offeredByAgent(master: Master): Map<string, Resources> {
  const lists = new Map<string, Resources[]>();
  for (const o of master.offers.values()) {
    const l = lists.get(o.agentId);
    if (l) l.push(o.resources); else lists.set(o.agentId, [o.resources]);
  }
  return new Map([...lists].map(([id, l]) => [id, l.length === 1 ? l[0]! : sumResources(l)]));
}


export function legacyTask(task: Task): Record<string, unknown> {
  return {
    id: task.taskId, name: task.name, framework_id: task.frameworkId, executor_id: task.executorId, slave_id: task.agentId,
    state: task.state, resources: task.resources.toLegacy(), role: task.role,
    statuses: task.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp, ...(s.healthy !== undefined ? { healthy: s.healthy } : {}), ...(s.labels ? { labels: s.labels.labels } : {}), container_status: s.container_status ?? {} })),
    ...(task.extras?.labels ? { labels: task.extras.labels.labels } : {}),
    ...(task.extras?.discovery ? { discovery: task.extras.discovery } : {}),
    ...(task.extras?.container ? { container: task.extras.container } : {}),
    ...(task.extras?.health_check ? { health_check: task.extras.health_check } : {}),
    user: task.extras?.user,
  };
}

/** `offered`: from offeredByAgent, when rendering many agents. */
export function legacyAgent(master: Master, agent: Agent, offeredMap = offeredByAgent(master)): Record<string, unknown> {
  const used = agentUsed(agent);
  const offered = offeredMap.get(agent.id) ?? NOTHING;
  const reserved: Record<string, Record<string, number | string>> = {};
  return {
    id: agent.id, hostname: agent.info.hostname, port: agent.info.port, pid: agent.pid, attributes: attributesToLegacy(agent.info.attributes),
    registered_time: secs(agent.registeredTime), ...(agent.reregisteredTime ? { reregistered_time: secs(agent.reregisteredTime) } : {}),
    resources: agent.total.toLegacy(), used_resources: used.toLegacy(), offered_resources: offered.toLegacy(),
    reserved_resources: reserved, unreserved_resources: agent.total.unreserved().toLegacy(),
    active: agent.connected, deactivated: false, version: agent.version, capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT', 'AGENT_UPDATE'],
  };
}

/**
 * A framework's legacy JSON in two halves around its three task lists (which can hold 100,000 tasks and are
 * rendered separately by the state renderer). legacyFramework joins them into the one object.
 */
export function legacyFrameworkParts(master: Master, fw: Framework, used = frameworkUsed(fw)): { head: Record<string, unknown>; tail: Record<string, unknown> } {
  const offers = [...fw.offers].map((id) => master.offers.get(id)).filter((o): o is OfferRecord => !!o);
  const offered = sumResources(offers.map((o) => o.resources));
  const multi = (fw.info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  const head = {
    id: fw.id, name: fw.info.name, user: fw.info.user, hostname: fw.info.hostname ?? '', webui_url: fw.info.webui_url ?? '',
    capabilities: (fw.info.capabilities ?? []).map((c) => c.type), active: fw.active, connected: fw.connected, recovered: fw.recovered,
    failover_timeout: fw.info.failover_timeout ?? 0, checkpoint: fw.info.checkpoint ?? false, principal: fw.info.principal,
    registered_time: secs(fw.registeredTime), reregistered_time: secs(fw.reregisteredTime ?? fw.registeredTime), unregistered_time: secs(fw.unregisteredTime) ?? 0,
    ...(multi ? { roles: fw.roles } : { role: fw.roles[0] ?? '*' }),
    used_resources: used.toLegacy(), offered_resources: offered.toLegacy(), resources: used.plus(offered).toLegacy(),
  };
  const tail = {
    offers: offers.map((o) => ({ id: o.id, framework_id: o.frameworkId, slave_id: o.agentId, allocation_info: { role: o.role }, resources: o.resources.toLegacy() })),
    executors: [], ...(fw.info.labels ? { labels: fw.info.labels.labels } : {}),
  };
  return { head, tail };
}

export function legacyFramework(master: Master, fw: Framework): Record<string, unknown> {
  const { head, tail } = legacyFrameworkParts(master, fw);
  return {
    ...head,
    tasks: [...fw.tasks.values()].map(legacyTask), unreachable_tasks: [...fw.unreachableTasks.values()].map(legacyTask), completed_tasks: fw.completedTasks.map(legacyTask),
    ...tail,
  };
}

export function masterHeader(master: Master): Record<string, unknown> {
  const o = master.opts;
  return {
    version: MESOS_COMPAT_VERSION, trireme_version: TRIREME_VERSION, build_date: '', build_time: 0, build_user: 'trireme',
    start_time: secs(master.startTime), ...(master.leader ? { elected_time: secs(master.electedTime) } : {}), id: master.id, pid: master.info.pid, hostname: o.hostname,
    capabilities: ['AGENT_UPDATE'],
    ...(master.leader
      ? { leader: master.info.pid, leader_info: { id: master.id, pid: master.info.pid, port: o.port, hostname: o.hostname, ip: master.info.ip, address: master.info.address, version: MESOS_COMPAT_VERSION } }
      : master.leaderInfo ? { leader: master.leaderInfo.pid, leader_info: master.leaderInfo } : {}),
    cluster: o.flags.cluster ?? '', log_dir: '', external_log_file: '', flags: o.flags,
  };
}

/** The fields of /master/state before `slaves`. */
export function masterStateHead(master: Master): Record<string, unknown> {
  const agents = [...master.agents.values()];
  return {
    ...masterHeader(master),
    activated_slaves: agents.filter((a) => a.connected).length,
    deactivated_slaves: agents.filter((a) => !a.connected).length,
    unreachable_slaves: master.unreachableAgents.size,
  };
}

/** /master/state as one object: the reference the streamed renderer (state-render.ts) must match byte for byte. */
export function masterState(master: Master): Record<string, unknown> {
  const offered = offeredByAgent(master);
  return {
    ...masterStateHead(master),
    slaves: [...master.agents.values()].map((a) => legacyAgent(master, a, offered)),
    recovered_slaves: [...master.recoveredAgents].map(([id, a]) => ({ id, hostname: a.hostname })),
    frameworks: [...master.frameworks.values()].map((f) => legacyFramework(master, f)),
    completed_frameworks: master.completedFrameworks.map((f) => legacyFramework(master, f)),
    orphan_tasks: [], unregistered_frameworks: [],
  };
}

const SUMMARY_STATES: TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE'];

function stateCounts(tasks: Iterable<Task>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SUMMARY_STATES.map((s) => [s, 0]));
  for (const t of tasks) if (t.state in counts) counts[t.state]!++;
  return counts;
}

export function stateSummary(master: Master): Record<string, unknown> {
  const offered = offeredByAgent(master);
  const frameworks = [...master.frameworks.values(), ...master.completedFrameworks];
  return {
    hostname: master.opts.hostname, cluster: master.opts.flags.cluster ?? '',
    slaves: [...master.agents.values()].map((a) => {
      const tasks = [...a.tasks.values()];
      return { ...legacyAgent(master, a, offered), ...stateCounts(tasks), framework_ids: [...new Set(tasks.map((t) => t.frameworkId))] };
    }),
    frameworks: frameworks.map((f) => {
      const tasks = [...f.tasks.values(), ...f.unreachableTasks.values(), ...f.completedTasks];
      const full = legacyFrameworkParts(master, f).head;
      return {
        id: f.id, name: f.info.name, pid: '', used_resources: full.used_resources, offered_resources: full.offered_resources, capabilities: full.capabilities,
        hostname: full.hostname, webui_url: full.webui_url, active: f.active, connected: f.connected, recovered: f.recovered,
        ...stateCounts(tasks), slave_ids: [...new Set(tasks.map((t) => t.agentId))],
      };
    }),
  };
}

/** Gauges for /metrics/snapshot, computed from state. */
export function masterGauges(master: Master): Record<string, number> {
  const agents = [...master.agents.values()];
  const total = sumResources(agents.map((a) => a.total));
  const used = sumResources(agents.map(agentUsed));
  const frameworks = [...master.frameworks.values()];
  const states: Record<string, number> = { TASK_STAGING: 0, TASK_STARTING: 0, TASK_RUNNING: 0, TASK_KILLING: 0, TASK_UNREACHABLE: 0 };
  for (const f of frameworks) {
    for (const t of f.tasks.values()) if (t.state in states) states[t.state]!++;
    states.TASK_UNREACHABLE! += f.unreachableTasks.size;
  }
  const out: Record<string, number> = {
    'master/elected': master.leader ? 1 : 0,
    'master/uptime_secs': (Date.now() - master.startTime) / 1000,
    'master/slaves_active': agents.filter((a) => a.connected).length,
    'master/slaves_inactive': 0,
    'master/slaves_connected': agents.filter((a) => a.connected).length,
    'master/slaves_disconnected': agents.filter((a) => !a.connected).length,
    'master/slaves_unreachable': master.unreachableAgents.size,
    'master/frameworks_active': frameworks.filter((f) => f.active).length,
    'master/frameworks_inactive': frameworks.filter((f) => !f.active).length,
    'master/frameworks_connected': frameworks.filter((f) => f.connected).length,
    'master/frameworks_disconnected': frameworks.filter((f) => !f.connected).length,
    'master/outstanding_offers': master.offers.size,
    'master/tasks_staging': states.TASK_STAGING!, 'master/tasks_starting': states.TASK_STARTING!, 'master/tasks_running': states.TASK_RUNNING!,
    'master/tasks_killing': states.TASK_KILLING!, 'master/tasks_unreachable': states.TASK_UNREACHABLE!,
    'registrar/log/ensemble_size': 1,
  };
  // Mesos' allocator gauges: what is offered or in use, so a console can show offered = this - used.
  const offered = sumResources([...master.offers.values()].map((o) => o.resources));
  for (const r of ['cpus', 'mem', 'disk', 'gpus']) {
    const t = total.scalar(r); const u = used.scalar(r);
    out[`master/${r}_total`] = t; out[`master/${r}_used`] = u; out[`master/${r}_percent`] = t > 0 ? u / t : 0;
    out[`allocator/mesos/resources/${r}/total`] = t;
    out[`allocator/mesos/resources/${r}/offered_or_allocated`] = u + offered.scalar(r);
  }
  return out;
}

// ---- v1 operator API shapes ----

export function v1Task(task: Task): Record<string, unknown> {
  return {
    name: task.name, task_id: { value: task.taskId }, framework_id: { value: task.frameworkId }, agent_id: { value: task.agentId },
    ...(task.executorId ? { executor_id: { value: task.executorId } } : {}),
    state: task.state, resources: task.resources.toJSON(task.role), statuses: task.statuses,
    ...(task.statusUpdateState ? { status_update_state: task.statusUpdateState, status_update_uuid: task.statusUpdateUuid } : {}),
    ...(task.extras?.labels ? { labels: task.extras.labels } : {}), ...(task.extras?.container ? { container: task.extras.container } : {}),
    ...(task.extras?.user ? { user: task.extras.user } : {}),
  };
}

export function v1Agent(master: Master, agent: Agent, offeredMap = offeredByAgent(master)): Record<string, unknown> {
  return {
    agent_info: agent.info, active: agent.connected, deactivated: false, version: agent.version, pid: agent.pid,
    registered_time: { nanoseconds: agent.registeredTime * 1e6 }, ...(agent.reregisteredTime ? { reregistered_time: { nanoseconds: agent.reregisteredTime * 1e6 } } : {}),
    total_resources: agent.total.toJSON(), allocated_resources: agentUsed(agent).toJSON(),
    offered_resources: (offeredMap.get(agent.id) ?? Resources.empty()).toJSON(),
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'HIERARCHICAL_ROLE' }, { type: 'AGENT_UPDATE' }],
  };
}

export function v1Framework(master: Master, fw: Framework): Record<string, unknown> {
  const offers = [...fw.offers].map((id) => master.offers.get(id)).filter((o): o is OfferRecord => !!o);
  return {
    framework_info: fw.info, active: fw.active, connected: fw.connected, recovered: fw.recovered,
    registered_time: { nanoseconds: fw.registeredTime * 1e6 }, ...(fw.reregisteredTime ? { reregistered_time: { nanoseconds: fw.reregisteredTime * 1e6 } } : {}),
    ...(fw.unregisteredTime ? { unregistered_time: { nanoseconds: fw.unregisteredTime * 1e6 } } : {}),
    offers: offers.map((o) => { const a = master.agents.get(o.agentId); return a ? master.offerJSON(o, a) : undefined; }).filter(Boolean),
    allocated_resources: sumResources([...fw.tasks.values()].map((t) => t.resources)).toJSON(),
    offered_resources: sumResources(offers.map((o) => o.resources)).toJSON(),
  };
}

export function v1GetTasks(master: Master): Record<string, unknown> {
  const frameworks = [...master.frameworks.values(), ...master.completedFrameworks];
  return {
    tasks: frameworks.flatMap((f) => [...f.tasks.values()].map(v1Task)),
    unreachable_tasks: frameworks.flatMap((f) => [...f.unreachableTasks.values()].map(v1Task)),
    completed_tasks: frameworks.flatMap((f) => f.completedTasks.map(v1Task)),
  };
}

export function v1GetAgents(master: Master): Record<string, unknown> {
  return {
    agents: ((offered) => [...master.agents.values()].map((a) => v1Agent(master, a, offered)))(offeredByAgent(master)),
    recovered_agents: [...master.recoveredAgents].map(([id, a]) => ({ id: { value: id }, hostname: a.hostname })),
  };
}

export function v1GetFrameworks(master: Master): Record<string, unknown> {
  return {
    frameworks: [...master.frameworks.values()].map((f) => v1Framework(master, f)),
    completed_frameworks: master.completedFrameworks.map((f) => v1Framework(master, f)),
  };
}

export function v1GetState(master: Master): Record<string, unknown> {
  return { get_tasks: v1GetTasks(master), get_executors: { executors: [] }, get_frameworks: v1GetFrameworks(master), get_agents: v1GetAgents(master) };
}
