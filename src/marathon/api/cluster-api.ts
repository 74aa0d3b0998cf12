// /v2/tasks, /v2/deployments, /v2/queue: views across every app.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../common/clock.ts';
import { appIdOfTask, resolvePathId } from '../path-id.ts';
import { NotFoundError, type MarathonScheduler } from '../scheduler.ts';
import { deploymentJson, queueJson, taskJson, tasksText } from '../views.ts';
import { BadRequestError, flag, jsonBody, queryList, sendJson, wantsText } from './common.ts';
import { createAccess, type Access } from './access.ts';

const STATUS_FILTER: Record<string, string[]> = {
  running: ['TASK_RUNNING'], staging: ['TASK_STAGING'], starting: ['TASK_STARTING'], killing: ['TASK_KILLING'],
  unreachable: ['TASK_UNREACHABLE'],
};

export function registerClusterApi(app: FastifyInstance, m: MarathonScheduler, clock: Clock, access: Access = createAccess(undefined)): void {
  app.get('/v2/tasks', async (req, reply) => {
    const statuses = queryList(req, 'status').flatMap((s) => STATUS_FILTER[s.toLowerCase()] ?? [`TASK_${s.toUpperCase()}`]);
    const tasks = [...m.instances.values()].filter((i) => (statuses.length === 0 || statuses.includes(i.state)) && access.can(req, 'view', i.appId));
    if (wantsText(req)) return reply.code(200).type('text/plain; charset=utf-8').send(tasksText([...m.apps.values()].filter((a) => access.can(req, 'view', a.id)), tasks));
    return sendJson(reply, 200, { tasks: tasks.map((t) => taskJson(t, m.apps.get(t.appId), m)) });
  });

  app.post('/v2/tasks/delete', async (req, reply) => {
    const body = jsonBody(req) as { ids?: unknown };
    if (typeof body !== 'object' || body === null || !Array.isArray(body.ids) || !body.ids.every((x) => typeof x === 'string')) {
      return sendJson(reply, 422, { message: 'Object is not valid', details: [{ path: '/ids', errors: ['ids must be an array of task ids'] }] });
    }
    for (const id of body.ids as string[]) {
      const appId = m.instances.get(id)?.appId ?? appIdOfTask(id);
      if (appId) access.require(req, 'update', appId);
    }
    const result = await m.killTasks(body.ids as string[], { scale: flag(req, 'scale'), wipe: flag(req, 'wipe'), force: flag(req, 'force') });
    if (result.deployment) {
      reply.header('Marathon-Deployment-Id', result.deployment.id);
      return sendJson(reply, 200, { deploymentId: result.deployment.id, version: result.deployment.version });
    }
    return sendJson(reply, 200, { tasks: result.killed.map((t) => taskJson(t, m.apps.get(t.appId), m)) });
  });

  // A deployment shows only to who may view every app it touches (its plan holds their definitions).
  const seesDeployment = (req: import('fastify').FastifyRequest, affected: string[]) => affected.every((a) => access.can(req, 'view', a));
  app.get('/v2/deployments', async (req, reply) => sendJson(reply, 200, [...m.deployments.values()].filter((d) => seesDeployment(req, d.affectedApps)).map((d) => deploymentJson(d, (appId) => m.readinessResults(appId)))));

  app.delete('/v2/deployments/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const force = flag(req, 'force');
    for (const a of m.deployments.get(id)?.affectedApps ?? []) access.require(req, 'update', a);
    const rollback = await m.cancelDeployment(id, force);
    if (!rollback) return reply.code(202).send();
    reply.header('Marathon-Deployment-Id', rollback.id);
    return sendJson(reply, 200, { deploymentId: rollback.id, version: rollback.version });
  });

  app.get('/v2/queue', async (req, reply) => {
    const withOffers = queryList(req, 'embed').includes('lastUnusedOffers');
    return sendJson(reply, 200, queueJson(m.queue().filter((e) => access.can(req, 'view', e.app.id)), clock.now(), withOffers));
  });

  app.delete('/v2/queue/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    if (!rest.endsWith('/delay')) throw new BadRequestError('expected /v2/queue/{appId}/delay');
    const id = resolvePathId(rest.slice(0, -'/delay'.length));
    if (id) access.require(req, 'update', id);
    if (!id || !m.resetDelay(id)) throw new NotFoundError(`Application ${id ?? rest} not found in tasks queue.`);
    return reply.code(204).send();
  });
}
