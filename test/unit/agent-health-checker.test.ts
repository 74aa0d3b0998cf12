import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { healthCheckStep, parseHealthCheck, runCheck, INITIAL_CHECKER_STATE, type CheckerState, type HealthCheckConfig } from '../../src/agent/health-checker.ts';
import { tempDir } from '../helpers/processes.ts';

test('parseHealthCheck: Mesos defaults and validation', () => {
  const r = parseHealthCheck({ type: 'COMMAND', command: { value: 'true' } });
  assert.ok(r.ok);
  assert.deepEqual(r.config, { type: 'COMMAND', delayMs: 15_000, intervalMs: 10_000, timeoutMs: 20_000, consecutiveFailures: 3, gracePeriodMs: 10_000, command: { value: 'true' } });
  const legacy = parseHealthCheck({ command: { value: 'true' }, timeout_seconds: 0 });
  assert.ok(legacy.ok && legacy.config.type === 'COMMAND' && legacy.config.timeoutMs === undefined);
  const httpCheck = parseHealthCheck({ type: 'HTTP', http: { port: 8080 } });
  assert.ok(httpCheck.ok && httpCheck.config.http?.scheme === 'http');
  assert.deepEqual(parseHealthCheck({ type: 'COMMAND' }), { ok: false, error: "Expecting 'command' to be set for COMMAND health check" });
  assert.deepEqual(parseHealthCheck({ type: 'HTTP' }), { ok: false, error: "Expecting 'http' to be set for HTTP health check" });
  assert.deepEqual(parseHealthCheck({ type: 'TCP' }), { ok: false, error: "Expecting 'tcp' to be set for TCP health check" });
  assert.deepEqual(parseHealthCheck({}), { ok: false, error: "HealthCheck must specify 'type'" });
  assert.equal(parseHealthCheck({ type: 'HTTP', http: { port: 1, path: 'x' } }).ok, false);
  assert.equal(parseHealthCheck({ type: 'TCP', tcp: { port: 1 }, interval_seconds: -1 }).ok, false);
});

const cfg = { gracePeriodMs: 10_000, consecutiveFailures: 3 };

test('healthCheckStep: grace period, first success, failures until the kill, recovery', () => {
  assert.deepEqual(healthCheckStep(INITIAL_CHECKER_STATE, false, 5_000, cfg), { state: INITIAL_CHECKER_STATE });
  const first = healthCheckStep(INITIAL_CHECKER_STATE, true, 6_000, cfg);
  assert.deepEqual(first.verdict, { healthy: true, consecutiveFailures: 0, killTask: false });
  assert.equal(healthCheckStep(first.state, true, 7_000, cfg).verdict, undefined, 'only the first success is reported');
  let s: CheckerState = first.state;
  const verdicts = [];
  for (let i = 0; i < 3; i++) { const step = healthCheckStep(s, false, 8_000 + i, cfg); s = step.state; verdicts.push(step.verdict); }
  assert.deepEqual(verdicts, [
    { healthy: false, consecutiveFailures: 1, killTask: false },
    { healthy: false, consecutiveFailures: 2, killTask: false },
    { healthy: false, consecutiveFailures: 3, killTask: true },
  ]);
  assert.deepEqual(healthCheckStep(s, true, 9_000, cfg).verdict, { healthy: true, consecutiveFailures: 0, killTask: false });
  // Past the grace period failures count even without a success.
  assert.equal(healthCheckStep(INITIAL_CHECKER_STATE, false, 10_001, cfg).verdict?.consecutiveFailures, 1);
});

test('property: the kill is asked exactly when consecutive counted failures reach the limit', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 }))), fc.integer({ min: 1, max: 5 }), (steps, limit) => {
    let s = INITIAL_CHECKER_STATE; let t = 0; let streak = 0;
    for (const [passed, dt] of steps) {
      t += dt;
      const r = healthCheckStep(s, passed, t, { gracePeriodMs: 5000, consecutiveFailures: limit });
      if (passed) streak = 0; else if (r.verdict) streak++;
      assert.equal(r.state.consecutiveFailures, streak);
      if (r.verdict && !r.verdict.healthy) assert.equal(r.verdict.killTask, streak >= limit);
      s = r.state;
    }
  }));
});

const base: Omit<HealthCheckConfig, 'type'> = { delayMs: 0, intervalMs: 1000, timeoutMs: 2000, consecutiveFailures: 3, gracePeriodMs: 0 };

test('runCheck: a command runs in the sandbox with the task environment, output to stderr, bounded by the timeout', async () => {
  const dir = tempDir();
  try {
    const target = { host: '127.0.0.1', sandbox: dir.path, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MARKER: 'ok' } };
    assert.equal(await runCheck({ ...base, type: 'COMMAND', command: { value: `test "$MARKER" = ok && test "$(pwd -P)" = "$(cd '${dir.path}' && pwd -P)" && echo checked >&2` } }, target), undefined);
    assert.match(readFileSync(join(dir.path, 'stderr'), 'utf8'), /checked/);
    assert.equal(await runCheck({ ...base, type: 'COMMAND', command: { value: 'exit 3' } }, target), 'COMMAND health check failed: Command returned exited with status 3');
    const slow = await runCheck({ ...base, timeoutMs: 200, type: 'COMMAND', command: { value: 'sleep 5' } }, target);
    assert.match(slow!, /has not returned after 0.2secs; aborting/);
  } finally {
    dir.remove();
  }
});

test('runCheck: HTTP 2xx/3xx pass, others fail; TCP connects', async () => {
  let status = 200;
  const server = http.createServer((_req, res) => { res.statusCode = status; res.end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const target = { host: '127.0.0.1', sandbox: '/tmp', env: {} };
  try {
    assert.equal(await runCheck({ ...base, type: 'HTTP', http: { scheme: 'http', port, path: '/' } }, target), undefined);
    status = 301;
    assert.equal(await runCheck({ ...base, type: 'HTTP', http: { scheme: 'http', port, path: '/' } }, target), undefined);
    status = 500;
    assert.equal(await runCheck({ ...base, type: 'HTTP', http: { scheme: 'http', port, path: '/' } }, target), 'HTTP health check failed: Unexpected HTTP response code: 500 Internal Server Error');
    assert.equal(await runCheck({ ...base, type: 'TCP', tcp: { port } }, target), undefined);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  const failed = await runCheck({ ...base, type: 'TCP', tcp: { port } }, target);
  assert.match(failed!, /^TCP health check failed: Failed to connect/);
});

test('runCheck: a container target maps a check port to the container port, and fails HTTP/TCP with the reason when unreachable', async () => {
  const server = http.createServer((_req, res) => res.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    // The check names host port 1 (as a scheduler sending the mapped host port would); the container listens on `port`.
    const mapped = { host: '127.0.0.1', sandbox: '/tmp', env: {}, port: (p: number) => (p === 1 ? port : p) };
    assert.equal(await runCheck({ ...base, type: 'HTTP', http: { scheme: 'http', port: 1, path: '/' } }, mapped), undefined);
    assert.equal(await runCheck({ ...base, type: 'TCP', tcp: { port: 1 } }, mapped), undefined);
    const none = { host: '', sandbox: '/tmp', env: {}, unreachable: 'the container has no network (NONE): the agent cannot reach it' };
    assert.equal(await runCheck({ ...base, type: 'TCP', tcp: { port } }, none), 'TCP health check failed: the container has no network (NONE): the agent cannot reach it');
    assert.match((await runCheck({ ...base, type: 'HTTP', http: { scheme: 'http', port, path: '/' } }, none))!, /^HTTP health check failed: the container has no network/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
