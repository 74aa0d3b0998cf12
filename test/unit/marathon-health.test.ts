import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/processes.ts';
import fc from 'fast-check';
import {
  validateHealthChecks, normalizeHealthCheck, applyProbeResult, INITIAL_HEALTH, isAlive, HealthMonitor, defaultProbe,
  classifyHttpStatus, toMesosHealthCheck, type Health, type ProbeResult, type HealthChange,
} from '../../src/marathon/health/index.ts';

test('validation: types, ranges, port vs portIndex, COMMAND needs a command, one Mesos check', () => {
  assert.deepEqual(validateHealthChecks([{ protocol: 'HTTP', path: '/health', portIndex: 0 }, { protocol: 'COMMAND', command: { value: 'true' } }]), []);
  assert.deepEqual(validateHealthChecks(undefined), []);
  assert.deepEqual(validateHealthChecks({}), [{ path: '/healthChecks', errors: ['error.expected.jsarray'] }]);
  const details = validateHealthChecks([
    { protocol: 'HTTP', port: 80, portIndex: 0 },
    { protocol: 'COMMAND' },
    { protocol: 'FTP', intervalSeconds: -1, timeoutSeconds: 'x', gracePeriodSeconds: 1.5, bogus: 1 },
    { protocol: 'TCP', command: { value: 'true' } },
    { protocol: 'TCP', port: 70000 },
    7,
  ]);
  const at = (p: string) => details.find((d) => d.path === p)?.errors;
  assert.deepEqual(at('/healthChecks(0)'), ['HealthCheck must specify either a port or a portIndex']);
  assert.deepEqual(at('/healthChecks(1)/command'), ['command is required for protocol COMMAND']);
  assert.deepEqual(at('/healthChecks(2)/protocol'), ['error.expected.validenumvalue']);
  assert.deepEqual(at('/healthChecks(2)/intervalSeconds'), ['error.min']);
  assert.deepEqual(at('/healthChecks(2)/timeoutSeconds'), ['error.expected.jsnumber']);
  assert.deepEqual(at('/healthChecks(2)/gracePeriodSeconds'), ['error.expected.int']);
  assert.deepEqual(at('/healthChecks(2)/bogus'), ['error.unknown.property']);
  assert.deepEqual(at('/healthChecks(3)/command'), ['command is only allowed for protocol COMMAND']);
  assert.deepEqual(at('/healthChecks(4)/port'), ['error.max']);
  assert.deepEqual(at('/healthChecks(5)'), ['error.expected.jsobject']);
  assert.deepEqual(validateHealthChecks([{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }]), [{ path: '/', errors: ['AppDefinition can contain at most one Mesos health check'] }]);
  assert.deepEqual(validateHealthChecks([{ protocol: 'HTTP', portIndex: 2 }], '/healthChecks', { portCount: 1 }),
    [{ path: '/healthChecks(0)', errors: ['Health check port indices must address an element of the ports array or container port mappings.'] }]);
  assert.deepEqual(validateHealthChecks([{ protocol: 'HTTP' }], '/healthChecks', { portCount: 0 }).length, 1);
  assert.deepEqual(validateHealthChecks([{ protocol: 'MESOS_TCP', ipProtocol: 'IPv6' }]), [{ path: '/healthChecks(0)', errors: ['IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks'] }]);
  assert.deepEqual(validateHealthChecks([{ protocol: 'MESOS_TCP', ipProtocol: 'IPv6' }], '/healthChecks', { docker: true }), []);
});

test('validation never throws and always names a path', () => {
  fc.assert(fc.property(fc.anything(), (raw) => { for (const d of validateHealthChecks(raw)) assert.ok(d.path.startsWith('/') && d.errors.length > 0); }));
  fc.assert(fc.property(fc.array(fc.dictionary(fc.constantFrom('protocol', 'port', 'portIndex', 'command', 'path', 'intervalSeconds', 'x'), fc.anything())), (raw) => {
    assert.ok(Array.isArray(validateHealthChecks(raw)));
  }));
});

test('normalisation fills Marathon defaults', () => {
  assert.deepEqual(normalizeHealthCheck({}), {
    protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, ignoreHttp1xx: false, delaySeconds: 15,
  });
  assert.deepEqual(normalizeHealthCheck({ protocol: 'TCP', port: 8080 }).port, 8080);
  assert.equal(normalizeHealthCheck({ protocol: 'TCP', port: 8080 }).portIndex, undefined);
  const cmd = normalizeHealthCheck({ protocol: 'COMMAND', command: { value: 'curl -f localhost' }, portIndex: 0 });
  assert.deepEqual([cmd.command, cmd.portIndex, cmd.path], [{ value: 'curl -f localhost' }, undefined, undefined]);
  assert.equal(normalizeHealthCheck({ protocol: 'MESOS_TCP' }).ipProtocol, 'IPv4');
});

const policy = { startedAt: 0, gracePeriodSeconds: 10, maxConsecutiveFailures: 3 };
const fail: ProbeResult = { kind: 'unhealthy', cause: '503 Service Unavailable' };
const ok: ProbeResult = { kind: 'healthy' };

test('state machine: failures in the grace period before a first success are ignored', () => {
  const t = applyProbeResult(INITIAL_HEALTH, fail, 5_000, policy);
  assert.deepEqual([t.health, t.failureCounted, t.kill, t.alive], [INITIAL_HEALTH, false, false, false]);
  const after = applyProbeResult(INITIAL_HEALTH, fail, 11_000, policy);
  assert.deepEqual([after.health.consecutiveFailures, after.health.lastFailureCause, after.failureCounted], [1, '503 Service Unavailable', true]);
  // Once healthy, the grace period no longer protects.
  const healthy = applyProbeResult(INITIAL_HEALTH, ok, 1_000, policy);
  assert.deepEqual([healthy.alive, healthy.aliveChanged, healthy.health.firstSuccess], [true, true, 1_000]);
  const dropped = applyProbeResult(healthy.health, fail, 2_000, policy);
  assert.deepEqual([dropped.alive, dropped.aliveChanged, dropped.failureCounted], [false, true, true]);
});

test('state machine: the failure that finds maxConsecutiveFailures already counted kills; 0 never kills; success resets', () => {
  let h: Health = INITIAL_HEALTH;
  const kills: boolean[] = [];
  for (let i = 0; i < 4; i++) { const t = applyProbeResult(h, fail, 20_000 + i, policy); h = t.health; kills.push(t.kill); }
  assert.deepEqual(kills, [false, false, false, true]);
  const reset = applyProbeResult(h, ok, 30_000, policy);
  assert.equal(reset.health.consecutiveFailures, 0);
  assert.equal(reset.health.lastFailureCause, '503 Service Unavailable', 'the last cause stays visible');
  let never: Health = INITIAL_HEALTH;
  for (let i = 0; i < 20; i++) { const t = applyProbeResult(never, fail, 20_000 + i, { ...policy, maxConsecutiveFailures: 0 }); never = t.health; assert.equal(t.kill, false); }
  const ignored = applyProbeResult(reset.health, { kind: 'ignored' }, 40_000, policy);
  assert.deepEqual(ignored.health, reset.health);
});

test('property: alive follows the last counted result, kill only after more than max consecutive counted failures', () => {
  const step = fc.record({ dt: fc.integer({ min: 0, max: 5_000 }), r: fc.constantFrom<ProbeResult>(ok, fail, { kind: 'ignored' }) });
  fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 20 }), (steps, max, grace) => {
    let h: Health = INITIAL_HEALTH; let now = 0; let streak = 0; let lastCounted: boolean | undefined;
    for (const { dt, r } of steps) {
      now += dt + 1;
      const t = applyProbeResult(h, r, now, { startedAt: 0, gracePeriodSeconds: grace, maxConsecutiveFailures: max });
      if (t.kill) assert.ok(max > 0 && streak >= max);
      if (r.kind === 'healthy') { streak = 0; lastCounted = true; }
      if (t.failureCounted) { streak++; lastCounted = false; }
      assert.equal(t.health.consecutiveFailures, streak);
      assert.equal(t.alive, lastCounted === true);
      assert.equal(isAlive(t.health), t.alive);
      h = t.health;
    }
  }));
});

test('HTTP status verdicts as Marathon: 200-399 healthy, 1xx ignored on request', () => {
  assert.deepEqual(classifyHttpStatus(200, false), ok);
  assert.deepEqual(classifyHttpStatus(302, false), ok);
  assert.deepEqual(classifyHttpStatus(404, false), { kind: 'unhealthy', cause: '404 Not Found' });
  assert.deepEqual(classifyHttpStatus(101, true), { kind: 'ignored' });
  assert.deepEqual(classifyHttpStatus(101, false), { kind: 'unhealthy', cause: '101 Switching Protocols' });
});

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

test('real probes: HTTP status, connection refused, timeout, TCP connect', async () => {
  let status = 200;
  let hang = false;
  const server = http.createServer((req, res) => { if (hang) return; res.statusCode = req.url === '/health' ? status : 404; res.end('x'); });
  const port = await listen(server);
  const tcp = net.createServer((s) => s.end());
  const tcpPort = await listen(tcp);
  try {
    assert.deepEqual(await defaultProbe({ protocol: 'HTTP', host: '127.0.0.1', port, path: '/health', timeoutMs: 2000 }), ok);
    assert.deepEqual(await defaultProbe({ protocol: 'HTTP', host: '127.0.0.1', port, path: 'other', timeoutMs: 2000 }), { kind: 'unhealthy', cause: '404 Not Found' });
    status = 503;
    assert.deepEqual(await defaultProbe({ protocol: 'HTTP', host: '127.0.0.1', port, path: '/health', timeoutMs: 2000 }), { kind: 'unhealthy', cause: '503 Service Unavailable' });
    hang = true;
    const slow = await defaultProbe({ protocol: 'HTTP', host: '127.0.0.1', port, path: '/health', timeoutMs: 200 });
    assert.equal(slow.kind, 'unhealthy');
    assert.deepEqual(await defaultProbe({ protocol: 'TCP', host: '127.0.0.1', port: tcpPort, timeoutMs: 2000 }), ok);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => tcp.close(r));
  }
  // Nothing listens on a port we just released.
  const gone = net.createServer();
  const freePort = await listen(gone);
  await new Promise((r) => gone.close(r));
  const refused = await defaultProbe({ protocol: 'TCP', host: '127.0.0.1', port: freePort, timeoutMs: 2000 });
  assert.equal(refused.kind, 'unhealthy');
  const refusedHttp = await defaultProbe({ protocol: 'HTTP', host: '127.0.0.1', port: freePort, timeoutMs: 2000 });
  assert.equal(refusedHttp.kind, 'unhealthy');
});

test('HealthMonitor probes a real server on its interval, reports changes and asks for the kill', async () => {
  let healthy = true;
  const server = http.createServer((_req, res) => { res.statusCode = healthy ? 200 : 500; res.end(); });
  const port = await listen(server);
  const changes: Array<[string, boolean, HealthChange]> = [];
  const kills: Array<[string, string]> = [];
  const failures: string[] = [];
  const monitor = new HealthMonitor({
    onChange: (id, alive, result) => changes.push([id, alive, result]),
    onUnhealthy: (id, reason) => kills.push([id, reason]),
    onFailure: (_id, _i, cause) => failures.push(cause),
  });
  try {
    monitor.track({
      taskId: 'app.1', instanceId: 'app.instance-1', appId: '/app', host: '127.0.0.1', ports: [port], startedAt: Date.now(),
      healthChecks: [normalizeHealthCheck({ protocol: 'HTTP', path: '/', intervalSeconds: 1, timeoutSeconds: 1, gracePeriodSeconds: 0, maxConsecutiveFailures: 1 })],
    });
    assert.deepEqual(monitor.results('app.1'), [{ alive: false, consecutiveFailures: 0, instanceId: 'app.instance-1', taskId: 'app.1' }]);
    assert.equal(monitor.alive('app.1'), undefined);
    await waitFor(() => changes.length >= 1);
    assert.deepEqual([changes[0]![0], changes[0]![1], changes[0]![2].healthCheckIndex], ['app.1', true, 0]);
    const [result] = monitor.results('app.1');
    assert.equal(result!.alive, true);
    assert.ok(result!.firstSuccess && !Number.isNaN(Date.parse(result!.firstSuccess)));
    assert.equal(monitor.alive('app.1'), true);
    healthy = false;
    await waitFor(() => kills.length >= 1);
    assert.deepEqual(kills, [['app.1', '500 Internal Server Error']]);
    assert.deepEqual(changes.map((c) => c[1]), [true, false]);
    assert.ok(failures.length >= 2);
    assert.equal(monitor.results('app.1')[0]!.lastFailureCause, '500 Internal Server Error');
    monitor.untrack('app.1');
    assert.deepEqual(monitor.results('app.1'), []);
  } finally {
    monitor.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('HealthMonitor with an injected clock and probe results: Mesos-side results go through the same rules', () => {
  let now = 1_000_000;
  const kills: string[] = [];
  const changes: boolean[] = [];
  const monitor = new HealthMonitor({ now: () => now, onChange: (_id, alive) => changes.push(alive), onUnhealthy: (id) => kills.push(id) });
  monitor.track({
    taskId: 't', appId: '/a', host: 'h', ports: [], startedAt: now,
    healthChecks: [normalizeHealthCheck({ protocol: 'COMMAND', command: { value: 'true' }, gracePeriodSeconds: 60, maxConsecutiveFailures: 2 })],
  });
  monitor.reportMesosHealth('t', false);
  assert.equal(monitor.results('t')[0]!.consecutiveFailures, 0, 'inside the grace period');
  now += 61_000;
  for (let i = 0; i < 2; i++) { monitor.reportMesosHealth('t', false); now += 1000; }
  assert.deepEqual(kills, []);
  monitor.reportMesosHealth('t', false);
  assert.deepEqual(kills, ['t']);
  monitor.reportMesosHealth('t', false);
  assert.deepEqual(kills, ['t'], 'asked once per task');
  now += 1000;
  monitor.reportMesosHealth('t', true);
  assert.deepEqual(changes, [true]);
  assert.equal(monitor.results('t')[0]!.lastFailureCause, '');
  monitor.stop();
});

test('toMesosHealthCheck builds TaskInfo.health_check with the resolved port', () => {
  assert.deepEqual(toMesosHealthCheck(normalizeHealthCheck({ protocol: 'COMMAND', command: { value: 'exit 0' } }), []), {
    type: 'COMMAND', delay_seconds: 15, interval_seconds: 60, timeout_seconds: 20, consecutive_failures: 3, grace_period_seconds: 300,
    command: { value: 'exit 0', shell: true },
  });
  assert.deepEqual(toMesosHealthCheck(normalizeHealthCheck({ protocol: 'MESOS_HTTPS', portIndex: 1, path: '/ping' }), [31000, 31001])?.http,
    { scheme: 'https', port: 31001, path: '/ping', protocol: 'IPv4' });
  assert.deepEqual(toMesosHealthCheck(normalizeHealthCheck({ protocol: 'MESOS_TCP', port: 9000 }), [])?.tcp, { port: 9000, protocol: 'IPv4' });
  assert.equal(toMesosHealthCheck(normalizeHealthCheck({ protocol: 'MESOS_TCP', portIndex: 3 }), [31000]), undefined);
  assert.equal(toMesosHealthCheck(normalizeHealthCheck({ protocol: 'HTTP' }), [31000]), undefined);
});

async function waitFor(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('HTTPS probes trust any certificate, as Marathon does (self-signed server)', async () => {
  const dir = tempDir();
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir.path, 'key.pem'), '-out', join(dir.path, 'cert.pem'), '-days', '1', '-subj', '/CN=nowhere.invalid'], { stdio: 'ignore' });
    const server = https.createServer({ key: readFileSync(join(dir.path, 'key.pem')), cert: readFileSync(join(dir.path, 'cert.pem')) }, (req, res) => { res.statusCode = req.url === '/ok' ? 204 : 503; res.end(); });
    const port = await listen(server as unknown as http.Server);
    try {
      assert.deepEqual(await defaultProbe({ protocol: 'HTTPS', host: '127.0.0.1', port, path: '/ok', timeoutMs: 5000 }), ok);
      assert.deepEqual(await defaultProbe({ protocol: 'HTTPS', host: '127.0.0.1', port, path: '/down', timeoutMs: 5000 }), { kind: 'unhealthy', cause: '503 Service Unavailable' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  } finally {
    dir.remove();
  }
});
