// TLS end to end: every role serving HTTPS with --ssl-cert/--ssl-key, every client verifying against --ca-file
// (the agent, the scheduler client, Marathon, Chronos, the CLI), and clients without the CA refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { REPO, eventually, oneLine, runCli, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { startMarathonRole } from '../helpers/marathon.ts';
import { startChronosProcess } from '../helpers/chronos.ts';
import { makeCertificates, type TestCertificates } from '../helpers/tls.ts';
import { SchedulerClient } from '../../src/scheduler-client/client.ts';
import { ClientTls } from '../../src/security/tls.ts';
import type { TaskStatus } from '../../src/proto/mesos.ts';

const AGENT_IP = '127.0.100.2';

describe('TLS', () => {
  let certs: TestCertificates;
  let trusted: ClientTls;
  let cluster: TestCluster;
  let serve: string[];

  before(async () => {
    certs = makeCertificates([AGENT_IP]);
    trusted = new ClientTls({ ca: readFileSync(certs.caFile) });
    serve = ['--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile];
    // The agent gets the master as a bare host:port: its CA makes that https (as LIBPROCESS_SSL_ENABLED would).
    cluster = await startCluster({ agents: 1, agentIpBase: 100, masterArgs: serve, agentArgs: [...serve, '--ca-file', certs.caFile] });
  });
  after(async () => {
    await cluster?.stop();
    await trusted?.close();
    certs?.remove();
  });

  const getJson = async (url: string): Promise<any> => {
    const res = await trusted.fetch(url);
    assert.equal(res.status, 200, `GET ${url}`);
    return res.json();
  };

  it('master and agent serve HTTPS; the agent registers over it, verifying the master against the CA', async () => {
    assert.match(cluster.master.url, /^https:\/\//);
    assert.match(cluster.agents[0]!.url, /^https:\/\/127\.0\.100\.2:/);
    const state = await getJson(`https://${cluster.masterAddress}/master/state`);
    assert.equal(state.slaves.length, 1);
    assert.equal(state.slaves[0].hostname, AGENT_IP);
    const agentState = await getJson(`${cluster.agents[0]!.url}/state`);
    assert.equal(agentState.hostname, AGENT_IP);
  });

  it('refuses clients that do not trust the CA, and plain HTTP', async () => {
    await assert.rejects(fetch(`https://${cluster.masterAddress}/master/state`), (err: Error & { cause?: { code?: string } }) => {
      assert.equal(err.cause?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      return true;
    });
    const otherCa = new ClientTls({ ca: readFileSync(certs.otherCaFile) });
    try {
      await assert.rejects(otherCa.fetch(`https://${cluster.masterAddress}/health`), /fetch failed/);
    } finally { await otherCa.close(); }
    await assert.rejects(fetch(`http://${cluster.masterAddress}/health`));
  });

  it('an agent without the CA stops at start-up with one line naming the certificate problem', async () => {
    const r = await runCli(['agent', '--master', `https://${cluster.masterAddress}`, '--ip', '127.0.100.3', '--hostname', '127.0.100.3', '--port', '0',
      '--work-dir', join(cluster.dir, 'agent-untrusting'), '--resources', 'cpus:1;mem:256;disk:100;ports:[31000-31010]'], 60_000);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^trireme: agent: cannot reach master at https:\/\/127\.0\.0\.1:\d+: TLS: its certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); give the CA .* --ca-file/);
  });

  it('a v1 scheduler subscribes over HTTPS and runs a task whose https URI the agent fetches, trusting the CA', async () => {
    const client = new SchedulerClient({
      master: `https://${cluster.masterAddress}`, tls: trusted, frameworkInfo: { user: 'root', name: 'tls-framework' }, reconnectBackoffMs: { min: 100, max: 500 },
    });
    const updates: TaskStatus[] = [];
    client.on('update', (s) => updates.push(s));
    let launched = false;
    client.on('offers', async (offers) => {
      for (const o of offers) {
        if (launched) { await client.decline([o.id.value], { refuse_seconds: 3600 }); continue; }
        launched = true;
        await client.launch([o.id.value], [{ name: 'hello', task_id: { value: 'tls-task' }, agent_id: o.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }], command: { value: 'grep -q trireme_version version', uris: [{ value: `https://${cluster.masterAddress}/version` }] } }]);
      }
    });
    try {
      client.start();
      await eventually(() => updates.some((u) => u.task_id.value === 'tls-task' && u.state === 'TASK_FINISHED'), 60_000);
      const state = await getJson(`https://${cluster.masterAddress}/master/state`);
      assert.ok(state.frameworks.some((f: any) => f.name === 'tls-framework'));
    } finally {
      await client.stop({ teardown: true });
    }
  });

  it('examples/run-n.ts, a third-party framework, runs its tasks given --ca-file', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'examples/run-n.ts'), '--master', cluster.masterAddress, '--ca-file', certs.caFile, '--instances', '2', '--name', 'tls-copies'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /all 2 tasks done, 0 failed/);
  });

  describe('Marathon over HTTPS', () => {
    let marathon: RoleProcess;
    before(async () => {
      marathon = await startMarathonRole(cluster.masterAddress, cluster.dir, [...serve, '--ca-file', certs.caFile]);
    });
    after(async () => { await marathon?.stop(); });

    it('serves /v2/apps over HTTPS and runs an app through its HTTPS scheduler connection', async () => {
      assert.match(marathon.url, /^https:\/\//);
      const res = await trusted.fetch(`${marathon.url}/v2/apps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: '/secure', cmd: 'sleep 600', cpus: 0.1, mem: 32, instances: 1 }) });
      assert.equal(res.status, 201, await res.text());
      await eventually(async () => (await getJson(`${marathon.url}/v2/apps/secure`)).app.tasksRunning === 1, 60_000, 200);
      const info = await getJson(`${marathon.url}/v2/info`);
      assert.match(info.marathon_config.webui_url, /^https:\/\//);
    });

    it('the CLI lists apps with TRIREME_CA_FILE, and without it prints one line and exits non-zero', async () => {
      const ok = await runCli(['app', 'list', '--marathon', marathon.url, '--json'], 60_000, { TRIREME_CA_FILE: certs.caFile });
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok((JSON.parse(ok.stdout) as Array<{ id: string }>).some((a) => a.id === '/secure'));
      // A scheme-less address means https once a CA is given.
      const bare = await runCli(['app', 'list', '--marathon', marathon.url.replace(/^https:\/\//, ''), '--ca-file', certs.caFile, '--json'], 60_000);
      assert.equal(bare.code, 0, bare.stderr);
      const refused = await runCli(['app', 'list', '--marathon', marathon.url], 60_000, { TRIREME_CA_FILE: '' });
      assert.equal(refused.code, 3);
      assert.match(oneLine(refused.stderr), /^trireme: cannot reach 127\.0\.0\.1:\d+: TLS: its certificate is not trusted .*--ca-file or TRIREME_CA_FILE$/);
      // Plain HTTP to an HTTPS port: the server drops it, and the line says what to try.
      const plain = await runCli(['app', 'list', '--marathon', marathon.url.replace(/^https:/, 'http:')], 60_000, { TRIREME_CA_FILE: '' });
      assert.equal(plain.code, 3);
      assert.match(oneLine(plain.stderr), /if it serves HTTPS, use an https:\/\/ address or --ca-file$/);
      const missing = await runCli(['app', 'list', '--marathon', marathon.url, '--ca-file', join(certs.dir, 'nope.pem')], 60_000);
      assert.equal(missing.code, 1);
      assert.match(oneLine(missing.stderr), /^trireme: --ca-file .*nope\.pem: no such file$/);
    });
  });

  describe('Chronos over HTTPS', () => {
    let chronos: RoleProcess;
    before(async () => {
      chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'), [...serve, '--ca-file', certs.caFile]);
    });
    after(async () => { await chronos?.stop(); });

    it('serves /v1/scheduler/jobs over HTTPS and runs a job through its HTTPS scheduler connection', async () => {
      assert.match(chronos.url, /^https:\/\//);
      const res = await trusted.fetch(`${chronos.url}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'secure-job', command: 'echo tls', schedule: 'R1/2099-01-01T00:00:00Z/PT1H', cpus: 0.1, mem: 32 }) });
      assert.equal(res.status, 204, await res.text());
      const run = await trusted.fetch(`${chronos.url}/v1/scheduler/job/secure-job`, { method: 'PUT' });
      assert.equal(run.status, 204, await run.text());
      await eventually(async () => {
        const jobs = await getJson(`${chronos.url}/v1/scheduler/jobs`);
        return (jobs.find((j: any) => j.name === 'secure-job')?.successCount ?? 0) >= 1;
      }, 60_000, 200);
      const cli = await runCli(['job', 'list', '--chronos', chronos.url, '--json'], 60_000, { TRIREME_CA_FILE: certs.caFile });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /secure-job/);
    });
  });
});

describe('TLS start-up errors', () => {
  let certs: TestCertificates;
  before(() => { certs = makeCertificates(); });
  after(() => certs?.remove());

  const start = (role: string, args: string[]) => runCli([role, '--port', '0', ...args], 60_000);

  it('a role with only one of --ssl-cert/--ssl-key, an unreadable file or a mismatched key says so in one line', async () => {
    const onlyCert = await start('master', ['--registry', 'in_memory', '--ip', '127.0.101.1', '--ssl-cert', certs.certFile]);
    assert.equal(onlyCert.code, 1);
    assert.equal(oneLine(onlyCert.stderr), 'trireme: master: --ssl-cert needs --ssl-key (give both to serve HTTPS)');
    const missing = await start('master', ['--registry', 'in_memory', '--ip', '127.0.101.1', '--ssl-cert', join(certs.dir, 'missing.pem'), '--ssl-key', certs.keyFile]);
    assert.equal(missing.code, 1);
    assert.match(oneLine(missing.stderr), /^trireme: master: --ssl-cert .*missing\.pem: no such file$/);
    const notPem = await start('master', ['--registry', 'in_memory', '--ip', '127.0.101.1', '--ssl-cert', certs.certFile, '--ssl-key', certs.certFile]);
    assert.equal(notPem.code, 1);
    assert.match(oneLine(notPem.stderr), /^trireme: master: --ssl-key .*server\.pem: not a PEM private key/);
    const mismatched = await start('master', ['--registry', 'in_memory', '--ip', '127.0.101.1', '--ssl-cert', certs.certFile, '--ssl-key', join(certs.dir, 'ca.key')]);
    assert.equal(mismatched.code, 1);
    assert.match(oneLine(mismatched.stderr), /^trireme: master: --ssl-key .*ca\.key does not belong to --ssl-cert/);
    const badCa = await start('agent', ['--master', '127.0.101.1:5050', '--ip', '127.0.101.2', '--work-dir', join(certs.dir, 'agent'), '--ca-file', certs.keyFile]);
    assert.equal(badCa.code, 1);
    assert.match(oneLine(badCa.stderr), /^trireme: agent: --ca-file .*server\.key: not a PEM certificate$/);
  });
});
