import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobJson, jobListingJson, parseJob } from '../../../src/chronos/job.ts';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const DEFAULTS = { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' };

test('Chronos defaults fill absent fields; unknown fields are ignored', () => {
  const r = parseJob({ name: 'a', command: 'true', schedule: 'R//PT1M', somethingNew: 1, cpus: 0, mem: null }, 'schedule', DEFAULTS, NOW);
  assert.ok(r.ok);
  if (!r.ok) return;
  const j = jobJson(r.job);
  assert.equal(j.shell, true);
  assert.equal(j.retries, 2);
  assert.equal(j.epsilon, 'PT60S');
  assert.equal(j.cpus, 0.1, 'cpus 0 means the default, as in Chronos');
  assert.equal(j.mem, 128);
  assert.equal(j.disk, 256);
  assert.equal(j.runAsUser, 'root');
  assert.equal(j.somethingNew, undefined);
  assert.equal(j.schedule, 'R/2026-11-25T12:00:00.000Z/PT1M');
  assert.equal('parents' in j, false);
});

test('a job with neither schedule nor parents runs once now', () => {
  const r = parseJob({ name: 'once', command: 'true' }, 'schedule', DEFAULTS, NOW);
  assert.ok(r.ok && r.job.schedule === 'R1/2026-11-25T12:00:00.000Z/PT24H');
});

test('bad input is refused with a message naming the field', () => {
  const cases: Array<[unknown, RegExp, 'schedule' | 'dependency']> = [
    [{ command: 'x', schedule: 'R//PT1M' }, /name/, 'schedule'],
    [{ name: 'a b', schedule: 'R//PT1M' }, /name/, 'schedule'],
    [{ name: 'a', schedule: 'R//P' }, /schedule|period/, 'schedule'],
    [{ name: 'a', schedule: 'R//PT1M', epsilon: 'soon' }, /epsilon/, 'schedule'],
    [{ name: 'a', schedule: 'R//PT1M', cpus: 'lots' }, /cpus/, 'schedule'],
    [{ name: 'a', schedule: 'R//PT1M', uris: ['http://x/a'], fetch: [{ uri: 'http://x/b' }] }, /uris.*fetch/, 'schedule'],
    [{ name: 'a', schedule: 'R//PT1M', constraints: [['rack', 'LIKE', '(']] }, /regular expression/, 'schedule'],
    [{ name: 'a', parents: [] }, /parent/, 'dependency'],
    [{ name: 'a', parents: ['b'] }, /dependency/, 'schedule'],
    [[1, 2], /object/, 'schedule'],
  ];
  for (const [body, re, kind] of cases) {
    const r = parseJob(body, kind, DEFAULTS, NOW);
    assert.equal(r.ok, false, JSON.stringify(body));
    if (!r.ok) assert.match(r.message, re);
  }
});

test('unknown constraint operators are dropped; the listing mirrors uris into fetch', () => {
  const r = parseJob({ name: 'a', schedule: 'R//PT1M', constraints: [['rack', 'GROUP_BY', '2'], ['rack', 'EQUALS', 'r1']], uris: ['http://h/f.tgz'] }, 'schedule', DEFAULTS, NOW);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.job.constraints, [['rack', 'EQUALS', 'r1']]);
  assert.deepEqual(jobListingJson(r.job).fetch, [{ uri: 'http://h/f.tgz', output_file: '', executable: false, cache: false, extract: true }]);
});
