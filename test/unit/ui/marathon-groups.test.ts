// The Marathon console's folder view: the group tree derived from app ids (plus groups created empty), each
// group's totals over everything below it, what a group lists, and where the console lands after a removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ancestors, appsUnder, buildGroupTree, groupItems, memoizeLast, nearestExisting, parentGroup, scaledInstances } from '../../../ui/marathon/lib/groups.ts';
import { eventEffect } from '../../../ui/marathon/lib/events.ts';
import type { AppRow, AppStatus } from '../../../ui/marathon/lib/status.ts';
import type { MarathonApp } from '../../../ui/marathon/lib/types.ts';

const row = (id: string, over: Partial<MarathonApp> = {}, status: AppStatus = 'running'): AppRow => ({
  app: { id, instances: 2, cpus: 0.1, mem: 32, disk: 0, tasksRunning: 2, tasksHealthy: 0, tasksUnhealthy: 0, ...over }, status,
});

// As the store gives them: sorted by id.
const rows = [
  row('/batch/worker', { instances: 3, tasksRunning: 1, cpus: 0.5, mem: 100 }, 'waiting'),
  row('/solo', { instances: 1, tasksRunning: 1 }),
  row('/web/backend/api', { tasksHealthy: 2 }, 'deploying'),
  row('/web/backend/db', { instances: 0, tasksRunning: 0 }, 'suspended'),
  row('/web/frontend', { tasksUnhealthy: 1, tasksHealthy: 1 }),
];

test('ids: parent group and ancestors', () => {
  assert.equal(parentGroup('/a/b/c'), '/a/b');
  assert.equal(parentGroup('/a'), '/');
  assert.deepEqual(ancestors('/a/b/c'), ['/', '/a', '/a/b']);
  assert.deepEqual(ancestors('/a'), ['/']);
  assert.deepEqual(ancestors('/'), []);
});

test('the tree: groups from app ids, own apps, sorted child groups, totals over everything below', () => {
  const tree = buildGroupTree(rows);
  assert.deepEqual([...tree.keys()].sort(), ['/', '/batch', '/web', '/web/backend']);
  const root = tree.get('/')!;
  assert.deepEqual(root.groups, ['/batch', '/web']);
  assert.deepEqual(root.ownApps.map((r) => r.app.id), ['/solo']);
  assert.equal(root.apps, 5);
  assert.equal(root.instances, 3 + 1 + 2 + 0 + 2);

  const web = tree.get('/web')!;
  assert.equal(web.name, 'web');
  assert.deepEqual(web.groups, ['/web/backend']);
  assert.deepEqual(web.ownApps.map((r) => r.app.id), ['/web/frontend']);
  assert.equal(web.apps, 3);
  assert.equal(web.instances, 4);
  assert.equal(web.running, 4);
  assert.equal(web.healthy, 3);
  assert.equal(web.unhealthy, 1);
  assert.ok(Math.abs(web.cpus - 0.4) < 1e-9, 'CPUs of every wanted instance');
  assert.equal(web.mem, 32 * 4);
  // The most pressing status below wins: a deploying app makes its groups "deploying", not "running".
  assert.equal(web.status, 'deploying');
  assert.equal(tree.get('/web/backend')!.status, 'deploying');
  assert.equal(tree.get('/batch')!.status, 'waiting');
  assert.equal(root.status, 'waiting');
  assert.equal(tree.get('/batch')!.cpus, 1.5);
});

test('groups created through /v2/groups show without apps, with their ancestors', () => {
  const tree = buildGroupTree(rows, ['/', '/empty/inner', '/web']);
  assert.deepEqual(tree.get('/')!.groups, ['/batch', '/empty', '/web']);
  assert.deepEqual(tree.get('/empty')!.groups, ['/empty/inner']);
  const inner = tree.get('/empty/inner')!;
  assert.equal(inner.apps, 0);
  assert.equal(inner.status, undefined);
  assert.equal(tree.get('/web')!.apps, 3, 'an explicit group with apps is counted once');
});

test('a group lists its child groups first, then its own apps', () => {
  const tree = buildGroupTree(rows);
  assert.deepEqual(groupItems(tree.get('/')!, tree).map((i) => (i.kind === 'group' ? `group ${i.group.id}` : `app ${i.row.app.id}`)),
    ['group /batch', 'group /web', 'app /solo']);
  assert.deepEqual(groupItems(tree.get('/web')!, tree).map((i) => (i.kind === 'group' ? `group ${i.group.id}` : `app ${i.row.app.id}`)),
    ['group /web/backend', 'app /web/frontend']);
});

test('apps below a group, for the flat filtered list (a prefix of the id is not a group)', () => {
  const more = [...rows, row('/webby')];
  assert.deepEqual(appsUnder(more, '/web').map((r) => r.app.id), ['/web/backend/api', '/web/backend/db', '/web/frontend']);
  assert.equal(appsUnder(more, '/').length, 6);
});

test('scaling a group: wanted instances before and after, each app rounded', () => {
  assert.deepEqual(scaledInstances(appsUnder(rows, '/web'), 2), { before: 4, after: 8 });
  assert.deepEqual(scaledInstances([row('/a', { instances: 3 }), row('/b', { instances: 1 })], 0.5), { before: 4, after: 2 + 1 });
});

test('after a removal, or for an unknown group: the nearest group above that exists', () => {
  const tree = buildGroupTree(rows.filter((r) => !r.app.id.startsWith('/batch/')));
  assert.equal(nearestExisting(tree, '/batch/worker'), '/', '/batch went with its last app');
  assert.equal(nearestExisting(tree, '/web/backend/api'), '/web/backend');
  assert.equal(nearestExisting(tree, '/web/nope/deeper'), '/web');
  // A group created through /v2/groups outlives its last app.
  assert.equal(nearestExisting(buildGroupTree([], ['/batch']), '/batch/worker'), '/batch');
});

test('10,000 apps in 100 groups: one tree, totals add up, and the memo reuses it until the input changes', () => {
  const many: AppRow[] = [];
  for (let g = 0; g < 100; g++) for (let i = 0; i < 100; i++) many.push(row(`/bench/g${g}/app-${i}`, { instances: 1, tasksRunning: i % 2 }));
  const build = memoizeLast(buildGroupTree);
  const explicit = new Set<string>();
  const tree = build(many, explicit);
  assert.equal(tree.size, 1 + 1 + 100);
  assert.equal(tree.get('/bench')!.groups.length, 100);
  assert.equal(tree.get('/bench')!.apps, 10_000);
  assert.equal(tree.get('/bench/g42')!.running, 50);
  assert.equal(tree.get('/')!.running, 5_000);
  assert.equal(build(many, explicit), tree, 'same input: same tree');
  assert.notEqual(build([...many], explicit), tree, 'new apps: rebuilt');
});

test('group events and removed apps (groups may go with them) ask for the group list again', () => {
  assert.equal(eventEffect({ eventType: 'group_change_success', groupId: '/', version: 'v' }).groups, true);
  assert.equal(eventEffect({ eventType: 'group_change_failed', groupId: '/', version: 'v' }).groups, true);
  assert.equal(eventEffect({ eventType: 'app_terminated_event', appId: '/a/b' }).groups, true);
  assert.equal(eventEffect({ eventType: 'status_update_event', appId: '/a' }).groups, undefined);
});
