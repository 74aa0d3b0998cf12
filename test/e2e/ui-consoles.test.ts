// Each role serves its web console at `/`: the page loads in a real Chromium, shows the role's live data and
// logs no console errors; a phone-width render works too. Screenshots land in test-artifacts/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, type TestCluster, type RoleProcess } from '../helpers/processes.ts';
import { startMarathonRole, api } from '../helpers/marathon.ts';
import { startChronosProcess, postJob, isoIn } from '../helpers/chronos.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('web consoles', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('web consoles', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let chronos: RoleProcess;

  before(async () => {
    cluster = await startCluster({ agents: 2, agentIpBase: 114 });
    marathon = await startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'));
    chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'));
  });
  after(async () => {
    await browser.close();
    await marathon?.stop();
    await chronos?.stop();
    await cluster?.stop();
  });

  test('the master console shows the registered agents', async () => {
    const { page, problems, screenshot } = await browser.open(`http://${cluster.masterAddress}/`);
    await page.getByTestId('agent-count').filter({ hasText: '2' }).waitFor();
    await screenshot('skeleton-master');
    assert.deepEqual(problems, []);
  });

  test('the Marathon console lists apps, also at its old /ui/ address and at phone width', async () => {
    const base = `http://127.0.0.1:${marathon.port}`;
    const created = await api(base, 'POST', '/v2/apps', { id: '/ui-skeleton', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 0 });
    assert.equal(created.status, 201, created.text);
    for (const path of ['/', '/ui/']) {
      const { page, problems, screenshot } = await browser.open(`${base}${path}`, { width: 390, height: 844 });
      await page.getByRole('cell', { name: '/ui-skeleton' }).waitFor();
      if (path === '/') await screenshot('skeleton-marathon-phone');
      assert.deepEqual(problems, []);
    }
  });

  test('the Chronos console lists jobs', async () => {
    const base = `http://127.0.0.1:${chronos.port}`;
    await postJob(base, { name: 'ui-skeleton-job', command: 'true', schedule: `R/${isoIn(3_600_000)}/PT1H`, cpus: 0.1, mem: 16 });
    const { page, problems, screenshot } = await browser.open(`${base}/`);
    await page.getByRole('cell', { name: 'ui-skeleton-job' }).waitFor();
    await screenshot('skeleton-chronos');
    assert.deepEqual(problems, []);
  });

  test('hashed assets are served with a long cache lifetime and unknown assets are 404', async () => {
    const html = await (await fetch(`http://${cluster.masterAddress}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, `no script in ${html}`);
    const res = await fetch(`http://${cluster.masterAddress}${script}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`http://${cluster.masterAddress}/assets/nope.js`)).status, 404);
  });
});
