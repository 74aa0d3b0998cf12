// `trireme dev` with one certificate for every role, driven by the operator CLI over HTTPS: app create --wait
// (Marathon's event stream), task list (the master) and task logs (the agent's files API, found through the master).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, killSandboxProcesses, runCli, startRole, tempDir } from '../helpers/processes.ts';
import { makeCertificates } from '../helpers/tls.ts';
import { ClientTls } from '../../src/security/tls.ts';

describe('trireme dev over HTTPS', () => {
  it('serves every role over HTTPS and the CLI, given the CA, runs an app and reads its logs', async () => {
    const certs = makeCertificates(['127.0.0.2']);
    const dir = tempDir();
    const trusted = new ClientTls({ ca: readFileSync(certs.caFile) });
    const dev = await startRole(['dev', '--data-dir', dir.path, '--agents', '1', '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0',
      '--agent-resources', 'cpus:2;mem:1024;disk:2000;ports:[31000-31100]', '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile, '--ca-file', certs.caFile], 'master listening', 60_000);
    try {
      const output = await eventually(() => (dev.output().includes('Press Ctrl-C') ? dev.output() : undefined), 60_000);
      const url = (role: string) => new RegExp(`${role} +https://(127\\.0\\.0\\.1:\\d+)`).exec(output)?.[1];
      assert.ok(url('master') && url('marathon') && url('chronos'), output);
      assert.match(output, /agent 1 +https:\/\/127\.0\.0\.2:\d+/);
      // Marathon and Chronos subscribed to the master over HTTPS, trusting the CA.
      await eventually(async () => {
        const state = await (await trusted.fetch(`https://${url('master')}/master/state`)).json() as { frameworks: { name: string }[] };
        return ['marathon', 'chronos'].every((n) => state.frameworks.some((f) => f.name === n));
      }, 60_000, 200);

      // Addresses without a scheme: the CA file makes them https.
      const env = { TRIREME_CA_FILE: certs.caFile, TRIREME_MASTER: url('master')!, TRIREME_MARATHON: url('marathon')!, TRIREME_CHRONOS: url('chronos')! };
      const app = join(dir.path, 'app.json');
      writeFileSync(app, JSON.stringify({ id: '/hello-tls', cmd: 'echo hello over tls; exec sleep 600', cpus: 0.1, mem: 32, instances: 1 }));
      const created = await runCli(['app', 'create', '-f', app, '--wait'], 60_000, env);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /1\/1 running/);
      const tasks = JSON.parse((await runCli(['task', 'list', '--json'], 60_000, env)).stdout) as { id: string }[];
      const task = tasks.find((t) => t.id.startsWith('hello-tls'));
      assert.ok(task, JSON.stringify(tasks));
      const logs = await eventually(async () => {
        const r = await runCli(['task', 'logs', task.id], 60_000, env);
        return r.code === 0 && r.stdout.includes('hello over tls') ? r : undefined;
      }, 60_000, 500);
      assert.match(logs.stdout, /hello over tls/);
      const jobs = await runCli(['job', 'list'], 60_000, env);
      assert.equal(jobs.code, 0, jobs.stderr);
    } finally {
      await dev.stop();
      killSandboxProcesses(dir.path);
      await trusted.close();
      dir.remove();
      certs.remove();
    }
  });

  it('refuses --ssl-cert with --ha in one line', async () => {
    const certs = makeCertificates();
    try {
      const r = await runCli(['dev', '--ha', '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile], 60_000);
      assert.equal(r.code, 1);
      assert.match(r.stderr.trim(), /^trireme: dev: --ssl-cert\/--ssl-key\/--ca-file are not supported with --ha yet/);
    } finally { certs.remove(); }
  });
});
