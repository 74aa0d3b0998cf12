// The master console against a master with --authenticate-http-readonly: after signing in, the sandbox's download
// links save the file (they carry the console's credentials), where a bare link to the same URL gets 401.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, tempDir, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('master console with read-only authentication', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('master console with read-only authentication', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  const dir = tempDir('trireme-ui-auth-');
  const ops = { Authorization: `Basic ${Buffer.from('ops:ops-pw').toString('base64')}` };
  const taskId = 'secret-printer';
  let cluster: TestCluster;
  let scheduler: RawScheduler;
  let frameworkId = '';

  before(async () => {
    const credentials = join(dir.path, 'credentials.json');
    writeFileSync(credentials, JSON.stringify({ credentials: [{ principal: 'ops', secret: 'ops-pw' }] }));
    cluster = await startCluster({ agents: 1, agentIpBase: 156, masterArgs: ['--credentials', credentials, '--authenticate-http-readonly'] });
    scheduler = new RawScheduler(cluster.masterAddress, ops);
    await scheduler.subscribe({ user: 'root', name: 'auth-printer', principal: 'ops', failover_timeout: 0 });
    scheduler.autoAck();
    frameworkId = scheduler.frameworkId;
    const [offer] = await scheduler.nextOffers();
    const res = await scheduler.call(launch([offer.id.value], [commandTask(taskId, offer.agent_id.value, 'echo line-behind-login; exec sleep 600')]));
    assert.equal(res.status, 202, res.text);
    await scheduler.waitForUpdate(taskId, 'TASK_RUNNING');
  });
  after(async () => {
    await browser.close();
    scheduler?.close();
    await cluster?.stop();
    dir.remove();
  });

  test("a signed-in console downloads a task's stdout; the same URL without credentials is refused", async () => {
    const { page, problems, screenshot } = await browser.open(`${cluster.master.url}/#/frameworks/${encodeURIComponent(frameworkId)}/tasks/${taskId}`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('User').fill('ops');
    await form.getByLabel('Password').fill('ops-pw');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('file-content').filter({ hasText: 'line-behind-login' }).waitFor();
    await screenshot('master-task-signed-in');

    const link = page.getByRole('table', { name: 'Sandbox files' }).getByRole('link', { name: 'Download stdout' });
    const href = await link.getAttribute('href');
    assert.ok(href);
    assert.equal((await fetch(new URL(href, cluster.master.url))).status, 401, 'the link alone carries no credentials');

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'stdout');
    assert.equal(await readFile((await download.path())!, 'utf8'), 'line-behind-login\n');
    // The viewer's own Download link (keyboard: focus it, Enter) saves the same file.
    const viewerLink = page.locator('.viewer-head').getByRole('link', { name: 'Download' });
    await viewerLink.focus();
    const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(await readFile((await again.path())!, 'utf8'), 'line-behind-login\n');
    // 401s before signing in are expected; nothing else went wrong.
    assert.deepEqual(problems.filter((p) => !/401/.test(p)), []);
  });
});
