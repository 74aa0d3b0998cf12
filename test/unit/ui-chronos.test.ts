// The Chronos console's pure parts: schedule builder ↔ ISO8601, schedules in words, form ↔ job JSON, API messages
// to form fields, and which jobs the dependency picture draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromSchedule, periodFields, scheduleInWords, toSchedule } from '../../ui/chronos/schedule.ts';
import { formFromJob, jobFromForm, newForm, withoutCounters } from '../../ui/chronos/job-form.ts';
import { errorsByField } from '../../ui/shared/fieldErrors.ts';
import { selectGraph } from '../../ui/chronos/graph.ts';
import type { Job, JobSummary } from '../../ui/chronos/types.ts';

test('the builder writes R[n]/start/period, in UTC or as wall-clock time plus scheduleTimeZone', () => {
  assert.deepEqual(toSchedule({ start: '2030-01-01T09:00', timeZone: 'UTC', repeat: undefined, every: 6, unit: 'hours' }), { schedule: 'R/2030-01-01T09:00:00Z/PT6H', scheduleTimeZone: '' });
  assert.deepEqual(toSchedule({ start: '2030-01-01T09:00', timeZone: 'Europe/Paris', repeat: 3, every: 1, unit: 'months' }), { schedule: 'R3/2030-01-01T09:00:00/P1M', scheduleTimeZone: 'Europe/Paris' });
  assert.equal(toSchedule({ start: '2030-01-01T09:00', timeZone: 'UTC', repeat: 0, every: 2, unit: 'weeks' }).schedule, 'R0/2030-01-01T09:00:00Z/P2W');
});

test('a stored schedule reads back into the builder in its time zone; mixed periods do not fit the builder', () => {
  assert.deepEqual(fromSchedule('R5/2030-01-01T09:00:00.000+01:00/P1D', 'Europe/Paris'), { start: '2030-01-01T09:00', timeZone: 'Europe/Paris', repeat: 5, every: 1, unit: 'days' });
  assert.deepEqual(fromSchedule('R/2030-01-01T09:00:00.000Z/PT90M', ''), { start: '2030-01-01T09:00', timeZone: 'UTC', repeat: undefined, every: 90, unit: 'minutes' });
  assert.equal(fromSchedule('R/2030-01-01T09:00:00Z/P1DT12H', ''), undefined);
  assert.deepEqual(periodFields('PT120S'), { every: 2, unit: 'minutes' });
});

test('schedules in words', () => {
  assert.equal(scheduleInWords('R/2030-01-01T09:00:00.000Z/PT6H'), 'every 6 hours');
  assert.equal(scheduleInWords('R/2030-01-01T09:00:00.000Z/P1D'), 'every day');
  assert.equal(scheduleInWords('R3/2030-01-01T09:00:00.000Z/PT15M'), 'every 15 minutes, 3 runs left');
  assert.equal(scheduleInWords('R1/2030-01-01T09:00:00.000Z/PT24H'), 'once');
  assert.equal(scheduleInWords('R0/2030-01-01T09:00:00.000Z/P1D'), 'done (no runs left)');
});

const stored: Job = {
  name: 'etl', command: 'run.sh', shell: true, schedule: 'R/2030-01-01T09:00:00.000Z/PT1H', scheduleTimeZone: '', epsilon: 'PT30S', retries: 1, async: false,
  cpus: 0.5, mem: 64, disk: 256, disabled: false, concurrent: false, owner: 'a@example.com', ownerName: '', description: '', environmentVariables: [{ name: 'A', value: '1' }],
  successCount: 4, errorCount: 1, lastSuccess: '2026-11-25T10:00:00.000Z', lastError: '', errorsSinceLastSuccess: 0, uris: ['http://x/y.tgz'], constraints: [['rack', 'EQUALS', 'a']],
};

test('editing keeps fields the form does not show and leaves the counters to the server', () => {
  const form = formFromJob(stored);
  assert.equal(form.epsilonSeconds, '30');
  const out = jobFromForm({ ...form, mem: '128', kind: 'dependency', parents: ['extract'] }, { schedule: 'ignored', scheduleTimeZone: '' }, stored);
  assert.deepEqual(out.uris, ['http://x/y.tgz']);
  assert.deepEqual(out.constraints, [['rack', 'EQUALS', 'a']]);
  assert.equal(out.mem, 128);
  assert.deepEqual(out.parents, ['extract']);
  assert.equal(out.schedule, undefined, 'a dependent job has no schedule');
  assert.equal(out.epsilon, 'PT30S');
  // Runs may end while the form is open: the POST leaves the counters out so Chronos keeps its current ones.
  assert.deepEqual(Object.keys(withoutCounters(out)).filter((k) => /Count|last|errorsSince/.test(k)), []);
});

test('a new form sends numbers as numbers, what is not a number as typed, and blanks not at all', () => {
  const out = jobFromForm({ ...newForm('UTC'), name: 'x', mem: 'lots', cpus: '', image: 'busybox' }, { schedule: 'R/2030-01-01T00:00:00Z/P1D', scheduleTimeZone: '' });
  assert.equal(out.mem, 'lots');
  assert.equal('cpus' in out, false);
  assert.equal(out.retries, 2);
  assert.deepEqual(out.container, { type: 'DOCKER', image: 'busybox' });
  assert.equal(out.schedule, 'R/2030-01-01T00:00:00Z/P1D');
});

test("Chronos' messages go to the fields they name", () => {
  const fields = ['name', 'mem', 'schedule', 'parents'];
  const rules = [{ field: 'schedule', test: /schedule/i }, { field: 'parents', test: /parent|cycle/i }];
  assert.deepEqual(errorsByField("name: must contain only letters; mem: Invalid input: expected number, received string", fields, rules).byField,
    { name: 'name: must contain only letters', mem: 'mem: Invalid input: expected number, received string' });
  assert.deepEqual(errorsByField("Cannot parse schedule 'R/x/PT1H': bad start 'x'", fields, rules).byField, { schedule: "Cannot parse schedule 'R/x/PT1H': bad start 'x'" });
  assert.deepEqual(errorsByField("Adding job 'a' with parents [b] would create a dependency cycle", fields, rules).byField.parents !== undefined, true);
  assert.deepEqual(errorsByField('the request body is empty', fields, rules), { byField: {}, general: ['the request body is empty'] });
});

const row = (name: string, parents: string[] = [], extra: Partial<JobSummary> = {}): JobSummary => ({
  name, parents, status: 'idle', state: 'fresh', schedule: '', disabled: false, scheduleTimeZone: '', nextRun: '', owner: '', ownerName: '', description: '', command: '',
  lastSuccess: '', lastError: '', successCount: 0, errorCount: 0, ...extra,
});

test('the graph draws linked jobs (or one connected group) coloured by status', () => {
  const jobs = [row('a', [], { state: 'success' }), row('b', ['a'], { status: 'running' }), row('c', ['b'], { state: 'failure' }), row('lonely'), row('x'), row('y', ['x'], { disabled: true })];
  const all = selectGraph(jobs);
  assert.deepEqual(all.nodes.map((n) => `${n.id}:${n.className}`), ['a:success', 'b:running', 'c:failure', 'x:fresh', 'y:disabled']);
  assert.equal(all.unlinked, 1);
  const focused = selectGraph(jobs, 'c');
  assert.deepEqual(focused.nodes.map((n) => n.id), ['a', 'b', 'c']);
  assert.deepEqual(focused.edges, [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }]);
  assert.equal(focused.nodes[0]!.href, '#/jobs/a');
});
