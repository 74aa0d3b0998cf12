import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppValidationError } from '../../../src/marathon/app-definition.ts';
import { groupIds, isInGroup, parseGroup } from '../../../src/marathon/groups.ts';

test('a group body yields its apps with ids resolved against nested groups', () => {
  const g = parseGroup({ id: 'prod', dependencies: ['shared'], apps: [{ id: 'web', cmd: 'x' }], groups: [{ id: 'db', apps: [{ id: 'pg', cmd: 'y', dependencies: ['../web'] }] }] }, '/');
  assert.equal(g.id, '/prod');
  assert.deepEqual(g.apps.map((a) => a.id), ['/prod/web', '/prod/db/pg']);
  assert.deepEqual(g.apps[1]!.dependencies, ['/prod/web']);
  assert.deepEqual(g.groups, [{ id: '/prod', dependencies: ['/shared'] }, { id: '/prod/db', dependencies: [] }]);
  assert.equal(g.listsApps, true);
  assert.equal(parseGroup({ scaleBy: 2 }, '/prod').scaleBy, 2);
});

test('group problems come back with paths into the body', () => {
  try {
    parseGroup({ id: '/p', apps: [{ id: 'a', cmd: 'x' }, { id: 'a', cmd: 'y' }], groups: [{ apps: [] }], colour: 1 }, '/');
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof AppValidationError);
    assert.deepEqual(err.details.map((d) => d.path), ['/colour']);
  }
  try {
    parseGroup({ id: '/p', apps: [{ id: 'a', cmd: 'x' }, { id: 'a', cmd: 'y' }], groups: [{ apps: [] }] }, '/');
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof AppValidationError);
    assert.deepEqual(err.details.map((d) => d.path).sort(), ['/apps', '/groups/0/id']);
  }
});

test('the group tree is derived from app ids and explicit groups', () => {
  assert.deepEqual([...groupIds(['/a/b/c', '/top'], ['/empty/x'])].sort(), ['/', '/a', '/a/b', '/empty', '/empty/x']);
  assert.equal(isInGroup('/a/b', '/a'), true);
  assert.equal(isInGroup('/ab', '/a'), false);
  assert.equal(isInGroup('/anything', '/'), true);
});
