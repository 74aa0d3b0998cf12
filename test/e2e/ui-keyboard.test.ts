// Keyboard reachability of the three consoles in a real Chromium: from the top of each main page, Tab reaches the
// primary actions (create app / new job, a row's link, the action buttons) with a visible focus ring on every stop,
// and Enter activates them. Agents on 127.0.158.x.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';
import { isElement, tabTo } from '../helpers/keyboard.ts';

describe('keyboard reachability', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('keyboard reachability', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let chronos: RoleProcess;

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 158 });
    marathon = await startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'));
    chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'));
    const created = await api(marathon.url, 'POST', '/v2/apps', { id: '/kb/web', cmd: 'echo keyboard-task; exec sleep 600', cpus: 0.1, mem: 16, instances: 1 });
    assert.equal(created.status, 201, created.text);
    await postJob(chronos.url, { name: 'kb-job', command: 'true', schedule: `R/${isoIn(3_600_000)}/PT1H`, cpus: 0.1, mem: 16 });
  });
  after(async () => {
    await browser.close();
    await marathon?.stop();
    await chronos?.stop();
    await cluster?.stop();
  });

  test('master console: navigation, a task link, the sandbox buttons and download link', async () => {
    const { page, problems, screenshot } = await browser.open(`${cluster.master.url}/`);
    const taskLink = page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: /^kb_web\./ });
    await taskLink.waitFor({ timeout: 30_000 });
    await tabTo(page, isElement('a', 'Agents'), 'the Agents navigation link');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: '127.0.158.2' }).waitFor();

    await page.goto(`${cluster.master.url}/#/`);
    await taskLink.waitFor();
    await tabTo(page, isElement('a', /^kb_web\./), "a task row's link");
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Task kb_web\./ }).waitFor();
    await page.getByTestId('file-content').filter({ hasText: 'keyboard-task' }).waitFor();
    await tabTo(page, isElement('button', 'stderr'), 'the stderr quick-file button');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'stderr', level: 3 }).waitFor();
    await tabTo(page, isElement('a', 'Download'), "the viewer's Download link");
    await screenshot('master-keyboard-focus');
    assert.deepEqual(problems, []);
  });

  test('Marathon console: create application, an app link, and the app actions', async () => {
    const { page, problems, screenshot } = await browser.open(`${marathon.url}/`);
    await page.getByRole('link', { name: '/kb', exact: true }).waitFor();
    await tabTo(page, isElement('a', 'Create application'), 'Create application');
    // The app is in group /kb: the folder row opens it, then the app row.
    await tabTo(page, isElement('a', '/kb'), "the group row's link");
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '/kb', exact: true }).waitFor();
    await tabTo(page, isElement('a', '/kb/web'), "the app row's link");
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '/kb/web' }).waitFor();
    await tabTo(page, isElement('button', 'Scale'), 'the Scale button');
    await tabTo(page, isElement('button', 'Destroy'), 'the Destroy button');
    await screenshot('marathon-keyboard-focus');
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Destroy /kb/web?' });
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });

    await page.goto(`${marathon.url}/#/`);
    await page.getByRole('link', { name: '/kb', exact: true }).waitFor();
    await tabTo(page, isElement('a', 'Create application'), 'Create application');
    await page.keyboard.press('Enter');
    await page.getByLabel('ID').waitFor();
    assert.deepEqual(problems, []);
  });

  test('Chronos console: new job, a job link, and the job actions', async () => {
    const { page, problems, screenshot } = await browser.open(`${chronos.url}/`);
    await page.getByRole('link', { name: 'kb-job' }).waitFor();
    await tabTo(page, isElement('a', 'New job'), 'New job');
    await tabTo(page, isElement('a', 'kb-job'), "the job row's link");
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'kb-job' }).first().waitFor();
    await tabTo(page, isElement('button', 'Run now'), 'Run now');
    await tabTo(page, isElement('button', 'Delete'), 'Delete');
    await screenshot('chronos-keyboard-focus');
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Delete kb-job?' });
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });

    await page.goto(`${chronos.url}/#/`);
    await page.getByRole('link', { name: 'kb-job' }).waitFor();
    await tabTo(page, isElement('a', 'New job'), 'New job');
    await page.keyboard.press('Enter');
    await page.getByLabel('Name').first().waitFor();
    assert.deepEqual(problems, []);
  });
});
