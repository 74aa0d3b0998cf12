// TLS with ZooKeeper discovery: MasterInfo in ZooKeeper has no scheme, so an agent and Marathon given a CA reach
// the zk://-detected master over HTTPS; a standby Marathon proxies to its leader over HTTPS.
// Addresses: master and agent 127.0.102.x, Marathon instances 127.0.103.x.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, killSandboxProcesses, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';
import { makeCertificates, type TestCertificates } from '../helpers/tls.ts';
import { ClientTls } from '../../src/security/tls.ts';

const MASTER_IP = '127.0.102.1';
const AGENT_IP = '127.0.102.2';
const marathonIp = (i: number) => `127.0.103.${i + 1}`;

describe('TLS with ZooKeeper: zk:// discovery and leader proxying over HTTPS', () => {
  let zk: ZooKeeperEnsemble;
  let certs: TestCertificates;
  let trusted: ClientTls;
  let dir: { path: string; remove(): void };
  const roles: RoleProcess[] = [];
  const marathons: RoleProcess[] = [];

  before(async () => {
    certs = makeCertificates([MASTER_IP, AGENT_IP, marathonIp(0), marathonIp(1)]);
    trusted = new ClientTls({ ca: readFileSync(certs.caFile) });
    dir = tempDir('trireme-tls-ha-');
    zk = await ZooKeeperEnsemble.start();
    const tlsArgs = ['--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile, '--ca-file', certs.caFile];
    roles.push(await startRole(['master', '--ip', MASTER_IP, '--hostname', MASTER_IP, '--port', '0', '--work-dir', join(dir.path, 'master'),
      '--zk', zk.url('/mesos'), '--quorum', '1', '--allocation-interval', '200ms', '--ssl-cert', certs.certFile, '--ssl-key', certs.keyFile], 'master listening'));
    roles.push(await startRole(['agent', '--master', zk.url('/mesos'), '--ip', AGENT_IP, '--hostname', AGENT_IP, '--port', '0', '--work-dir', join(dir.path, 'agent'),
      '--resources', 'cpus:2;mem:1024;disk:1000;ports:[31000-31100]', '--registration-backoff-factor', '100ms', ...tlsArgs], 'agent listening'));
    for (let i = 0; i < 2; i++) {
      marathons.push(await startRole(['marathon', '--master', zk.url('/mesos'), '--zk', zk.url('/marathon'), '--http-address', marathonIp(i), '--hostname', marathonIp(i),
        '--http-port', '0', '--work-dir', join(dir.path, `marathon-${i}`), '--decline-offer-duration', '1secs', ...tlsArgs], 'marathon listening'));
    }
  });
  after(async () => {
    await Promise.all(marathons.map((m) => m.stop()));
    for (const r of [...roles].reverse()) await r.stop();
    if (dir) killSandboxProcesses(dir.path);
    await zk?.close();
    await trusted?.close();
    dir?.remove();
    certs?.remove();
  });

  const json = async (url: string, init?: RequestInit): Promise<any> => {
    const res = await trusted.fetch(url, init);
    const text = await res.text();
    assert.ok(res.ok, `${init?.method ?? 'GET'} ${url} → ${res.status}: ${text}`);
    return JSON.parse(text);
  };

  it('the agent finds the master through ZooKeeper and registers over HTTPS', async () => {
    const master = roles[0]!;
    await eventually(async () => (await json(`${master.url}/master/state`)).slaves.length === 1, 60_000, 200);
  });

  it('the standby Marathon proxies a write to the leader over HTTPS, and the leader runs it through the HTTPS master', async () => {
    const leaderIndex = await eventually(async () => {
      const infos = await Promise.all(marathons.map((m) => json(`${m.url}/v2/info`)));
      const leading = infos.findIndex((i) => i.elected === true);
      return leading >= 0 && infos.filter((i) => i.elected).length === 1 ? leading + 1 : undefined;
    }, 60_000, 200) - 1;
    const standby = marathons[1 - leaderIndex]!;
    const created = await trusted.fetch(`${standby.url}/v2/apps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: '/proxied', cmd: 'sleep 600', cpus: 0.1, mem: 32, instances: 1 }) });
    assert.equal(created.status, 201, await created.text());
    await eventually(async () => (await json(`${standby.url}/v2/apps/proxied`)).app.tasksRunning === 1, 60_000, 200);
    const state = await json(`${roles[0]!.url}/master/state`);
    assert.ok(state.frameworks.some((f: any) => f.name === 'marathon' && f.webui_url.startsWith('https://')), JSON.stringify(state.frameworks.map((f: any) => f.webui_url)));
  });
});
