// POST /api/v1 — the Mesos v1 operator API (the calls this issue covers), plus its SUBSCRIBE event stream.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RecordIOStream } from '../../common/event-stream.ts';
import { acceptsJson, textError } from '../../common/http.ts';
import { acquireStreamSlot } from '../../security/http-limits.ts';
import { CallError, type Master, type OperatorEvent } from '../master.ts';
import { v1Agent, v1Framework, v1GetAgents, v1GetFrameworks, v1GetState, v1GetTasks, v1Task } from '../views.ts';
import { parseJsonCall, redirectIfNotLeader } from './scheduler-api.ts';
import { versionJson } from './state-api.ts';
import { principalOf } from '../../security/http-guard.ts';
import { mayTeardown, teardownForbidden } from '../../security/authorizer.ts';
import { viewer, visibleMaster } from '../visibility.ts';

const operatorCallSchema = z.looseObject({
  type: z.string().min(1),
  update_weights: z.object({ weight_infos: z.array(z.object({ role: z.string(), weight: z.number() })) }).optional(),
  teardown: z.object({ framework_id: z.object({ value: z.string() }) }).optional(),
  get_metrics: z.looseObject({}).optional(),
});

const MAX_SUBSCRIBERS = 1000;

/** Every call type of Mesos' v1 master API: others are malformed (400); these, when not implemented here, 501. */
export const MESOS_OPERATOR_CALL_TYPES = new Set([
  'UNKNOWN', 'GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_LOGGING_LEVEL', 'SET_LOGGING_LEVEL', 'LIST_FILES', 'READ_FILE',
  'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_OPERATIONS', 'GET_TASKS', 'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS',
  'GET_MASTER', 'SUBSCRIBE', 'RESERVE_RESOURCES', 'UNRESERVE_RESOURCES', 'CREATE_VOLUMES', 'DESTROY_VOLUMES', 'GROW_VOLUME', 'SHRINK_VOLUME',
  'GET_MAINTENANCE_STATUS', 'GET_MAINTENANCE_SCHEDULE', 'UPDATE_MAINTENANCE_SCHEDULE', 'START_MAINTENANCE', 'STOP_MAINTENANCE', 'DRAIN_AGENT',
  'DEACTIVATE_AGENT', 'REACTIVATE_AGENT', 'GET_QUOTA', 'UPDATE_QUOTA', 'SET_QUOTA', 'REMOVE_QUOTA', 'TEARDOWN', 'MARK_AGENT_GONE',
]);

export function registerOperatorApi(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined): void {
  let subscribers = 0;
  const handler = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (redirectIfNotLeader(master, leaderAddress, req, reply)) return reply;
    if (!acceptsJson(req)) return textError(reply, 406, "Expecting 'Accept' to allow application/json");
    const call = parseJsonCall(req, reply, operatorCallSchema);
    if (!call) return reply;
    const ok = (type: string, body: unknown) => reply.type('application/json').send({ type, [type.toLowerCase()]: body });
    const principal = principalOf(req);
    // Only what the caller may see (view_* ACLs); the master itself when nothing is hidden.
    const seen = () => visibleMaster(master, master.opts.acls, principal);
    switch (call.type) {
      case 'GET_HEALTH': return ok('GET_HEALTH', { healthy: true });
      case 'GET_VERSION': return ok('GET_VERSION', { version_info: versionJson() });
      case 'GET_FLAGS': return ok('GET_FLAGS', { flags: Object.entries(master.opts.flags).map(([name, value]) => ({ name, value })) });
      case 'GET_METRICS': return ok('GET_METRICS', { metrics: Object.entries(master.opts.metrics.snapshot()).map(([name, value]) => ({ name, value })) });
      case 'GET_STATE': return ok('GET_STATE', v1GetState(seen()));
      case 'GET_AGENTS': return ok('GET_AGENTS', v1GetAgents(seen()));
      case 'GET_FRAMEWORKS': return ok('GET_FRAMEWORKS', v1GetFrameworks(seen()));
      case 'GET_TASKS': return ok('GET_TASKS', v1GetTasks(seen()));
      case 'GET_EXECUTORS': return ok('GET_EXECUTORS', { executors: [] });
      case 'GET_MASTER': return ok('GET_MASTER', { master_info: master.info, start_time: master.startTime / 1000, elected_time: (master.electedTime ?? 0) / 1000 });
      case 'GET_ROLES': {
        const roles = new Set<string>(Object.keys(master.weights));
        for (const f of master.frameworks.values()) for (const r of f.roles) roles.add(r);
        return ok('GET_ROLES', { roles: [...roles].sort().map((name) => ({ name, weight: master.weights[name] ?? 1, frameworks: [...master.frameworks.values()].filter((f) => f.roles.includes(name)).map((f) => ({ value: f.id })) })) });
      }
      case 'GET_WEIGHTS': return ok('GET_WEIGHTS', { weight_infos: Object.entries(master.weights).map(([role, weight]) => ({ role, weight })) });
      case 'UPDATE_WEIGHTS': {
        if (!call.update_weights) return textError(reply, 400, "Expecting 'update_weights' to be present");
        try { await master.updateWeights(call.update_weights.weight_infos); } catch (err) {
          if (err instanceof CallError) return textError(reply, err.status, err.message);
          throw err;
        }
        return reply.code(200).send();
      }
      case 'TEARDOWN': {
        if (!call.teardown) return textError(reply, 400, "Expecting 'teardown' to be present");
        const fw = master.frameworks.get(call.teardown.framework_id.value);
        if (!fw) return textError(reply, 400, `No framework found with specified ID '${call.teardown.framework_id.value}'`);
        if (!mayTeardown(master.opts.acls, principal, fw.info.principal)) return textError(reply, 403, teardownForbidden(principal, fw.id));
        master.removeFramework(fw, 'operator teardown');
        return reply.code(200).send();
      }
      case 'SUBSCRIBE': {
        if (subscribers >= MAX_SUBSCRIBERS) return textError(reply, 503, 'Too many operator event stream subscribers');
        const slot = acquireStreamSlot(req, reply);
        if ('refused' in slot) return textError(reply, 429, slot.refused);
        subscribers++;
        reply.hijack();
        const stream = new RecordIOStream(reply.raw, {}, 'application/json', slot);
        stream.send({ type: 'SUBSCRIBED', subscribed: { get_state: v1GetState(seen()), heartbeat_interval_seconds: 15 } });
        const sees = viewer(master.opts.acls, principal);
        const listener = (e: OperatorEvent) => { if (eventVisible(master, e, sees)) stream.send(operatorEventJson(master, e)); };
        master.on('operator', listener);
        // A master that stops leading has no more events to tell: drop the stream so the client finds the leader.
        const drop = () => stream.close();
        master.once('stepped-down', drop);
        const heartbeat = setInterval(() => stream.send({ type: 'HEARTBEAT' }), 15_000);
        stream.onClose(() => { subscribers--; clearInterval(heartbeat); master.off('operator', listener); master.off('stepped-down', drop); });
        return reply;
      }
      default:
        if (!MESOS_OPERATOR_CALL_TYPES.has(call.type)) return textError(reply, 400, `Failed to validate call: 'type' '${call.type.slice(0, 100)}' is not a master call type`);
        return textError(reply, 501, `Operator call '${call.type}' is not supported by this master yet`);
    }
  };
  app.post('/api/v1', handler);
  app.post('/master/api/v1', handler);
}

/** Whether an operator event is about something the subscriber may see (view_* ACLs). */
function eventVisible(master: Master, e: OperatorEvent, sees: ReturnType<typeof viewer>): boolean {
  switch (e.type) {
    case 'TASK_ADDED': case 'TASK_UPDATED': {
      const fw = master.frameworks.get(e.task.frameworkId) ?? master.completedFrameworks.find((f) => f.id === e.task.frameworkId);
      return (!fw || sees.framework(fw)) && sees.task(e.task, fw);
    }
    case 'AGENT_ADDED': return sees.agent(e.agent);
    case 'AGENT_REMOVED': { const a = master.agents.get(e.agentId); return !a || sees.agent(a); }
    default: return sees.framework(e.framework);
  }
}

function operatorEventJson(master: Master, e: OperatorEvent): unknown {
  switch (e.type) {
    case 'TASK_ADDED': return { type: e.type, task_added: { task: v1Task(e.task) } };
    case 'TASK_UPDATED': return { type: e.type, task_updated: { framework_id: { value: e.task.frameworkId }, status: e.status, state: e.task.state } };
    case 'AGENT_ADDED': return { type: e.type, agent_added: { agent: v1Agent(master, e.agent) } };
    case 'AGENT_REMOVED': return { type: e.type, agent_removed: { agent_id: { value: e.agentId } } };
    case 'FRAMEWORK_ADDED': return { type: e.type, framework_added: { framework: v1Framework(master, e.framework) } };
    case 'FRAMEWORK_UPDATED': return { type: e.type, framework_updated: { framework: v1Framework(master, e.framework) } };
    case 'FRAMEWORK_REMOVED': return { type: e.type, framework_removed: { framework_info: e.framework.info } };
  }
}
