// /v2/groups: the app tree by path. Groups are derived from app ids plus explicitly created groups; a group
// change is one deployment over all the apps it touches, in steps ordered by app and group dependencies.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppValidationError, type AppDefinition } from '../app-definition.ts';
import { groupIds, isInGroup, parseGroup } from '../groups.ts';
import { rollbackTo, snapshotGroup, snapshotJson } from '../group-versions.ts';
import type { MarathonRepository } from '../repository.ts';
import { parentOf, resolvePathId } from '../path-id.ts';
import { NotFoundError, type AppChange, type MarathonScheduler } from '../scheduler.ts';
import { appJson } from '../views.ts';
import { BadRequestError, flag, jsonBody, queryList, sendJson } from './common.ts';
import { createAccess, type Access } from './access.ts';
import { ValueTooLargeError } from '../../state/zookeeper-store.ts';

export function registerGroupsApi(app: FastifyInstance, m: MarathonScheduler, repo: MarathonRepository, access: Access = createAccess(undefined)): void {
  const allGroups = () => groupIds(m.apps.keys(), m.groups.keys());

  // Apps the principal may not view, and groups with nothing it may view inside, are left out of the tree.
  const groupJson = (req: FastifyRequest, id: string, all: Set<string>, embedApps: boolean, embedGroups: boolean): Record<string, unknown> => {
    const apps = [...m.apps.values()].filter((a) => parentOf(a.id) === id && access.can(req, 'view', a.id)).sort((a, b) => a.id.localeCompare(b.id));
    const children = [...all].filter((g) => g !== '/' && parentOf(g) === id && access.seesInto(req, g)).sort();
    const versions = [...m.apps.values()].filter((a) => isInGroup(a.id, id) && access.can(req, 'view', a.id)).map((a) => a.version);
    const record = m.groups.get(id);
    if (record) versions.push(record.version);
    return {
      id,
      apps: embedApps ? apps.map((a) => appJson(a, m, { tasks: false, counts: true, deployments: true, lastTaskFailure: false, taskStats: false, readiness: false })) : [],
      groups: embedGroups ? children.map((c) => groupJson(req, c, all, embedApps, embedGroups)) : [],
      pods: [],
      dependencies: record?.dependencies ?? [],
      version: versions.sort().at(-1) ?? new Date(0).toISOString(),
      enforceRole: false,
    };
  };

  const idFrom = (req: FastifyRequest): string => {
    const rest = (req.params as { '*'?: string })['*'] ?? '';
    if (rest.replace(/\/+$/, '') === '') return '/';
    const id = resolvePathId(rest);
    if (!id) throw new NotFoundError(`Group '/${rest}' does not exist`);
    return id;
  };

  /** `{id}/versions` and `{id}/versions/{version}` (also at the root), as Marathon 1.x matches them. */
  const versionsPath = (req: FastifyRequest): { id: string; version?: string } | undefined => {
    const rest = ((req.params as { '*'?: string })['*'] ?? '').replace(/\/+$/, '');
    const match = /^(?:(.*)\/)?versions(?:\/([^/]+))?$/.exec(rest);
    if (!match) return undefined;
    const id = match[1] ? resolvePathId(match[1]) : '/';
    if (!id) throw new NotFoundError(`Group '/${match[1]}' does not exist`);
    return { id, ...(match[2] !== undefined ? { version: match[2] } : {}) };
  };

  const show = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const versioned = versionsPath(req);
    const id = versioned?.id ?? idFrom(req);
    if (!access.seesInto(req, id)) access.require(req, 'view', id);
    const all = allGroups();
    if (versioned?.version !== undefined) {
      const snapshot = await repo.groupVersion(id, versioned.version);
      if (!snapshot) throw new NotFoundError(`Group '${id}' does not exist in version ${versioned.version}`);
      return sendJson(reply, 200, snapshotJson(snapshot));
    }
    if (!all.has(id)) throw new NotFoundError(`Group '${id}' does not exist`);
    if (versioned) return sendJson(reply, 200, [...await repo.groupVersions(id)].reverse());
    const embed = queryList(req, 'embed');
    const embedApps = embed.length === 0 || embed.includes('group.apps');
    const embedGroups = embed.length === 0 || embed.includes('group.groups');
    return sendJson(reply, 200, groupJson(req, id, all, embedApps, embedGroups));
  };
  app.get('/v2/groups', show);
  app.get('/v2/groups/*', show);

  /** The app changes a group body asks for, and the groups to record. */
  const changesFor = (body: unknown, pathId: string, replacing: boolean): { groupId: string; changes: AppChange[]; groups: Array<{ id: string; dependencies: string[] }> } => {
    const parsed = parseGroup(body, pathId);
    const changes: AppChange[] = [];
    if (parsed.scaleBy !== undefined) {
      for (const a of m.apps.values()) {
        if (isInGroup(a.id, parsed.id)) changes.push({ id: a.id, next: { ...a, instances: Math.round(a.instances * parsed.scaleBy) } });
      }
      return { groupId: parsed.id, changes, groups: [] };
    }
    // Only POST gets here with a version (PUT rolls back): creating a group at a given version is meaningless.
    if (parsed.version !== undefined) throw new AppValidationError([{ path: '/version', errors: ['a group is created without a version (PUT with a version rolls back)'] }]);
    const declared = new Map<string, AppDefinition>(parsed.apps.map((a) => [a.id, a]));
    for (const a of declared.values()) changes.push({ id: a.id, next: a });
    if (replacing && parsed.listsApps) {
      for (const id of m.apps.keys()) if (isInGroup(id, parsed.id) && !declared.has(id)) changes.push({ id, next: null });
    }
    return { groupId: parsed.id, changes, groups: parsed.groups };
  };

  /** Every app a group change creates, updates or removes, and every group it records, must be permitted. */
  const authorize = (req: FastifyRequest, groupId: string, changes: AppChange[], groups: Array<{ id: string }>) => {
    const existing = allGroups();
    access.require(req, existing.has(groupId) ? 'update' : 'create', groupId);
    for (const c of changes) access.require(req, c.next === null ? 'delete' : m.apps.has(c.id) ? 'update' : 'create', c.id);
    for (const g of groups) if (g.id !== '/') access.require(req, existing.has(g.id) ? 'update' : 'create', g.id);
  };

  const record = async (groups: Array<{ id: string; dependencies: string[] }>, version: string, remove: string[] = []) =>
    m.saveGroups(groups.filter((g) => g.id !== '/').map((g) => ({ id: g.id, dependencies: g.dependencies, version })), remove);

  /**
   * Records what group `id` holds after a change through this API, as version `version`. The change itself is
   * applied and stored by then: a snapshot too big for the store (a group of thousands of apps on ZooKeeper) is
   * skipped with a warning rather than failing the request.
   */
  const recordVersion = (id: string, version: string) => repo.saveGroupVersion(snapshotGroup(id, version, m.apps.values(), m.groups.values()))
    .catch((err: unknown) => {
      if (!(err instanceof ValueTooLargeError)) throw err;
      app.log.warn({ group: id, version, err: err.message }, 'group version not recorded: too large for the state store');
    });

  /** PUT with `{"version": ...}`: the group as it was then, as one deployment (Marathon 1.x: 422 for a version it never had). */
  const rollback = async (req: FastifyRequest, reply: import('fastify').FastifyReply, groupId: string, version: string) => {
    const snapshot = await repo.groupVersion(groupId, version);
    if (!snapshot) return sendJson(reply, 422, { message: `Group ${groupId} not available in version ${version}` });
    const { changes, groups, removeGroups } = rollbackTo(snapshot, m.apps.values(), m.groups.values());
    authorize(req, groupId, changes, groups);
    for (const g of removeGroups) access.require(req, 'delete', g);
    const d = await m.applyChanges(changes, flag(req, 'force'), groups);
    await record(groups, d.version, removeGroups);
    await recordVersion(groupId, d.version);
    reply.header('Marathon-Deployment-Id', d.id);
    return sendJson(reply, 200, { deploymentId: d.id, version: d.version });
  };

  app.post('/v2/groups', async (req, reply) => {
    const body = jsonBody(req);
    const { groupId, changes, groups } = changesFor(body, '/', false);
    authorize(req, groupId, changes, groups);
    if (allGroups().has(groupId)) return sendJson(reply, 409, { message: `Group ${groupId} is already created. Use PUT to change this group.` });
    const taken = changes.find((c) => m.apps.has(c.id));
    if (taken) return sendJson(reply, 409, { message: `An app with id [${taken.id}] already exists.` });
    const d = await m.applyChanges(changes, flag(req, 'force'), groups);
    await record(groups, d.version);
    await recordVersion(groupId, d.version);
    reply.header('Location', `/v2/groups${groupId}`).header('Marathon-Deployment-Id', d.id);
    return sendJson(reply, 201, { deploymentId: d.id, version: d.version });
  });

  const update = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const pathId = idFrom(req);
    const body = jsonBody(req);
    const existed = allGroups().has(pathId);
    const parsed = parseGroup(body, pathId);
    // As in Marathon, a version in the body means a rollback, whatever else the body holds.
    if (parsed.version !== undefined) return rollback(req, reply, parsed.id, parsed.version);
    const { groupId, changes, groups } = changesFor(body, pathId, true);
    authorize(req, groupId, changes, groups);
    const d = await m.applyChanges(changes, flag(req, 'force'), groups);
    await record(groups, d.version);
    await recordVersion(groupId, d.version);
    reply.header('Marathon-Deployment-Id', d.id);
    return sendJson(reply, existed ? 200 : 201, { deploymentId: d.id, version: d.version });
  };
  app.put('/v2/groups', update);
  app.put('/v2/groups/*', update);

  const remove = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const id = idFrom(req);
    access.require(req, 'delete', id);
    if (!allGroups().has(id)) throw new NotFoundError(`Group '${id}' does not exist`);
    const subtree = [...allGroups()].filter((g) => isInGroup(g, id) && g !== '/');
    const changes: AppChange[] = [...m.apps.keys()].filter((a) => isInGroup(a, id)).map((a) => ({ id: a, next: null }));
    const d = await m.applyChanges(changes, flag(req, 'force'));
    const removed = [...m.groups.keys()].filter((g) => isInGroup(g, id));
    await m.saveGroups([], removed);
    // A deleted group's history goes with it (the root's stays: the root always exists).
    await repo.deleteGroupVersions(subtree);
    reply.header('Marathon-Deployment-Id', d.id);
    return sendJson(reply, 200, { deploymentId: d.id, version: d.version });
  };
  app.delete('/v2/groups', remove);
  app.delete('/v2/groups/*', remove);
}
