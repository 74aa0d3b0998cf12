// The Chronos console's pure parts: schedule builder ↔ ISO8601, schedules in words, form ↔ job JSON, API messages
// to form fields, and which jobs the dependency picture draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromSchedule, periodFields, scheduleInWords, toSchedule } from '../../ui/chronos/schedule.ts';
import { FORM_FIELDS, FORM_MESSAGE_RULES, constraintRowsNamed, formFromJob, jobFromForm, newFetchRow, newForm, withoutCounters, type JobForm } from '../../ui/chronos/job-form.ts';
import { jobJson, keepCounters, parseJob, type Job as ServerJob, type JobDefaults } from '../../src/chronos/job.ts';
import { constraintError } from '../../src/chronos/constraints.ts';
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
  arguments: [], softError: false, highPriority: false, runAsUser: 'nobody', fetch: [], executor: '', executorFlags: 'x', taskInfoData: 'opaque',
  dataProcessingJobType: false, maxCompletionTime: 60,
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
  assert.deepEqual([out.executorFlags, out.taskInfoData, out.maxCompletionTime], ['x', 'opaque', 60], 'fields the form does not show');
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

const DEFAULTS: JobDefaults = { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' };
const NOW = Date.parse('2026-11-26T00:00:00Z');
/** A job as the real server stores it and GET /v1/scheduler/job/{name} answers (jobJson), from a POSTed body. */
function served(body: Record<string, unknown>, previous?: ServerJob): { json: Job; job: ServerJob } {
  const r = parseJob(body, body.parents ? 'dependency' : 'schedule', DEFAULTS, NOW);
  if (!r.ok) throw new Error(r.message);
  const job = keepCounters(r.job, r.given, previous);
  return { json: jobJson(job) as unknown as Job, job };
}
/** What the console POSTs for a form (as JobFormPage does: schedule from the job, counters left out). */
const post = (form: JobForm, job: Job) => withoutCounters(jobFromForm(form, { schedule: job.schedule ?? '', scheduleTimeZone: job.scheduleTimeZone ?? '' }, job)) as Record<string, unknown>;

const everything = {
  name: 'fetch-all', command: 'tool', shell: false, arguments: ['--out', '/tmp/a b'], schedule: 'R/2030-01-01T09:00:00Z/PT1H', scheduleTimeZone: 'Europe/Paris',
  epsilon: 'PT45S', retries: 3, async: true, cpus: 0.25, mem: 48, disk: 64, disabled: true, softError: true, concurrent: true, highPriority: true,
  owner: 'o@example.com', ownerName: 'Ops', description: 'all fields', runAsUser: 'nobody', environmentVariables: [{ name: 'A', value: '1' }],
  fetch: [{ uri: 'https://example.com/a.tgz', output_file: 'a.tgz', executable: false, extract: false, cache: true }, { uri: 'https://example.com/run', executable: true }],
  container: { type: 'DOCKER', image: 'busybox', network: 'bridge', forcePullImage: true, volumes: [{ containerPath: '/data', hostPath: '/srv', mode: 'ro' }], parameters: [{ key: 'privileged', value: 'true' }] },
  constraints: [['rack', 'LIKE', 'a|b'], ['hostname', 'EQUALS', 'h1']], executor: 'custom', executorFlags: '-v', taskInfoData: 'blob', dataProcessingJobType: true, maxCompletionTime: 600,
  successCount: 7, errorCount: 2, lastSuccess: '2026-11-25T10:00:00.000Z', lastError: '2026-11-24T10:00:00.000Z', errorsSinceLastSuccess: 0,
};

test('load → save unchanged gives the server the same job, for every field the server keeps', () => {
  for (const body of [everything, { name: 'plain', command: 'true', uris: ['http://x/a', 'http://x/b'], constraints: [['rack', 'UNLIKE', 'c']], runAsUser: '' }, { name: 'child', command: 'true', parents: ['fetch-all'] }]) {
    const first = served(body);
    const form = formFromJob(first.json);
    const again = served(post(form, first.json), first.job);
    assert.deepEqual(again.json, first.json, body.name);
  }
});

test('the form reads every field a Chronos user sets', () => {
  const form = formFromJob(served(everything).json);
  assert.deepEqual(form.arguments, ['--out', '/tmp/a b']);
  assert.deepEqual(form.fetch, [
    { uri: 'https://example.com/a.tgz', outputFile: 'a.tgz', executable: false, extract: false, cache: true },
    { uri: 'https://example.com/run', outputFile: '', executable: true, extract: true, cache: false },
  ]);
  assert.equal(form.fetchFormat, 'fetch');
  assert.deepEqual(form.constraints, [{ attribute: 'rack', operator: 'LIKE', value: 'a|b' }, { attribute: 'hostname', operator: 'EQUALS', value: 'h1' }]);
  assert.deepEqual([form.runAsUser, form.softError, form.highPriority, form.dataProcessingJobType], ['nobody', true, true, true]);
  assert.deepEqual([form.image, form.network, form.forcePullImage], ['busybox', 'BRIDGE', true]);
  assert.deepEqual(form.volumes, [{ containerPath: '/data', hostPath: '/srv', mode: 'RO' }]);
});

test('files are plain uris unless a row needs a flag or the job already uses fetch; blank rows are dropped', () => {
  const base: JobForm = { ...newForm('UTC'), name: 'f' };
  const rows = [{ ...newFetchRow(), uri: ' http://x/a ' }, newFetchRow(), { ...newFetchRow(), uri: 'http://x/b' }];
  const plain = jobFromForm({ ...base, fetch: rows }, { schedule: 'R//P1D', scheduleTimeZone: '' });
  assert.deepEqual([plain.uris, plain.fetch], [['http://x/a', 'http://x/b'], []]);
  const flagged = jobFromForm({ ...base, fetch: [rows[0]!, { ...rows[2]!, executable: true }] }, { schedule: 'R//P1D', scheduleTimeZone: '' });
  assert.deepEqual(flagged.uris, []);
  assert.deepEqual(flagged.fetch, [
    { uri: 'http://x/a', output_file: '', executable: false, extract: true, cache: false },
    { uri: 'http://x/b', output_file: '', executable: true, extract: true, cache: false },
  ]);
  // A job stored with fetch entries stays a fetch job even when the flags are the defaults again; removing a row removes it.
  const job = served({ name: 'f', fetch: [{ uri: 'http://x/a' }, { uri: 'http://x/b', cache: true }] }).json;
  const edited = formFromJob(job);
  const out = post({ ...edited, fetch: [{ ...edited.fetch[1]!, cache: false }] }, job);
  assert.deepEqual([out.uris, out.fetch], [[], [{ uri: 'http://x/b', output_file: '', executable: false, extract: true, cache: false }]]);
});

test('constraints, arguments, run-as user and the flags map to the job; blank constraint rows are dropped', () => {
  const out = jobFromForm({
    ...newForm('UTC'), name: 'c', arguments: ['a', ''], runAsUser: '  ', softError: true,
    constraints: [{ attribute: ' rack ', operator: 'LIKE', value: 'r[12]' }, { attribute: '', operator: 'EQUALS', value: '' }],
  }, { schedule: 'R//P1D', scheduleTimeZone: '' });
  assert.deepEqual(out.constraints, [['rack', 'LIKE', 'r[12]']]);
  assert.deepEqual(out.arguments, ['a', ''], 'arguments go as typed (an empty one is an argument too)');
  assert.equal('runAsUser' in out, false, "blank: the server's default user");
  assert.deepEqual([out.softError, out.highPriority, out.dataProcessingJobType], [true, false, false]);
});

test("a bad constraint: the server's message goes to the constraints and names the row", () => {
  const rows = [{ attribute: 'rack', operator: 'EQUALS', value: 'a' }, { attribute: 'zone', operator: 'LIKE', value: '[' }];
  const message = constraintError(['zone', 'LIKE', '['])!;
  const { byField, general } = errorsByField(message, FORM_FIELDS, FORM_MESSAGE_RULES);
  assert.deepEqual([byField.constraints, general], [message, []]);
  assert.deepEqual([...constraintRowsNamed(message, rows)], [1]);
  assert.equal(errorsByField("job 'x': set either 'uris' or 'fetch', not both", FORM_FIELDS, FORM_MESSAGE_RULES).byField.uris !== undefined, true);
});

test('container options: set on a new job, unchanged ones keep their stored spelling, a cleared image drops the container', () => {
  const out = jobFromForm({ ...newForm('UTC'), name: 'd', image: 'alpine', network: 'BRIDGE', forcePullImage: true, volumes: [{ containerPath: '/in', hostPath: '', mode: 'RO' }, { containerPath: '', hostPath: '', mode: 'RW' }] },
    { schedule: 'R//P1D', scheduleTimeZone: '' });
  assert.deepEqual(out.container, { type: 'DOCKER', image: 'alpine', network: 'BRIDGE', forcePullImage: true, volumes: [{ containerPath: '/in', mode: 'RO' }] });
  const plain = jobFromForm({ ...newForm('UTC'), name: 'd', image: 'alpine' }, { schedule: 'R//P1D', scheduleTimeZone: '' });
  assert.deepEqual(plain.container, { type: 'DOCKER', image: 'alpine' }, 'the default network (HOST) is not written');
  const job = served(everything).json;
  const form = formFromJob(job);
  const moved = post({ ...form, network: 'HOST', volumes: [] }, job).container as Record<string, unknown>;
  assert.deepEqual(moved, { type: 'DOCKER', image: 'busybox', network: 'HOST', forcePullImage: true, parameters: [{ key: 'privileged', value: 'true' }] });
  assert.equal('container' in post({ ...form, image: ' ' }, job), false);
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
