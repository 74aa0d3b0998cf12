// Read-only endpoints people and tools poll: /master/state and friends, /health, /version, metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendJson, sendJsonChunks, singleQuery, textError } from '../../common/http.ts';
import { TRIREME_VERSION } from '../../common/version.ts';
import { MESOS_COMPAT_VERSION, type Master } from '../master.ts';
import { legacyAgent, legacyTask, offeredByAgent, stateSummary } from '../views.ts';
import { frameworksChunks, masterStateChunks } from '../state-render.ts';
import type { Task } from '../types.ts';
import { principalOf } from '../../security/http-guard.ts';
import { mayTeardown, teardownForbidden } from '../../security/authorizer.ts';
import { visibleMaster } from '../visibility.ts';

type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

/** Mesos serves master endpoints both as /master/<name> and /<name> (the master is the default process). */
function both(app: FastifyInstance, method: 'GET' | 'POST', name: string, handler: Handler): void {
  app.route({ method, url: `/master/${name}`, handler });
  app.route({ method, url: `/${name}`, handler });
}

export function versionJson(): Record<string, unknown> {
  return { version: MESOS_COMPAT_VERSION, trireme_version: TRIREME_VERSION, build_date: '', build_time: 0, build_user: 'trireme' };
}

export function registerStateApi(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined): void {
  // What the caller may see (view_* ACLs): the master itself unless ACLs hide something from this principal.
  const seen = (req: FastifyRequest): Master => visibleMaster(master, master.opts.acls, principalOf(req));
  both(app, 'GET', 'state', (req, reply) => sendJsonChunks(req, reply, masterStateChunks(seen(req))));
  both(app, 'GET', 'state.json', (req, reply) => sendJsonChunks(req, reply, masterStateChunks(seen(req))));
  both(app, 'GET', 'state-summary', (req, reply) => sendJson(req, reply, stateSummary(seen(req))));
  both(app, 'GET', 'frameworks', (req, reply) => {
    const id = (req.query as Record<string, string | undefined>).framework_id;
    return sendJsonChunks(req, reply, frameworksChunks(seen(req), id || undefined));
  });
  both(app, 'GET', 'slaves', (req, reply) => {
    const id = (req.query as Record<string, string | undefined>).slave_id;
    const view = seen(req);
    const agents = [...view.agents.values()].filter((a) => !id || a.id === id);
    const offered = offeredByAgent(view);
    return sendJson(req, reply, {
      slaves: agents.map((a) => ({ ...legacyAgent(view, a, offered), resources_full: a.total.toJSON(), used_resources_full: [] })),
      recovered_slaves: [...view.recoveredAgents].map(([rid, a]) => ({ id: rid, hostname: a.hostname })),
    });
  });
  both(app, 'GET', 'tasks', (req, reply) => {
    const q = singleQuery(req);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 0) return textError(reply, 400, "Failed to parse 'limit': must be a non-negative integer");
    if (!Number.isInteger(offset) || offset < 0) return textError(reply, 400, "Failed to parse 'offset': must be a non-negative integer");
    if (q.order !== undefined && q.order !== 'asc' && q.order !== 'des') return textError(reply, 400, "'order' must be 'asc' or 'des'");
    const view = seen(req);
    let tasks: Task[] = [...view.allTasks()].filter((t) => (!q.framework_id || t.frameworkId === q.framework_id) && (!q.task_id || t.taskId === q.task_id));
    const started = (t: Task): number => t.statuses[0]?.timestamp ?? 0;
    tasks.sort((a, b) => started(a) - started(b));
    if (q.order !== 'asc') tasks.reverse();
    tasks = tasks.slice(offset, offset + limit);
    return sendJson(req, reply, { tasks: tasks.map(legacyTask) });
  });
  both(app, 'GET', 'roles', (req, reply) => {
    const view = seen(req);
    const roles = new Map<string, string[]>();
    for (const f of view.frameworks.values()) for (const r of f.roles) roles.set(r, [...(roles.get(r) ?? []), f.id]);
    for (const r of Object.keys(master.weights)) if (!roles.has(r)) roles.set(r, []);
    return sendJson(req, reply, { roles: [...roles].map(([name, frameworks]) => ({ name, weight: master.weights[name] ?? 1, frameworks })) });
  });
  both(app, 'GET', 'flags', (req, reply) => sendJson(req, reply, { flags: master.opts.flags }));
  both(app, 'GET', 'health', (_req, reply) => reply.code(200).send());
  both(app, 'GET', 'redirect', (req, reply) => {
    const leader = master.leader ? `${master.opts.hostname}:${master.opts.port}` : leaderAddress();
    if (!leader) return textError(reply, 503, 'No leader elected');
    const rest = req.url.replace(/^\/(master\/)?redirect/, '');
    return reply.code(307).header('Location', `//${leader}${rest}`).send();
  });
  both(app, 'POST', 'teardown', (req, reply) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const id = new URLSearchParams(body).get('frameworkId') ?? singleQuery(req).frameworkId;
    if (!id) return textError(reply, 400, "Missing 'frameworkId' query parameter in the request body");
    const fw = master.frameworks.get(id);
    if (!fw) return textError(reply, 400, `No framework found with specified ID '${id}'`);
    if (!mayTeardown(master.opts.acls, principalOf(req), fw.info.principal)) return textError(reply, 403, teardownForbidden(principalOf(req), fw.id));
    master.removeFramework(fw, 'operator teardown');
    return reply.code(200).send();
  });
  app.get('/version', (req, reply) => sendJson(req, reply, versionJson()));
  app.get('/metrics/snapshot', (req, reply) => sendJson(req, reply, master.opts.metrics.snapshot()));
  app.get('/metrics', async (_req, reply) => {
    const registry = master.opts.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
