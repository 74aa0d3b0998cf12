// Chronos' REST API without a cluster (the master is unreachable): validation, 400s, views, fuzzed job JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tempDir, type RoleProcess } from '../helpers/processes.ts';
import { call, postJob, startChronosProcess, getJob } from '../helpers/chronos.ts';

let chronos: RoleProcess;
let dir: { path: string; remove(): void };
// Nothing listens here: jobs are stored and scheduled but never launched, so fuzzed commands never run.
const NO_MASTER = '127.0.52.1:9';

before(async () => {
  dir = tempDir('trireme-chronos-api-');
  chronos = await startChronosProcess(NO_MASTER, dir.path);
});
after(async () => { await chronos?.stop(); dir?.remove(); });

test('bad schedules, names, JSON, unknown parents and cycles get 400 with Chronos\' {message, status}', async () => {
  const bad: Array<[string, unknown]> = [
    ['/v1/scheduler/iso8601', { name: 'b1', command: 'true', schedule: 'every minute' }],
    ['/v1/scheduler/iso8601', { name: 'b2', command: 'true', schedule: 'R/2026-13-45T99:00:00Z/PT1M' }],
    ['/v1/scheduler/iso8601', { name: 'b3', command: 'true', schedule: 'R//P' }],
    ['/v1/scheduler/iso8601', { name: 'has space', command: 'true', schedule: 'R//PT1M' }],
    ['/v1/scheduler/iso8601', '{"name": '],
    ['/v1/scheduler/iso8601', ''],
    ['/v1/scheduler/dependency', { name: 'orphan', command: 'true', parents: ['does-not-exist'] }],
    ['/v1/scheduler/dependency', { name: 'noparents', command: 'true', parents: [] }],
  ];
  for (const [path, body] of bad) {
    const r = await call(chronos.url, 'POST', path, body);
    assert.equal(r.status, 400, `${path} ${JSON.stringify(body)} → ${r.text}`);
    const answer = r.json();
    assert.equal(answer.status, 'Bad Request');
    assert.equal(typeof answer.message, 'string');
  }
  const unknownParent = await call(chronos.url, 'POST', '/v1/scheduler/dependency', { name: 'orphan', command: 'true', parents: ['does-not-exist'] });
  assert.match(unknownParent.json().message, /does-not-exist/);

  await postJob(chronos.url, { name: 'cyc-a', command: 'true', schedule: 'R0//PT1H' });
  await postJob(chronos.url, { name: 'cyc-b', command: 'true', parents: ['cyc-a'] });
  await postJob(chronos.url, { name: 'cyc-c', command: 'true', parents: ['cyc-b'] });
  const cycle = await call(chronos.url, 'POST', '/v1/scheduler/dependency', { name: 'cyc-b', command: 'true', parents: ['cyc-c'] });
  assert.equal(cycle.status, 400);
  assert.match(cycle.json().message, /cycle/);
  assert.deepEqual((await getJob(chronos.url, 'cyc-b')).parents, ['cyc-a'], 'the refused change left the job as it was');

  const missing = await call(chronos.url, 'GET', '/v1/scheduler/job/nobody');
  assert.equal(missing.status, 400);
  for (const [m, p] of [['PUT', '/v1/scheduler/job/nobody'], ['DELETE', '/v1/scheduler/job/nobody'], ['DELETE', '/v1/scheduler/task/kill/nobody'], ['PUT', '/v1/scheduler/job/success/nobody']] as const) {
    assert.equal((await call(chronos.url, m, p)).status, 400, `${m} ${p}`);
  }
});

test('jobs round-trip with Chronos defaults, on 3.x and 2.x paths; search, summary, graph views', async () => {
  await postJob(chronos.url, {
    name: 'etl.daily', command: 'echo etl', schedule: 'R/2030-01-01T02:00:00Z/P1D', scheduleTimeZone: 'Europe/Paris', owner: 'data@example.com',
    epsilon: 'PT30M', async: false, environmentVariables: [{ name: 'STAGE', value: 'prod' }], constraints: [['rack', 'EQUALS', 'r1']], unknownField: { x: 1 },
  });
  await postJob(chronos.url, { name: 'etl.report', command: 'echo report', parents: ['etl.daily'] });
  // The 2.x path without /v1 works too.
  const legacy = await call(chronos.url, 'POST', '/scheduler/dependency', { name: 'etl.mail', command: 'echo mail', parents: ['etl.report', 'etl.daily'] });
  assert.equal(legacy.status, 204);

  const daily = await getJob(chronos.url, 'etl.daily');
  assert.equal(daily.schedule, 'R/2030-01-01T02:00:00.000+01:00/P1D', 'the start is read as Paris wall-clock time');
  assert.equal(daily.epsilon, 'PT1800S');
  assert.equal(daily.retries, 2);
  assert.equal(daily.cpus, 0.1);
  assert.equal(daily.mem, 128);
  assert.equal(daily.disk, 256);
  assert.equal(daily.shell, true);
  assert.equal(daily.successCount, 0);
  assert.equal(daily.unknownField, undefined);

  const all = (await call(chronos.url, 'GET', '/scheduler/jobs')).json() as Array<{ name: string }>;
  assert.ok(['etl.daily', 'etl.report', 'etl.mail'].every((n) => all.some((j) => j.name === n)));
  const search = (await call(chronos.url, 'GET', '/v1/scheduler/jobs/search?name=etl&limit=2')).json() as unknown[];
  assert.equal(search.length, 2);
  const any = (await call(chronos.url, 'GET', '/v1/scheduler/jobs/search?name=zzz&any=REPORT')).json() as Array<{ name: string }>;
  assert.deepEqual(any.map((j) => j.name), ['etl.report']);

  const summary = (await call(chronos.url, 'GET', '/v1/scheduler/jobs/summary')).json();
  const mail = summary.jobs.find((j: { name: string }) => j.name === 'etl.mail');
  // Chronos' six fields, in its order, then the console's additive ones (docs/decisions/0120-chronos-console.md).
  assert.deepEqual(Object.keys(mail).slice(0, 6), ['name', 'status', 'state', 'schedule', 'parents', 'disabled']);
  assert.deepEqual(mail, {
    name: 'etl.mail', status: 'idle', state: 'fresh', schedule: '', parents: ['etl.report', 'etl.daily'], disabled: false,
    scheduleTimeZone: '', nextRun: '', owner: '', ownerName: '', description: '', command: 'echo mail', lastSuccess: '', lastError: '', successCount: 0, errorCount: 0,
  });

  // DOT: a digraph whose labelled vertices and edges are exactly the jobs and their dependencies.
  const dot = (await call(chronos.url, 'GET', '/v1/scheduler/graph/dot')).text;
  const body = /^digraph\s+\w*\s*\{([\s\S]*)\}\s*$/.exec(dot);
  assert.ok(body, dot);
  const labels = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  for (const raw of body[1]!.split(';').map((s) => s.trim()).filter(Boolean)) {
    const v = /^(\w+)\s*\[\s*label\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]$/.exec(raw);
    const e = /^(\w+)\s*->\s*(\w+)$/.exec(raw);
    if (v) labels.set(v[1]!, v[2]!);
    else if (e) edges.push([e[1]!, e[2]!]);
    else assert.fail(`unparseable DOT statement: ${raw}`);
  }
  const named = edges.map(([a, b]) => `${labels.get(a)}->${labels.get(b)}`).sort();
  assert.deepEqual(named.filter((e) => e.startsWith('etl')), ['etl.daily->etl.mail', 'etl.daily->etl.report', 'etl.report->etl.mail']);
  const csv = (await call(chronos.url, 'GET', '/v1/scheduler/graph/csv')).text;
  assert.match(csv, /^node,etl\.daily,fresh,idle$/m);
  assert.match(csv, /^link,etl\.report,etl\.mail$/m);

  // Deleting a dependent job hands its parents to its children.
  assert.equal((await call(chronos.url, 'DELETE', '/v1/scheduler/job/etl.report')).status, 204);
  assert.deepEqual((await getJob(chronos.url, 'etl.mail')).parents, ['etl.daily']);
});

test('without offers a due job stays queued; DELETE /scheduler/task/all purges the queue', async () => {
  await postJob(chronos.url, { name: 'waiting', command: 'true', schedule: 'R1//PT1H' });
  const status = async () => (await call(chronos.url, 'GET', '/v1/scheduler/jobs/summary')).json().jobs.find((j: { name: string }) => j.name === 'waiting').status;
  assert.equal(await status(), 'queued');
  assert.match((await call(chronos.url, 'GET', '/v1/scheduler/graph/csv')).text, /^node,waiting,fresh,queued$/m);
  assert.equal((await call(chronos.url, 'DELETE', '/scheduler/task/all')).status, 204);
  assert.equal(await status(), 'idle');
});

test('leader, ping, metrics and stats endpoints answer', async () => {
  assert.deepEqual((await call(chronos.url, 'GET', '/v1/scheduler/leader')).json(), { leader: `127.0.0.1:${chronos.port}` });
  const ping = await fetch(`${chronos.url}/ping`);
  assert.equal((await ping.text()).trim(), 'pong');
  assert.equal(ping.headers.get('access-control-allow-origin'), '*', 'CORS as Chronos');
  const metrics = (await call(chronos.url, 'GET', '/metrics')).text;
  assert.match(metrics, /^chronos_jobs \d+$/m);
  const stats = await call(chronos.url, 'GET', '/v1/scheduler/stats/99thPercentile');
  assert.equal(stats.status, 200);
  assert.ok(Array.isArray(stats.json()));
  assert.equal((await call(chronos.url, 'GET', '/v1/scheduler/stats/43rdPercentile')).status, 400);
  const stat = (await call(chronos.url, 'GET', '/v1/scheduler/job/stat/etl.daily')).json();
  assert.deepEqual(stat.taskStatHistory, []);
  assert.equal(stat.histogram.count, 0);
});

test('fuzzed job JSON never yields a 5xx', async () => {
  const name = fc.oneof(fc.constantFrom('fz', 'fz-1', 'fz.2', 'cyc-a', 'etl.daily'), fc.string({ maxLength: 12 }));
  const schedule = fc.oneof(
    fc.constantFrom('R//PT1H', 'R0//PT1S', 'R5/2030-01-01T00:00:00Z/P1M', 'R/2020-02-29T00:00:00+05:30/P1Y', 'R//PT0S', 'R-1//PT1S', 'R//P1W', 'R99999999999999999999//PT1S'),
    fc.string({ maxLength: 30 }),
  );
  const value = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
  const field = (v: fc.Arbitrary<unknown>) => fc.option(fc.oneof(v, value), { nil: undefined });
  const job = fc.record({
    name: field(name), command: field(fc.constant('true')), schedule: field(schedule), parents: field(fc.array(name, { maxLength: 3 })),
    scheduleTimeZone: field(fc.constantFrom('', 'UTC', 'America/New_York', 'Mars/Olympus')), epsilon: field(fc.constantFrom('PT60S', 'P1D', 'PTxS')),
    retries: field(fc.integer({ min: -2, max: 5 })), cpus: field(fc.double({ min: -1, max: 4, noNaN: true })), mem: field(fc.integer({ min: -10, max: 4096 })),
    constraints: field(fc.array(fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }), { maxLength: 2 })),
    environmentVariables: field(fc.array(fc.record({ name: fc.string({ maxLength: 5 }), value: value }), { maxLength: 2 })),
    fetch: field(fc.array(fc.record({ uri: fc.string({ maxLength: 8 }) }), { maxLength: 2 })), uris: field(fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 })),
    container: field(fc.record({ image: value, type: value })), disabled: field(fc.boolean()), async: field(fc.boolean()),
  }, { requiredKeys: [] });
  const body = fc.oneof({ weight: 8, arbitrary: job.map((j) => JSON.stringify(j)) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.json() });
  const path = fc.constantFrom('/v1/scheduler/iso8601', '/v1/scheduler/dependency', '/scheduler/iso8601');
  await fc.assert(fc.asyncProperty(path, body, async (p, b) => {
    const r = await call(chronos.url, 'POST', p, b);
    assert.ok(r.status === 204 || r.status === 400, `POST ${p} ${b} → ${r.status}: ${r.text}`);
    if (r.status === 400) assert.equal(r.json().status, 'Bad Request');
  }), { numRuns: 300 });
  // Whatever was accepted reads back and lists without error.
  assert.equal((await call(chronos.url, 'GET', '/v1/scheduler/jobs')).status, 200);
  assert.equal((await call(chronos.url, 'GET', '/v1/scheduler/graph/dot')).status, 200);
  assert.equal((await call(chronos.url, 'GET', '/v1/scheduler/jobs/summary')).status, 200);
});
