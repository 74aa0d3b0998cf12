import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferBudget } from '../../../src/framework/offer-matcher.ts';
import { parseAttributes, parseResources } from '../../../src/common/resources.ts';
import type { Offer } from '../../../src/proto/mesos.ts';
import { parseApp, type AppDefinition } from '../../../src/marathon/app-definition.ts';
import { evaluateConstraints } from '../../../src/marathon/constraints.ts';
import { planLaunches } from '../../../src/marathon/launch-planner.ts';
import { marathonTaskEnv, taskInfoFor } from '../../../src/marathon/task-builder.ts';
import { matchesLabelSelector, parseLabelSelector } from '../../../src/marathon/api/label-selector.ts';

function offer(n: number, resources = 'cpus:2;mem:1024;disk:1000;ports:[8000-8000,31000-31009]', attributes = ''): OfferBudget {
  const hostname = `10.0.0.${n}`;
  const o: Offer = {
    id: { value: `o${n}` }, framework_id: { value: 'f' }, agent_id: { value: `a${n}` }, hostname,
    url: { scheme: 'http', address: { hostname, ip: hostname, port: 5051 }, path: '/slave(1)' },
    resources: parseResources(resources).toJSON('*'), attributes: attributes ? parseAttributes(attributes) : [], executor_ids: [], allocation_info: { role: '*' },
  };
  return new OfferBudget(o);
}
function app(over: Record<string, unknown>): AppDefinition {
  return { ...parseApp({ id: 'test', cmd: 'x', cpus: 0.1, mem: 16, ...over }), version: 'v1', versionInfo: { lastConfigChangeAt: 'v1', lastScalingAt: 'v1' } };
}
let n = 0;
const ids = (appId: string) => `${appId.slice(1)}.${++n}`;

test('requirePorts on port 8000: one instance per agent, the 4th stays queued with InsufficientPorts', () => {
  const a = app({ instances: 4, requirePorts: true, portDefinitions: [{ port: 8000 }] });
  const plan = planLaunches([{ app: a, count: 4, placed: [] }], [offer(1), offer(2), offer(3)], ids, evaluateConstraints);
  assert.equal(plan.launches.length, 3);
  assert.deepEqual(plan.launches.map((l) => l.host).sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.ok(plan.launches.every((l) => l.ports[0] === 8000));
  const left = plan.unplaced.get('/test')!;
  assert.equal(left.count, 1);
  assert.deepEqual(left.reasons, { InsufficientPorts: 3 });
  assert.match(left.lastOffers[0]!.reasons[0]!, /port 8000 is not offered/);
});

test('port 0 takes any offered port, so all instances fit and spread over agents', () => {
  const a = app({ instances: 6 });
  const plan = planLaunches([{ app: a, count: 6, placed: [] }], [offer(1), offer(2), offer(3)], ids, evaluateConstraints);
  assert.equal(plan.launches.length, 6);
  const perHost = new Map<string, number>();
  for (const l of plan.launches) perHost.set(l.host, (perHost.get(l.host) ?? 0) + 1);
  assert.deepEqual([...perHost.values()], [2, 2, 2]);
  const ports = plan.launches.filter((l) => l.host === '10.0.0.1').map((l) => l.ports[0]);
  assert.notEqual(ports[0], ports[1], 'two tasks on one agent get different host ports');
});

test('resources short: the reason names the resource; placed instances count for UNIQUE', () => {
  const big = app({ instances: 1, cpus: 4 });
  assert.deepEqual(planLaunches([{ app: big, count: 1, placed: [] }], [offer(1)], ids, evaluateConstraints).unplaced.get('/test')!.reasons, { InsufficientCpus: 1 });
  const unique = app({ instances: 3, constraints: [['hostname', 'UNIQUE']] });
  const plan = planLaunches([{ app: unique, count: 2, placed: [{ hostname: '10.0.0.1', attributes: [] }] }], [offer(1), offer(2)], ids, evaluateConstraints);
  assert.deepEqual(plan.launches.map((l) => l.host), ['10.0.0.2']);
  assert.deepEqual(plan.unplaced.get('/test')!.reasons, { UnfulfilledConstraint: 2 });
});

test('resources only under roles the app does not accept: UnfulfilledRole', () => {
  const a = app({ instances: 1, acceptedResourceRoles: ['web'] });
  const plan = planLaunches([{ app: a, count: 1, placed: [] }], [offer(1)], ids, evaluateConstraints);
  assert.deepEqual(plan.unplaced.get('/test')!.reasons, { UnfulfilledRole: 1 });
  const reserved = planLaunches([{ app: a, count: 1, placed: [] }], [offer(2, 'cpus(web):1;mem(web):64;ports(web):[31000-31000]')], ids, evaluateConstraints);
  assert.equal(reserved.launches.length, 1);
  assert.ok(reserved.launches[0]!.resources.every((r) => r.role === 'web' || r.reservations?.some((x) => x.role === 'web')), JSON.stringify(reserved.launches[0]!.resources));
});

test('one cycle launches at most maxLaunches, even for tasks that need nothing', () => {
  const a = app({ instances: 1e9, cpus: 0, mem: 0, portDefinitions: [] });
  const plan = planLaunches([{ app: a, count: 1e9, placed: [] }], [offer(1)], ids, evaluateConstraints, 50);
  assert.equal(plan.launches.length, 50);
});

test('the constraint hook decides placement (any function of that shape)', () => {
  const a = app({ instances: 2 });
  const onlyTwo = (_c: unknown, o: { hostname: string }) => (o.hostname === '10.0.0.2' ? { ok: true as const } : { ok: false as const, reason: 'not 2' });
  const plan = planLaunches([{ app: a, count: 2, placed: [] }], [offer(1), offer(2)], ids, onlyTwo);
  assert.deepEqual(plan.launches.map((l) => l.host), ['10.0.0.2', '10.0.0.2']);
});

test('hostname CLUSTER keeps instances on the named host', () => {
  const a = app({ instances: 2, constraints: [['hostname', 'CLUSTER', '10.0.0.3']] });
  const plan = planLaunches([{ app: a, count: 2, placed: [] }], [offer(1), offer(2), offer(3)], ids, evaluateConstraints);
  assert.deepEqual(plan.launches.map((l) => l.host), ['10.0.0.3', '10.0.0.3']);
});

test('tasks get Marathon\'s environment and command', () => {
  const a = app({ id: '/prod/web', instances: 1, portDefinitions: [{ port: 8000, name: 'http' }, { port: 0 }], labels: { team: 'core', 'x.y': 'z' }, env: { FOO: 'bar' } });
  const env = marathonTaskEnv(a, 'prod_web.1', '10.0.0.1', [31000, 31001]);
  assert.equal(env.PORT, '31000');
  assert.equal(env.PORT0, '31000');
  assert.equal(env.PORT1, '31001');
  assert.equal(env.PORTS, '31000,31001');
  assert.equal(env.PORT_8000, '31000');
  assert.equal(env.PORT_HTTP, '31000');
  assert.equal(env.HOST, '10.0.0.1');
  assert.equal(env.MARATHON_APP_ID, '/prod/web');
  assert.equal(env.MARATHON_APP_VERSION, 'v1');
  assert.equal(env.MESOS_TASK_ID, 'prod_web.1');
  assert.equal(env.MARATHON_APP_LABEL_TEAM, 'core');
  assert.equal(env.MARATHON_APP_RESOURCE_CPUS, '0.1');
  assert.equal(env.MARATHON_APP_RESOURCE_MEM, '16');
  const info = taskInfoFor({ offerId: 'o1', app: a, taskId: 'prod_web.1', agentId: 'a1', host: '10.0.0.1', attributes: [], resources: [], ports: [31000, 31001] });
  assert.equal(info.command?.value, 'x');
  assert.equal(info.command?.shell, true);
  assert.ok(info.command?.environment?.variables.some((v) => v.name === 'FOO' && v.value === 'bar'));
  assert.equal(info.name, 'web.prod');
});

test('Docker apps: args become the image arguments (no command value), the network follows `networks`', () => {
  const launchOf = (a: AppDefinition) => taskInfoFor({ offerId: 'o1', app: a, taskId: 'd.1', agentId: 'a1', host: '10.0.0.1', attributes: [], resources: [], ports: [31000] });
  const withArgs = launchOf(app({ cmd: undefined, args: ['-f', '-p', '80'], container: { type: 'DOCKER', docker: { image: 'busybox' } } }));
  assert.equal(withArgs.command?.shell, false);
  assert.equal(withArgs.command?.value, undefined);
  assert.deepEqual(withArgs.command?.arguments, ['-f', '-p', '80']);
  assert.equal((withArgs.container as { docker: { network: string } }).docker.network, 'HOST');
  const bridged = launchOf(app({ networks: [{ mode: 'container/bridge' }], container: { type: 'DOCKER', docker: { image: 'busybox' }, portMappings: [{ containerPort: 80, hostPort: 0 }] } }));
  const docker = (bridged.container as { docker: { network: string; port_mappings: unknown[] } }).docker;
  assert.equal(docker.network, 'BRIDGE');
  assert.deepEqual(docker.port_mappings, [{ host_port: 31000, container_port: 80, protocol: 'tcp' }]);
  const user = launchOf(app({ networks: [{ mode: 'container', name: 'overlay1' }], container: { type: 'DOCKER', docker: { image: 'busybox' } } }));
  assert.equal((user.container as { docker: { network: string } }).docker.network, 'USER');
  assert.deepEqual(user.container?.network_infos, [{ name: 'overlay1' }]);
  // A plain command app keeps args[0] as the executable.
  assert.equal(launchOf(app({ cmd: undefined, args: ['sleep', '1'] })).command?.value, 'sleep');
});

test('label selectors as Marathon parses them', () => {
  const labels = { env: 'prod', tier: 'web' };
  const sel = (s: string) => { const p = parseLabelSelector(s); assert.ok(p.ok, s); return matchesLabelSelector(p.terms, labels); };
  assert.equal(sel('env'), true);
  assert.equal(sel('env==prod'), true);
  assert.equal(sel('env!=prod'), false);
  assert.equal(sel('tier in (web, db)'), true);
  assert.equal(sel('tier notin (web)'), false);
  assert.equal(sel('env==prod,missing'), false);
  assert.equal(parseLabelSelector('a b c').ok, false);
});

test('an app asking more memory than any offer has stays queued, and each unused offer carries what it offered', () => {
  const a = app({ instances: 2, mem: 2048 });
  const plan = planLaunches([{ app: a, count: 2, placed: [] }], [offer(1), offer(2)], ids, evaluateConstraints);
  assert.equal(plan.launches.length, 0);
  const left = plan.unplaced.get('/test')!;
  assert.deepEqual(left.reasons, { InsufficientMemory: 2 });
  assert.match(left.lastOffers[0]!.reasons[0]!, /insufficient mem: need 2048, offer has 1024/);
  assert.equal(left.lastOffers[0]!.resources.find((r) => r.name === 'mem')?.scalar?.value, 1024);
});
