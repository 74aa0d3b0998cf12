// The Marathon console's pure logic: app status, filters, event effects, the form model and its error mapping,
// the "why is it waiting" sentences and the links out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appStatus, filterApps, parseLabelFilter, type AppRow } from '../../../ui/marathon/lib/status.ts';
import { eventEffect } from '../../../ui/marathon/lib/events.ts';
import { appToForm, assignErrors, fieldKey, formFieldKeys, formToApp, newAppForm } from '../../../ui/marathon/lib/appForm.ts';
import { explainWaiting } from '../../../ui/marathon/lib/waiting.ts';
import { masterUiBase, sandboxUrl } from '../../../ui/marathon/lib/links.ts';
import type { MarathonApp, QueueEntry } from '../../../ui/marathon/lib/types.ts';

const app = (over: Partial<MarathonApp> = {}): MarathonApp => ({ id: '/a', instances: 1, cpus: 0.1, mem: 32, disk: 0, tasksRunning: 1, deployments: [], ...over });
const queued = (over: Partial<QueueEntry> = {}): QueueEntry => ({
  app: app(), count: 1, delay: { timeLeftSeconds: 0, overdue: true },
  processedOffersSummary: { processedOffersCount: 3, unusedOffersCount: 3, rejectSummaryLastOffers: [] }, ...over,
});

test('status: running, deploying, suspended, waiting (declined offers) and delayed (backoff)', () => {
  assert.equal(appStatus(app()), 'running');
  assert.equal(appStatus(app({ deployments: [{ id: 'd' }] })), 'deploying');
  assert.equal(appStatus(app({ instances: 0, tasksRunning: 0 })), 'suspended');
  assert.equal(appStatus(app({ deployments: [{ id: 'd' }] }), queued()), 'waiting');
  assert.equal(appStatus(app(), queued({ delay: { timeLeftSeconds: 12, overdue: false } })), 'delayed');
  // Queued but no offer declined yet: the deployment is simply in progress.
  assert.equal(appStatus(app({ deployments: [{ id: 'd' }] }), queued({ processedOffersSummary: { processedOffersCount: 0, unusedOffersCount: 0, rejectSummaryLastOffers: [] } })), 'deploying');
});

test('filters: id substring (any case), label selector terms and status combine', () => {
  const rows: AppRow[] = [
    { app: app({ id: '/prod/web', labels: { tier: 'front', team: 'a' } }), status: 'running' },
    { app: app({ id: '/prod/db', labels: { tier: 'back' } }), status: 'suspended' },
    { app: app({ id: '/dev/web' }), status: 'running' },
  ];
  const ids = (f: Parameters<typeof filterApps>[1]) => filterApps(rows, f).map((r) => r.app.id);
  assert.deepEqual(ids({ search: 'WEB', label: '', status: '' }), ['/prod/web', '/dev/web']);
  assert.deepEqual(ids({ search: '', label: 'tier', status: '' }), ['/prod/web', '/prod/db']);
  assert.deepEqual(ids({ search: '', label: 'tier==back', status: '' }), ['/prod/db']);
  assert.deepEqual(ids({ search: '', label: 'tier!=back', status: '' }), ['/prod/web', '/dev/web']);
  assert.deepEqual(ids({ search: 'prod', label: 'team:a', status: 'running' }), ['/prod/web']);
  assert.deepEqual(ids({ search: '', label: '', status: 'suspended' }), ['/prod/db']);
  assert.deepEqual(parseLabelFilter('a, b=c'), [{ key: 'a', op: 'exists', value: '' }, { key: 'b', op: '==', value: 'c' }]);
});

test('events name the apps to refetch, the apps to drop, and whether deployments or the queue changed', () => {
  assert.deepEqual(eventEffect({ eventType: 'status_update_event', appId: '/a', taskStatus: 'TASK_RUNNING' }), { apps: ['/a'], removed: [], deployments: false, queue: true });
  assert.deepEqual(eventEffect({ eventType: 'api_post_event', appDefinition: { id: '/b' } }).apps, ['/b']);
  const deployment = eventEffect({ eventType: 'deployment_success', plan: { steps: [{ actions: [{ action: 'ScaleApplication', app: '/c' }] }], target: { apps: [{ id: '/d' }] } } });
  assert.deepEqual(deployment, { apps: ['/c', '/d'], removed: [], deployments: true, queue: true });
  assert.deepEqual(eventEffect({ eventType: 'app_terminated_event', appId: '/e' }).removed, ['/e']);
  assert.deepEqual(eventEffect({ eventType: 'event_stream_attached' }), { apps: [], removed: [], deployments: false, queue: false });
});

test('form ⇄ JSON keeps every field, including the ones the form does not show', () => {
  const json = {
    id: '/seed/web', cmd: 'python3 -m http.server $PORT', cpus: 0.5, mem: 64, disk: 10, instances: 3,
    container: { type: 'DOCKER', docker: { image: 'nginx:1', network: 'BRIDGE', parameters: [{ key: 'x', value: 'y' }] },
      portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10001, protocol: 'tcp', name: 'http', labels: { a: 'b' } }],
      volumes: [{ containerPath: '/data', hostPath: '/tmp/d', mode: 'RO' }] },
    env: { A: '1', S: { secret: 'db' } }, labels: { tier: 'front' },
    healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 3, ignoreHttp1xx: true },
      { protocol: 'COMMAND', command: { value: 'true' }, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 0 }],
    constraints: [['hostname', 'UNIQUE'], ['rack', 'CLUSTER', 'r1']],
    backoffSeconds: 2, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    version: '2026-01-01T00:00:00.000Z', tasksRunning: 3, deployments: [],
  };
  const back = formToApp(appToForm(json));
  const { version, tasksRunning, deployments, ...writable } = json;
  void version; void tasksRunning; void deployments;
  assert.deepEqual(back, writable);
  // Host networking: port definitions come back; an edited number is a number, a typo is sent as typed.
  const f = appToForm({ id: '/x', cmd: 'sleep 1', portDefinitions: [{ port: 0, protocol: 'tcp', name: 'web' }], requirePorts: true });
  f.cpus = '2';
  f.mem = 'lots';
  assert.deepEqual(formToApp(f), {
    id: '/x', cmd: 'sleep 1', cpus: 2, mem: 'lots', portDefinitions: [{ port: 0, protocol: 'tcp', name: 'web' }], requirePorts: true,
    env: {}, labels: {}, healthChecks: [], constraints: [],
  });
  // A new app: Marathon's defaults and one port; the empty id is left for the API to name.
  const dropped = appToForm({ id: '/d', container: { type: 'DOCKER', docker: { image: 'x' } } });
  dropped.containerType = '';
  assert.equal(formToApp(dropped).container, null);
  // Emptied collections are sent empty (a PUT keeps fields it does not get).
  assert.deepEqual(formToApp(newAppForm()), { cpus: 0.1, mem: 128, disk: 0, instances: 1, portDefinitions: [{ port: 0, protocol: 'tcp' }], env: {}, labels: {}, healthChecks: [], constraints: [] });
});

test('422 details land on the matching field; the rest go to the banner', () => {
  assert.equal(fieldKey('/healthChecks(0)/path'), 'healthChecks.0.path');
  assert.equal(fieldKey('/container/docker/portMappings/1/hostPort'), 'container.portMappings.1.hostPort');
  const form = appToForm({ id: '/x', cmd: 'x', healthChecks: [{ protocol: 'COMMAND', command: { value: '' } }], constraints: [['hostname', 'NOPE']] });
  const got = assignErrors([
    { path: '/cpus', errors: ['cpus must be greater than or equal to 0'] },
    { path: '/id', errors: ['bad id'] },
    { path: '/container/docker/image', errors: ['image must not be empty'] },
    { path: '/healthChecks(0)/command/value', errors: ['command must not be empty'] },
    { path: '/constraints(0)', errors: ['unknown operator'] },
    { path: '/env/FOO', errors: ['must be a string'] },
    { path: '/', errors: ['AppDefinition must either contain one of cmd or args'] },
    { path: '/bogus', errors: ['unknown field'] },
  ], formFieldKeys(form));
  assert.deepEqual(got.fields, {
    cpus: ['cpus must be greater than or equal to 0'], id: ['bad id'], 'container.docker.image': ['image must not be empty'],
    'healthChecks.0.command': ['command must not be empty'], 'constraints.0': ['unknown operator'], env: ['must be a string'],
  });
  assert.deepEqual(got.general, ['AppDefinition must either contain one of cmd or args', '/bogus: unknown field']);
});

test('waiting explanations say how many offers lacked what, with the asked and the largest offered amounts', () => {
  const entry = queued({
    count: 3,
    processedOffersSummary: { processedOffersCount: 3, unusedOffersCount: 3, rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 3, processed: 3 }] },
    lastUnusedOffers: [1, 2, 3].map((i) => ({ offer: { id: `o${i}`, agentId: `a${i}`, hostname: `h${i}` }, reason: [`insufficient mem: need 2048, offer has ${i === 2 ? 1024 : 512}`] })),
  });
  const w = explainWaiting(entry, { mem: 2048, cpus: 1, disk: 0 });
  assert.equal(w.headline, '3 instances waiting to launch');
  assert.deepEqual(w.reasons, ['3 of 3 recent offers lacked enough memory (asked 2048 MB, largest offer 1024 MB).']);
  const constrained = explainWaiting(queued({
    processedOffersSummary: { processedOffersCount: 2, unusedOffersCount: 2, rejectSummaryLastOffers: [{ reason: 'UnfulfilledConstraint', declined: 2, processed: 2 }] },
    lastUnusedOffers: ['h1', 'h2'].map((h) => ({ offer: { id: h, agentId: h, hostname: h }, reason: [`constraint [hostname, CLUSTER, nowhere] not met on ${h}`] })),
  }), { mem: 1, cpus: 1, disk: 0 });
  assert.deepEqual(constrained.reasons, ['2 of 2 recent offers did not meet the placement constraints: constraint [hostname, CLUSTER, nowhere] not met (h1, h2).']);
  assert.match(explainWaiting(queued({ delay: { timeLeftSeconds: 7, overdue: false }, processedOffersSummary: { processedOffersCount: 0, unusedOffersCount: 0, rejectSummaryLastOffers: [] } }), { mem: 1, cpus: 1, disk: 0 }).reasons.join(' '), /next try is in 7 s/);
  // From the offers' resources when the reason has no amounts (the offer was declined for something else first).
  const fromResources = explainWaiting(queued({
    processedOffersSummary: { processedOffersCount: 1, unusedOffersCount: 1, rejectSummaryLastOffers: [{ reason: 'InsufficientCpus', declined: 1, processed: 1 }] },
    lastUnusedOffers: [{ offer: { id: 'o', agentId: 'a', hostname: 'h', resources: [{ name: 'cpus', scalar: 2 }] }, reason: ['insufficient cpus'] }],
  }), { mem: 1, cpus: 4, disk: 0 });
  assert.deepEqual(fromResources.reasons, ['1 of 1 recent offer lacked enough CPUs (asked 4 CPUs, largest offer 2 CPUs).']);
});

test('links: the master console from /v2/info, a task sandbox page, nothing without a framework id', () => {
  assert.equal(masterUiBase({ marathon_config: { master: '127.0.0.1:5050', mesos_leader_ui_url: 'http://127.0.0.1:5050/' } }), 'http://127.0.0.1:5050');
  assert.equal(masterUiBase({ marathon_config: { master: 'zk://z:2181/mesos', mesos_leader_ui_url: null } }), undefined);
  assert.equal(sandboxUrl('http://m:5050', 'fw-1', { id: 'seed_web.1', slaveId: 'S1' }), 'http://m:5050/#/agents/S1/frameworks/fw-1/executors/seed_web.1');
  assert.equal(sandboxUrl('http://m:5050', null, { id: 't', slaveId: 'S1' }), undefined);
});
