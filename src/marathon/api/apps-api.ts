// /v2/apps and everything under an app id: create, read (filters, embed), update, scale, restart, destroy,
// versions, and the app's tasks.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mergeUpdate, parseApp, type AppDefinition } from '../app-definition.ts';
import type { EventBus } from '../events.ts';
import { resolvePathId } from '../path-id.ts';
import { isInGroup } from '../groups.ts';
import type { MarathonRepository } from '../repository.ts';
import { NotFoundError, type MarathonScheduler } from '../scheduler.ts';
import { AppJsonCache, appJson, taskJson, type AppEmbed } from '../views.ts';
import { BadRequestError, flag, jsonBody, queryList, sendJson, wantsText } from './common.ts';
import { singleQuery } from '../../common/http.ts';
import { matchesLabelSelector, parseLabelSelector } from './label-selector.ts';
import { tasksText } from '../views.ts';
import { createAccess, type Access } from './access.ts';

function embedOf(req: FastifyRequest, prefix: 'apps' | 'app', defaults: Partial<AppEmbed>): AppEmbed {
  const wanted = new Set(queryList(req, 'embed'));
  const has = (k: string) => wanted.has(`${prefix}.${k}`);
  return {
    tasks: has('tasks') || (defaults.tasks ?? false), counts: true, deployments: true,
    lastTaskFailure: has('lastTaskFailure') || has('failures') || (defaults.lastTaskFailure ?? false),
    taskStats: has('taskStats'), readiness: has('readiness'),
  };
}

/** Splits "/prod/web/tasks/abc" into the app id and what follows it. */
function splitAppPath(rest: string): { id: string; tail: string[] } {
  const parts = rest.split('/').filter(Boolean);
  for (const marker of ['restart', 'versions', 'tasks']) {
    const at = parts.lastIndexOf(marker);
    if (at > 0 && (marker !== 'restart' || at === parts.length - 1) && (marker !== 'versions' || at >= parts.length - 2) && (marker !== 'tasks' || at >= parts.length - 2)) {
      return { id: `/${parts.slice(0, at).join('/')}`, tail: parts.slice(at) };
    }
  }
  return { id: `/${parts.join('/')}`, tail: [] };
}

function deploymentResult(d: { id: string; version: string }) {
  return { deploymentId: d.id, version: d.version };
}

export function registerAppsApi(app: FastifyInstance, m: MarathonScheduler, repo: MarathonRepository, events: EventBus, access: Access = createAccess(undefined)): void {
  const cache = new AppJsonCache(m);
  const must = (id: string): AppDefinition => {
    const found = m.apps.get(id);
    if (!found) throw new NotFoundError(`App '${id}' does not exist`);
    return found;
  };
  const validId = (raw: string): string => {
    const id = resolvePathId(raw);
    if (!id) throw new NotFoundError(`App '${raw}' does not exist`);
    return id;
  };
  const postEvent = (req: FastifyRequest, appDefinition: AppDefinition) =>
    events.publish('api_post_event', { clientIp: req.ip, uri: req.url.split('?')[0], appDefinition });

  app.get('/v2/apps', async (req, reply) => {
    const q = singleQuery(req);
    const embed = embedOf(req, 'apps', {});
    const selector = q.label ? parseLabelSelector(q.label) : undefined;
    if (selector && !selector.ok) throw new BadRequestError(`Invalid label selector: ${selector.error}`);
    const apps = [...m.apps.values()]
      .filter((a) => !q.cmd || (a.cmd ?? '').includes(q.cmd))
      .filter((a) => !q.id || a.id.toLowerCase().includes(q.id.toLowerCase()))
      .filter((a) => !selector || !selector.ok || matchesLabelSelector(selector.terms, a.labels))
      .filter((a) => access.can(req, 'view', a.id))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return reply.code(200).type('application/json; charset=utf-8').send(`{"apps":[${apps.map((a) => cache.text(a, embed)).join(',')}]}`);
  });

  app.post('/v2/apps', async (req, reply) => {
    const body = jsonBody(req);
    const def = parseApp(body);
    access.require(req, 'create', def.id);
    if (m.apps.has(def.id)) return sendJson(reply, 409, { message: `An app with id [${def.id}] already exists.` });
    const { app: created, deployment } = await m.putApp(def, { force: flag(req, 'force') });
    postEvent(req, created);
    const json = appJson(created, m, embedOf(req, 'apps', {}));
    json.deployments = [{ id: deployment.id }];
    reply.header('Location', `/v2/apps${created.id}`).header('Marathon-Deployment-Id', deployment.id);
    return sendJson(reply, 201, json);
  });

  app.get('/v2/apps/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    if (rest === '*' || rest.endsWith('/*')) {
      // GET /v2/apps/prod/* lists the apps under a group (Marathon answers {"*": [...]}).
      const group = rest === '*' ? '/' : resolvePathId(rest.slice(0, -2));
      if (!group) throw new NotFoundError(`Group '/${rest.slice(0, -2)}' does not exist`);
      const embed = embedOf(req, 'apps', {});
      const apps = [...m.apps.values()].filter((a) => isInGroup(a.id, group) && a.id !== group && access.can(req, 'view', a.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
      return reply.code(200).type('application/json; charset=utf-8').send(`{"*":[${apps.map((a) => cache.text(a, embed)).join(',')}]}`);
    }
    const { id: rawId, tail } = splitAppPath(rest);
    const id = validId(rawId);
    // Permission before existence: a forbidden id answers 403 whether or not it exists.
    access.require(req, 'view', id);
    const current = must(id);
    if (tail.length === 0) return sendJson(reply, 200, { app: appJson(current, m, embedOf(req, 'app', { tasks: true, lastTaskFailure: true })) });
    if (tail[0] === 'versions' && tail.length === 1) return sendJson(reply, 200, { versions: [...(m.versions.get(id) ?? [])].reverse() });
    if (tail[0] === 'versions' && tail.length === 2) {
      const v = await repo.appVersion(id, tail[1]!);
      if (!v) throw new NotFoundError(`App '${id}' does not exist in version ${tail[1]}`);
      return sendJson(reply, 200, v);
    }
    if (tail[0] === 'tasks' && tail.length === 1) {
      const tasks = m.instances.ofApp(id);
      if (wantsText(req)) return reply.code(200).type('text/plain; charset=utf-8').send(tasksText([current], tasks));
      return sendJson(reply, 200, { tasks: tasks.map((t) => taskJson(t, current, m)) });
    }
    throw new NotFoundError(`App '${id}' does not exist`);
  });

  const update = (partial: boolean | 'query') => async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { id: rawId, tail } = splitAppPath((req.params as { '*': string })['*']);
    if (tail.length > 0) throw new NotFoundError(`Resource not found: ${req.method} ${req.url.split('?')[0]}`);
    const id = resolvePathId(rawId);
    const body = jsonBody(req);
    if (!id) return sendJson(reply, 422, { message: 'Object is not valid', details: [{ path: '/id', errors: [`'${rawId}' is not a valid app id`] }] });
    const current = m.apps.get(id);
    access.require(req, current ? 'update' : 'create', id);
    const force = flag(req, 'force');
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const fields = isObject ? body as Record<string, unknown> : undefined;
    // {"version": v} alone rolls back to that version.
    if (fields && current && typeof fields.version === 'string' && Object.keys(fields).every((k) => k === 'version' || k === 'id')) {
      const old = await repo.appVersion(id, fields.version);
      if (!old) throw new NotFoundError(`App '${id}' does not exist in version ${fields.version}`);
      const { deployment } = await m.putApp({ ...old, id }, { force });
      reply.header('Marathon-Deployment-Id', deployment.id);
      return sendJson(reply, 200, deploymentResult(deployment));
    }
    if (partial !== 'query' && !current) throw new NotFoundError(`App '${id}' does not exist`);
    const replaceAll = partial === 'query' ? (req.query as Record<string, string>).partialUpdate === 'false' : !partial;
    const input = fields ? { ...fields, id } : body;
    const def = current && !replaceAll && fields ? parseApp(mergeUpdate(current, { ...fields, id })) : parseApp(input);
    const { app: changed, deployment } = await m.putApp(def, { force });
    postEvent(req, changed);
    reply.header('Marathon-Deployment-Id', deployment.id);
    if (!current) reply.header('Location', `/v2/apps${changed.id}`);
    return sendJson(reply, current ? 200 : 201, deploymentResult(deployment));
  };
  app.put('/v2/apps/*', update('query'));
  app.patch('/v2/apps/*', update(true));

  app.post('/v2/apps/*', async (req, reply) => {
    const { id: rawId, tail } = splitAppPath((req.params as { '*': string })['*']);
    if (tail[0] !== 'restart') throw new NotFoundError(`Resource not found: POST ${req.url.split('?')[0]}`);
    const id = validId(rawId);
    access.require(req, 'update', id);
    const current = must(id);
    const { deployment } = await m.putApp(current, { force: flag(req, 'force'), restart: true });
    reply.header('Marathon-Deployment-Id', deployment.id);
    return sendJson(reply, 200, deploymentResult(deployment));
  });

  app.delete('/v2/apps/*', async (req, reply) => {
    const { id: rawId, tail } = splitAppPath((req.params as { '*': string })['*']);
    const id = validId(rawId);
    // Killing an app's tasks changes the app (Marathon's UpdateRunSpec); destroying it is a delete.
    access.require(req, tail.length === 0 ? 'delete' : 'update', id);
    if (tail.length === 0) {
      const d = await m.deleteApp(id, flag(req, 'force'));
      reply.header('Marathon-Deployment-Id', d.id);
      return sendJson(reply, 200, deploymentResult(d));
    }
    if (tail[0] !== 'tasks') throw new NotFoundError(`Resource not found: DELETE ${req.url.split('?')[0]}`);
    const current = must(id);
    const scale = flag(req, 'scale');
    const wipe = flag(req, 'wipe');
    let tasks = m.instances.ofApp(id);
    if (tail.length === 2) {
      const one = tasks.find((t) => t.taskId === tail[1]);
      if (!one) throw new NotFoundError(`Task '${tail[1]}' does not exist`);
      tasks = [one];
    } else {
      const host = singleQuery(req).host;
      if (host) tasks = tasks.filter((t) => t.host === host);
    }
    const result = await m.killTasks(tasks.map((t) => t.taskId), { scale, wipe, force: flag(req, 'force') });
    if (scale && result.deployment) {
      reply.header('Marathon-Deployment-Id', result.deployment.id);
      return sendJson(reply, 200, deploymentResult(result.deployment));
    }
    if (tail.length === 2) return sendJson(reply, 200, { task: taskJson(tasks[0]!, current, m) });
    return sendJson(reply, 200, { tasks: result.killed.map((t) => taskJson(t, current, m)) });
  });
}
