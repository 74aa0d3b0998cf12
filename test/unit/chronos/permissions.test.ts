// Chronos' per-user permissions on job name prefixes: the file format and what a prefix covers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_JOBS, parseJobPermissions } from '../../../src/chronos/permissions.ts';
import { allows } from '../../../src/security/prefix-permissions.ts';

describe('Chronos job permissions', () => {
  const p = parseJobPermissions(JSON.stringify({ users: { 'team-a': [{ prefix: 'team-a-*', actions: ['view', 'update'] }], ops: [{ prefix: '', actions: ['*'] }] } }));

  it('a prefix covers the job names starting with it; a trailing * is the same prefix', () => {
    assert.equal(allows(p, 'team-a', 'view', 'team-a-nightly'), true);
    assert.equal(allows(p, 'team-a', 'update', 'team-a-nightly'), true);
    assert.equal(allows(p, 'team-a', 'view', 'team-b-nightly'), false);
    assert.equal(allows(p, 'team-a', 'view', 'team-a'), false, "'team-a' does not start with 'team-a-'");
  });

  it('only granted actions; the empty prefix covers every job, including all jobs at once', () => {
    assert.equal(allows(p, 'team-a', 'create', 'team-a-new'), false);
    assert.equal(allows(p, 'team-a', 'delete', 'team-a-nightly'), false);
    assert.equal(allows(p, 'ops', 'delete', 'anything'), true);
    assert.equal(allows(p, 'ops', 'update', ALL_JOBS), true);
    assert.equal(allows(p, 'team-a', 'update', ALL_JOBS), false);
    assert.equal(allows(p, 'stranger', 'view', 'team-a-nightly'), false);
  });

  it('names the bad field', () => {
    assert.throws(() => parseJobPermissions('{"users":{"a":[{"path":"/x","actions":["view"]}]}}'), /'users\.a\.0\.prefix'|path/);
    assert.throws(() => parseJobPermissions('{"users":{"a":[{"prefix":"x","actions":["run"]}]}}'), /'users\.a\.0\.actions\.0'/);
  });
});
