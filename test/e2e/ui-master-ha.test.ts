// The master console opened on a standby master of a 3-master ZooKeeper cluster keeps working through a leader
// change: kill -9 the leader, and without a reload the console names the newly elected leader and shows live data
// from it again (a new agent appears). Masters listen on 127.0.158.x, agents on 127.0.157.x.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, getJson, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { ZooKeeperEnsemble } from '../helpers/zookeeper.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('master console across a leader change', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('master console across a leader change', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let zk: ZooKeeperEnsemble;
  const dir = tempDir('trireme-ui-ha-');
  const masters: RoleProcess[] = [];
  const agents: RoleProcess[] = [];
  const host = (m: RoleProcess) => new URL(m.url).host;

  const startAgent = async (i: number) => {
    const ip = `127.0.157.${i + 2}`;
    agents.push(await startRole(['agent', '--master', zk.url('/mesos'), '--ip', ip, '--hostname', ip, '--port', '0', '--work-dir', join(dir.path, `agent-${i}`),
      '--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]', '--registration-backoff-factor', '100ms'], 'agent listening'));
  };
  const elected = async (m: RoleProcess) => (await getJson(`${m.url}/metrics/snapshot`).catch(() => ({})))['master/elected'] === 1;

  before(async () => {
    zk = await ZooKeeperEnsemble.start({ size: 1 });
    // One after the other, so the first one leads.
    for (let i = 0; i < 3; i++) {
      const ip = `127.0.158.${i + 2}`;
      masters.push(await startRole(['master', '--ip', ip, '--hostname', ip, '--port', '0', '--work-dir', join(dir.path, `master-${i}`),
        '--zk', zk.url('/mesos'), '--quorum', '2', '--zk-session-timeout', '3secs', '--allocation-interval', '200ms'], 'master listening'));
      if (i === 0) await eventually(() => elected(masters[0]!), 30_000, 200);
    }
    await startAgent(0);
  });
  after(async () => {
    await browser.close();
    for (const a of agents) await a.stop();
    for (const m of masters) await m.stop();
    await zk?.close();
    dir.remove();
  });

  test('a console on a standby names the leader, and after kill -9 of the leader the new one, with live data', async () => {
    // ZooKeeper elects the next contender in joining order (masters[1]): the console on masters[2] is served by a
    // standby before and after the failover, so both leaders are reached through it.
    const [leader, , standby] = masters as [RoleProcess, RoleProcess, RoleProcess];
    const { page, problems, screenshot } = await browser.open(`${standby.url}/`);
    await page.getByTestId('leader').filter({ hasText: `leader ${host(leader)}` }).waitFor();
    await page.getByTestId('agent-count').filter({ hasText: '1' }).waitFor();
    await page.getByTestId('live').waitFor();
    await screenshot('master-ha-standby');

    await leader.stop('SIGKILL');
    const next = await eventually(async () => {
      for (const m of masters.slice(1)) if (await elected(m)) return m;
      return undefined;
    }, 60_000, 200);
    assert.notEqual(next, standby, 'the console is still served by a standby');
    await page.getByTestId('leader').filter({ hasText: `leader ${host(next)}` }).waitFor({ timeout: 60_000 });
    await page.getByTestId('live').waitFor({ timeout: 60_000 });
    // Live data from the new leader: an agent that registers now appears without a reload.
    await startAgent(1);
    await page.getByTestId('agent-count').filter({ hasText: '2' }).waitFor({ timeout: 60_000 });
    await screenshot('master-ha-after-failover');
    // While no master led, the console's calls were answered 502/503 (shown as "reconnecting…"); nothing else failed.
    const unexpected = problems.filter((p) => !/status of 50[23]|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
