// A console whose role requires credentials shows its sign-in form (not the browser's Basic popup), and after
// signing in shows the role's data; wrong credentials bring the form back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, type TestCluster, type RoleProcess } from '../helpers/processes.ts';
import { startMarathonRole, api } from '../helpers/marathon.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('console sign-in', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('console sign-in', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  const auth = { Authorization: `Basic ${Buffer.from('ops:s3cret-pass').toString('base64')}` };

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 115 });
    marathon = await startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'), ['--http-credentials', 'ops:s3cret-pass']);
    const created = await api(marathon.url, 'POST', '/v2/apps', { id: '/behind-login', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 0 }, auth);
    assert.equal(created.status, 201, created.text);
  });
  after(async () => {
    await browser.close();
    await marathon?.stop();
    await cluster?.stop();
  });

  test('the Marathon console asks for credentials, then shows the apps', async () => {
    const { page, problems, screenshot } = await browser.open(`${marathon.url}/`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.waitFor();
    await screenshot('login-form');
    await form.getByLabel('User').fill('ops');
    await form.getByLabel('Password').fill('wrong');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await form.waitFor(); // refused: the form is back
    await form.getByLabel('User').fill('ops');
    await form.getByLabel('Password').fill('s3cret-pass');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('/behind-login').first().waitFor();
    // The browser saw 401s (the refused calls) but no page errors; a Basic popup would have blocked the page.
    assert.deepEqual(problems.filter((p) => !/401/.test(p)), []);
  });
});
