// Which cgroups an agent removes at start-up: empty, unknown, and old enough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleCgroups, STALE_CGROUP_MS } from '../../../src/agent/containerizer/cgroups.ts';

test('staleCgroups: only empty cgroups of unknown containers older than the threshold', () => {
  const old = STALE_CGROUP_MS + 1;
  const found = [
    { name: 'left-by-killed-agent', ageMs: old, processes: 0 },
    { name: 'being-launched-elsewhere', ageMs: 50, processes: 0 },
    { name: 'another-agents-running-task', ageMs: old, processes: 2 },
    { name: 'mine-ended-while-down', ageMs: old, processes: 0 },
  ];
  assert.deepEqual(staleCgroups(found, new Set(['mine-ended-while-down'])), ['left-by-killed-agent']);
  assert.deepEqual(staleCgroups(found, new Set(), 0), ['left-by-killed-agent', 'being-launched-elsewhere', 'mine-ended-while-down']);
});
