// Readiness checks: the probe loop, the port a check targets, validation of portName, and deployments waiting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppValidationError, parseApp, type AppDefinition } from '../../../src/marathon/app-definition.ts';
import { decideApp } from '../../../src/marathon/app-convergence.ts';
import type { Instance } from '../../../src/marathon/model.ts';
import { portNamesOf, readinessPort, ReadinessMonitor, type HttpAnswer } from '../../../src/marathon/readiness.ts';
import { eventually } from '../../helpers/processes.ts';

const check = (over: Record<string, unknown> = {}) => parseApp({
  id: 'web', cmd: 'x', portDefinitions: [{ port: 0, name: 'admin' }, { port: 0, name: 'http' }],
  readinessChecks: [{ portName: 'http', path: '/ready', intervalSeconds: 1, ...over }],
}).readinessChecks[0]!;

describe('readiness checks', () => {
  it('probe the host port whose definition carries portName', () => {
    const app = parseApp({ id: 'web', cmd: 'x', portDefinitions: [{ port: 0, name: 'admin' }, { port: 0, name: 'http' }] });
    assert.deepEqual(portNamesOf(app), ['admin', 'http']);
    assert.equal(readinessPort(check(), portNamesOf(app), [31000, 31001]), 31001);
    assert.equal(readinessPort(check(), portNamesOf(app), [31000]), undefined, 'no host port yet');
  });

  it('refuse a portName no port carries, with 422 details naming the field', () => {
    assert.throws(() => parseApp({ id: 'web', cmd: 'x', readinessChecks: [{ portName: 'nope' }] }), (err: unknown) => {
      assert.ok(err instanceof AppValidationError);
      assert.deepEqual(err.toJSON().details.map((d: { path: string }) => d.path), ['/readinessChecks(0)/portName']);
      return true;
    });
  });

  it('keep probing until the status is one of httpStatusCodesForReady, then stop; the body is kept only when asked', async () => {
    const answers: HttpAnswer[] = [
      { status: 503, contentType: 'text/plain', body: 'warming up' },
      { status: 200, contentType: 'text/plain', body: 'ok' },
    ];
    const probed: string[] = [];
    const ready: string[] = [];
    const monitor = new ReadinessMonitor({
      probe: async (t) => { probed.push(`${t.host}:${t.port}${t.path}`); return answers.shift() ?? { status: 500, contentType: '', body: '' }; },
      onReady: (id) => ready.push(id),
    });
    try {
      monitor.track({ taskId: 't1', host: 'h1', ports: [31000, 31001], portNames: ['admin', 'http'], checks: [check({ preserveLastResponse: true })] });
      await eventually(() => probed.length === 1);
      assert.equal(monitor.isReady('t1'), false);
      assert.deepEqual(monitor.results('t1'), [{ name: 'readinessCheck', taskId: 't1', ready: false, lastResponse: { status: 503, contentType: 'text/plain', body: 'warming up' } }]);
      await eventually(() => ready.length === 1, 5000);
      assert.equal(monitor.isReady('t1'), true);
      assert.deepEqual(probed, ['h1:31001/ready', 'h1:31001/ready']);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(probed.length, 2, 'no probes after the task was ready');

      answers.push({ status: 204, contentType: 'text/plain', body: 'secret' });
      monitor.track({ taskId: 't2', host: 'h2', ports: [1, 2], portNames: ['admin', 'http'], checks: [check({ httpStatusCodesForReady: [204] })] });
      await eventually(() => monitor.isReady('t2'));
      assert.equal(monitor.results('t2')[0]!.lastResponse!.body, '', 'the body is dropped without preserveLastResponse');
    } finally {
      monitor.stop();
    }
  });

  it('make a deployment wait: a running but unready new instance neither converges the app nor lets old ones go', () => {
    const app: AppDefinition = { ...parseApp({ id: 'web', cmd: 'x', instances: 1, portDefinitions: [{ port: 0, name: 'http' }], readinessChecks: [{ portName: 'http' }] }), version: 'v2', versionInfo: { lastConfigChangeAt: 'v2', lastScalingAt: 'v2' } };
    const inst = (taskId: string, configVersion: string): Instance => ({
      taskId, appId: '/web', agentId: 'a', host: 'h', ports: [31000], servicePorts: [], state: 'TASK_RUNNING', version: configVersion, configVersion,
      stagedAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:01Z', killRequestedAt: null, unreachableSince: null, ipAddresses: [],
    });
    const old = inst('old', 'v1');
    const fresh = inst('new', 'v2');
    const waiting = decideApp(app, [old, fresh], Date.now(), (i) => i !== fresh);
    assert.equal(waiting.converged, false);
    assert.deepEqual(waiting.kill, [], 'the old instance stays until the new one is ready');
    const done = decideApp(app, [old, fresh], Date.now(), () => true);
    assert.deepEqual(done.kill, [old]);
  });
});
