// Marathon's per-user permissions on app id prefixes: the file format, what each grant covers, group
// visibility, and which events of /v2/events name which apps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allows, covers, normalizePrefix, parsePermissions, seesInto } from '../../../src/marathon/permissions.ts';
import { pathsOfEvent } from '../../../src/marathon/api/access.ts';

const permissions = parsePermissions(JSON.stringify({
  users: {
    admin: [{ path: '/', actions: ['*'] }],
    'team-a': [{ path: '/team-a/*', actions: ['*'] }, { path: '/shared', actions: ['view'] }],
    viewer: [{ path: '/', actions: ['view'] }],
    deployer: [{ path: '/prod/web', actions: ['update'] }],
  },
}));

describe('permissions file', () => {
  it('names the bad field', () => {
    assert.throws(() => parsePermissions('nope'), /invalid JSON/);
    assert.throws(() => parsePermissions('{"users":{"a":[{"path":"team-a","actions":["view"]}]}}'), /'users\.a\.0\.path' must be an absolute app id prefix/);
    assert.throws(() => parsePermissions('{"users":{"a":[{"path":"/a","actions":["launch"]}]}}'), /'users\.a\.0\.actions\.0'/);
    assert.throws(() => parsePermissions('{"users":{"a":[{"path":"/a","actions":[]}]}}'), /'users\.a\.0\.actions'/);
    assert.throws(() => parsePermissions('{"user":{}}'), /user/);
  });

  it('normalizes prefixes: trailing / and /* mean the same group', () => {
    assert.equal(normalizePrefix('/team-a/*'), '/team-a');
    assert.equal(normalizePrefix('/team-a/'), '/team-a');
    assert.equal(normalizePrefix('/*'), '/');
    assert.equal(normalizePrefix('/'), '/');
  });
});

describe('allows', () => {
  it('a prefix covers itself and what is under it, not siblings sharing its letters', () => {
    assert.equal(covers('/team-a', '/team-a'), true);
    assert.equal(covers('/team-a', '/team-a/web/x'), true);
    assert.equal(covers('/team-a', '/team-ab'), false);
    assert.equal(covers('/', '/anything'), true);
  });

  it('a team may do everything under its prefix and nothing elsewhere', () => {
    for (const action of ['view', 'create', 'update', 'delete'] as const) {
      assert.equal(allows(permissions, 'team-a', action, '/team-a/web'), true, action);
      assert.equal(allows(permissions, 'team-a', action, '/team-b/web'), false, action);
    }
    assert.equal(allows(permissions, 'team-a', 'view', '/shared/db'), true);
    assert.equal(allows(permissions, 'team-a', 'update', '/shared/db'), false);
  });

  it('only granted actions: a viewer cannot write, a deployer cannot create or view', () => {
    assert.equal(allows(permissions, 'viewer', 'view', '/x'), true);
    assert.equal(allows(permissions, 'viewer', 'create', '/x'), false);
    assert.equal(allows(permissions, 'deployer', 'update', '/prod/web'), true);
    assert.equal(allows(permissions, 'deployer', 'create', '/prod/web'), false);
    assert.equal(allows(permissions, 'deployer', 'view', '/prod/web'), false);
  });

  it('unlisted and anonymous principals get nothing; no permissions file allows everyone', () => {
    assert.equal(allows(permissions, 'stranger', 'view', '/team-a'), false);
    assert.equal(allows(permissions, undefined, 'view', '/team-a'), false);
    assert.equal(allows(undefined, undefined, 'delete', '/team-a'), true);
  });
});

describe('seesInto', () => {
  it('a group is visible when it, or something inside it, may be viewed', () => {
    assert.equal(seesInto(permissions, 'team-a', '/'), true);
    assert.equal(seesInto(permissions, 'team-a', '/team-a'), true);
    assert.equal(seesInto(permissions, 'team-a', '/team-a/web'), true);
    assert.equal(seesInto(permissions, 'team-a', '/team-b'), false);
    assert.equal(seesInto(permissions, 'deployer', '/prod'), false); // update alone does not show the tree
    assert.equal(seesInto(permissions, 'stranger', '/'), false);
  });
});

describe('pathsOfEvent', () => {
  it('finds the apps of task, API and deployment events', () => {
    assert.deepEqual(pathsOfEvent({ eventType: 'status_update_event', appId: '/team-b/web' }).apps, ['/team-b/web']);
    assert.deepEqual(pathsOfEvent({ eventType: 'instance_changed_event', runSpecId: '/a' }).apps, ['/a']);
    assert.deepEqual(pathsOfEvent({ eventType: 'api_post_event', appDefinition: { id: '/a' } }).apps, ['/a']);
    const plan = { original: { apps: [{ id: '/a' }] }, target: { apps: [{ id: '/a' }, { id: '/b' }] }, steps: [{ actions: [{ action: 'StopApplication', app: '/c' }] }] };
    assert.deepEqual(pathsOfEvent({ eventType: 'deployment_success', plan }).apps.sort(), ['/a', '/b', '/c']);
    assert.deepEqual(pathsOfEvent({ eventType: 'group_change_success', groupId: '/' }), { apps: [], groups: ['/'] });
    assert.deepEqual(pathsOfEvent({ eventType: 'event_stream_attached', remoteAddress: '1.2.3.4' }), { apps: [], groups: [] });
  });
});
