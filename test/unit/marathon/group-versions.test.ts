import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApp } from '../../../src/marathon/app-definition.ts';
import { addVersion, rollbackTo, snapshotGroup, snapshotJson } from '../../../src/marathon/group-versions.ts';
import { MarathonRepository } from '../../../src/marathon/repository.ts';
import { MemoryStore } from '../../../src/state/memory-store.ts';

const app = (id: string, cmd: string, version = 'v1') => ({ ...parseApp({ id, cmd }), version, versionInfo: { lastConfigChangeAt: version, lastScalingAt: version } });
const group = (id: string, dependencies: string[] = []) => ({ id, dependencies, version: 'v1' });

test('a snapshot holds the apps and recorded groups inside the group only', () => {
  const s = snapshotGroup('/shop', 'v2', [app('/shop/web', 'a'), app('/shop/db/pg', 'b'), app('/shopping/x', 'c'), app('/other', 'd')], [group('/shop'), group('/shop/db'), group('/shopping')]);
  assert.deepEqual(s.apps.map((a) => a.id), ['/shop/db/pg', '/shop/web']);
  assert.deepEqual(s.groups.map((g) => g.id), ['/shop', '/shop/db']);
  assert.equal(s.version, 'v2');
});

test('versions are kept sorted and bounded, the oldest dropping first', () => {
  assert.deepEqual(addVersion(['2026-01-02', '2026-01-01'], '2026-01-03', 2), { kept: ['2026-01-02', '2026-01-03'], dropped: ['2026-01-01'] });
  assert.deepEqual(addVersion([], '2026-01-01', 2), { kept: ['2026-01-01'], dropped: [] });
  assert.deepEqual(addVersion(['2026-01-01'], '2026-01-01', 2), { kept: ['2026-01-01'], dropped: [] });
});

test('rolling back restores old definitions, brings back removed apps and removes later ones', () => {
  const snapshot = snapshotGroup('/shop', 'v1', [app('/shop/web', 'old'), app('/shop/worker', 'w')], [group('/shop')]);
  const r = rollbackTo(snapshot, [app('/shop/web', 'new', 'v2'), app('/shop/api', 'api', 'v2'), app('/elsewhere', 'x')], [group('/shop'), group('/shop/extra')]);
  assert.deepEqual(r.changes.map((c) => [c.id, c.next?.cmd ?? null]), [['/shop/web', 'old'], ['/shop/worker', 'w'], ['/shop/api', null]]);
  assert.deepEqual(r.groups.map((g) => g.id), ['/shop']);
  assert.deepEqual(r.removeGroups, ['/shop/extra']);
});

test('a snapshot renders as nested group JSON, intermediate groups included', () => {
  const s = snapshotGroup('/shop', 'v1', [app('/shop/web', 'a'), app('/shop/db/pg', 'b')], [group('/shop', ['/infra'])]);
  const json = snapshotJson(s) as any;
  assert.equal(json.id, '/shop');
  assert.deepEqual(json.dependencies, ['/infra']);
  assert.deepEqual(json.apps.map((a: any) => a.id), ['/shop/web']);
  assert.deepEqual(json.groups.map((g: any) => [g.id, g.apps.map((a: any) => a.id)]), [['/shop/db', ['/shop/db/pg']]]);
  const root = snapshotJson(snapshotGroup('/', 'v1', [app('/a/b', 'x'), app('/c', 'y')], [])) as any;
  assert.deepEqual(root.apps.map((a: any) => a.id), ['/c']);
  assert.deepEqual(root.groups.map((g: any) => g.id), ['/a']);
});

test('the repository keeps at most `keep` versions per group and forgets them with the group', async () => {
  const store = new MemoryStore();
  const repo = new MarathonRepository(store);
  const versions = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'];
  // Recorded concurrently: none may be lost to another's read of the index.
  await Promise.all(versions.map((v) => repo.saveGroupVersion(snapshotGroup('/shop', v, [app('/shop/web', `cmd-${v}`)], []), 3)));
  await repo.saveGroupVersion(snapshotGroup('/other', '2026-01-01', [], []), 3);
  assert.deepEqual(await repo.groupVersions('/shop'), versions.slice(1));
  assert.equal(await repo.groupVersion('/shop', '2026-01-01'), undefined);
  assert.equal((await repo.groupVersion('/shop', '2026-01-02'))?.apps[0]?.cmd, 'cmd-2026-01-02');
  await repo.deleteGroupVersions(['/shop']);
  assert.deepEqual(await repo.groupVersions('/shop'), []);
  assert.deepEqual((await store.list('/marathon/group-versions/')).map((e) => e.key), ['/marathon/group-versions/%2Fother/2026-01-01']);
});
