// The Marathon console in a real Chromium against a real cluster (master, 3 agents, Marathon): create the seed's
// app through the form and see its 3 instances with host:port, scale to 5, suspend, destroy with confirmation;
// a bad form shows the API's errors next to the fields; apps that cannot be placed explain why they wait; the
// deployments page shows a running deployment and cancels it; the list works at phone width.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

/** Chrome logs every non-2xx fetch as a console error; a test that submits bad input on purpose expects those. */
const withoutExpected = (problems: string[], statuses: number[]) =>
  problems.filter((p) => !statuses.some((s) => p.includes(`status of ${s}`)));

describe('Marathon console', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('Marathon console', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;

  before(async () => {
    cluster = await startCluster({ agents: 3, agentIpBase: 124 });
    marathon = await startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'));
    base = `http://127.0.0.1:${marathon.port}`;
  });
  after(async () => {
    await browser.close();
    await marathon?.stop();
    await cluster?.stop();
  });

  test('create the seed app through the form, scale it, suspend it and destroy it', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/#/create`);
    await page.getByLabel('ID').fill('/seed/web');
    await page.getByLabel('Instances').fill('3');
    await page.getByLabel('CPUs').fill('0.1');
    await page.getByLabel('Memory (MB)').fill('32');
    await page.getByLabel('Command').fill('while true; do sleep 1; done # listens on $PORT');
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.getByRole('group', { name: 'Labels 1' }).getByLabel('Key').fill('tier');
    await page.getByRole('group', { name: 'Labels 1' }).getByLabel('Value').fill('web');
    await screenshot('marathon-create-form');
    await page.getByRole('button', { name: 'Create application' }).click();

    // The app page: 3 running instances, each with a host:port link on one of the agents.
    await page.getByRole('heading', { name: '/seed/web' }).waitFor();
    await page.getByTestId('instances').filter({ hasText: '3 / 3' }).waitFor({ timeout: 20_000 });
    const endpoints = page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: /^127\.0\.124\.\d+:\d+$/ });
    await eventually(async () => (await endpoints.count()) === 3, 20_000);
    const hosts = new Set((await endpoints.allTextContents()).map((e) => e.split(':')[0]));
    assert.equal(hosts.size, 3, 'spread over the 3 agents');
    const sandbox = await page.getByRole('link', { name: /^Sandbox of / }).first().getAttribute('href');
    assert.match(sandbox ?? '', new RegExp(`^http://${cluster.masterAddress.replace(/\./g, '\\.')}/#/agents/[^/]+/frameworks/[^/]+/executors/seed_web\\.`));
    await screenshot('marathon-app');
    // The link opens that task's page in the master console (its Mesos-UI executor address redirects there).
    const master = await browser.open(sandbox!);
    await master.page.getByRole('heading', { name: /^Task seed_web\./ }).waitFor();
    await master.page.getByRole('group', { name: 'Quick files' }).getByRole('button', { name: 'stdout' }).waitFor();
    assert.deepEqual(master.problems, []);
    await master.page.context().close();

    // Scale to 5 through the dialog.
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    const scale = page.getByRole('dialog', { name: 'Scale /seed/web' });
    await scale.getByLabel('Instances').fill('5');
    await scale.getByRole('button', { name: 'Scale to 5' }).click();
    await page.getByTestId('instances').filter({ hasText: '5 / 5' }).waitFor({ timeout: 20_000 });
    await eventually(async () => (await endpoints.count()) === 5, 20_000);

    // Kill & scale one task: 4 wanted, 4 running, the killed one gone.
    const victim = (await page.getByRole('link', { name: /^Sandbox of / }).first().getAttribute('aria-label'))!.replace('Sandbox of ', '');
    await page.getByRole('row').filter({ hasText: victim }).getByRole('button', { name: 'Kill & scale' }).click();
    await page.getByRole('dialog', { name: `Kill ${victim} and scale down?` }).getByRole('button', { name: 'Kill and scale' }).click();
    await page.getByTestId('instances').filter({ hasText: '4 / 4' }).waitFor({ timeout: 20_000 });
    await page.getByRole('row').filter({ hasText: victim }).waitFor({ state: 'detached', timeout: 20_000 });

    // The list shows it running with 4 of 4, and finds it by id and by label.
    const list = await browser.open(`${base}/#/?q=seed&label=tier%3D%3Dweb`);
    const row = list.page.getByRole('row').filter({ has: list.page.getByRole('link', { name: '/seed/web' }) });
    await row.filter({ hasText: '4 / 4' }).filter({ hasText: 'running' }).waitFor();
    await list.screenshot('marathon-apps');
    assert.deepEqual(list.problems, []);
    await list.page.context().close();

    // Suspend: scaled to 0, all tasks gone.
    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('dialog', { name: 'Suspend /seed/web?' }).getByRole('button', { name: 'Suspend' }).click();
    await page.getByTestId('instances').filter({ hasText: '0 / 0' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-status="suspended"]').first().waitFor({ timeout: 20_000 });

    // Destroy asks first; cancelling keeps the app, confirming removes it from the list.
    await page.getByRole('button', { name: 'Destroy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Destroy /seed/web?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await api(base, 'GET', '/v2/apps/seed/web')).status, 200);
    await page.getByRole('button', { name: 'Destroy' }).click();
    await confirm.getByRole('button', { name: 'Destroy' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await eventually(async () => (await api(base, 'GET', '/v2/apps/seed/web')).status === 404, 20_000);
    await page.getByRole('link', { name: '/seed/web' }).waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a bad form shows the API errors next to the fields; JSON mode keeps the values', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/#/create`);
    await page.getByLabel('ID').fill('/Bad_ID');
    await page.getByLabel('CPUs').fill('-1');
    await page.getByLabel('Command').fill('sleep 100');
    // Switching to JSON and back keeps what was typed.
    await page.getByRole('button', { name: 'JSON' }).click();
    const json = JSON.parse(await page.getByLabel('App definition (JSON)').inputValue());
    assert.equal(json.id, '/Bad_ID');
    assert.equal(json.cpus, -1);
    await page.getByRole('button', { name: 'Form' }).click();
    assert.equal(await page.getByLabel('CPUs').inputValue(), '-1');

    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByTestId('form-error').waitFor();
    // Each field is marked invalid and described by its own error text.
    const errorOf = async (label: string) => {
      const input = page.getByLabel(label, { exact: true });
      assert.equal(await input.getAttribute('aria-invalid'), 'true', label);
      return page.locator(`[id="${await input.getAttribute('aria-describedby')}"]`).innerText();
    };
    assert.match(await errorOf('CPUs'), /cpus must be greater than or equal to 0/);
    assert.match(await errorOf('ID'), /not a valid app id/);
    assert.equal(await page.getByLabel('Memory (MB)').getAttribute('aria-invalid'), null);
    await screenshot('marathon-form-errors');
    assert.deepEqual(withoutExpected(problems, [422]), []);
    await page.context().close();
  });

  test('apps that cannot be placed explain why they wait; deployments cancel; edit (forced), versions and roll back', async () => {
    const big = await api(base, 'POST', '/v2/apps', { id: '/seed/big', cmd: 'sleep 600', cpus: 0.1, mem: 4096, instances: 2 });
    assert.equal(big.status, 201, big.text);
    const pinned = await api(base, 'POST', '/v2/apps', { id: '/seed/pinned', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 1, constraints: [['hostname', 'CLUSTER', 'nowhere.example']] });
    assert.equal(pinned.status, 201, pinned.text);

    const { page, problems, screenshot } = await browser.open(`${base}/#/apps/seed/big`);
    const panel = page.getByTestId('waiting-panel');
    await panel.getByText(/^\d+ of \d+ recent offers? lacked enough memory \(asked 4096 MB, largest offer \d+ MB\)\.$/).waitFor({ timeout: 20_000 });
    await panel.getByText('2 instances waiting to launch').waitFor();
    await screenshot('marathon-waiting-memory');

    await page.goto(`${base}/#/apps/seed/pinned`);
    await panel.getByText(/did not meet the placement constraints: constraint \[hostname, CLUSTER, nowhere\.example\] not met \(127\.0\.124\.\d/).waitFor({ timeout: 20_000 });
    await screenshot('marathon-waiting-constraint');

    // Both show as waiting in the list.
    await page.goto(`${base}/#/?status=waiting`);
    await page.getByRole('link', { name: '/seed/big' }).waitFor();
    await page.getByRole('link', { name: '/seed/pinned' }).waitFor();

    // The deployments page shows the deployments stuck on them (start done, scale in progress); force-cancelling
    // one removes it live.
    await page.getByRole('link', { name: /^Deployments/ }).click();
    const card = page.getByRole('article').filter({ has: page.getByRole('link', { name: '/seed/big' }) });
    await card.getByText('Step 2 of 2').waitFor();
    await screenshot('marathon-deployments');
    await card.getByRole('button', { name: 'Force cancel' }).click();
    await page.getByRole('dialog', { name: 'Stop this deployment where it is?' }).getByRole('button', { name: 'Force cancel' }).click();
    await card.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal((await api(base, 'GET', '/v2/deployments')).body.filter((d: any) => d.affectedApps.includes('/seed/big')).length, 0);

    // Edit /seed/pinned to drop its constraint: its deployment holds it, so the console offers to force the change;
    // then it runs. Its versions list both configurations, and rolling back brings the constraint back.
    await page.goto(`${base}/#/edit/seed/pinned`);
    await page.getByRole('group', { name: 'Constraints 1' }).waitFor();
    await screenshot('marathon-edit-form');
    await page.getByRole('button', { name: 'Remove constraints 1' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('form-error').getByText(/locked by one or more deployments/).waitFor();
    await page.getByRole('button', { name: /^Force the change/ }).click();
    await page.getByRole('heading', { name: '/seed/pinned' }).waitFor();
    await page.getByTestId('instances').filter({ hasText: '1 / 1' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('waiting-panel').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('list', { name: 'Versions' }).getByRole('listitem');
    await eventually(async () => (await versions.count()) >= 2, 10_000);
    await versions.last().getByRole('button').first().click();
    await page.getByText('"nowhere.example"').waitFor();
    await screenshot('marathon-versions');
    await page.getByRole('button', { name: 'Roll back to this version' }).click();
    await page.getByRole('dialog', { name: /^Roll back \/seed\/pinned/ }).getByRole('button', { name: 'Roll back' }).click();
    await eventually(async () => (await api(base, 'GET', '/v2/apps/seed/pinned')).body.app.constraints.length === 1, 20_000);
    await page.getByTestId('waiting-panel').waitFor({ timeout: 20_000 });
    assert.deepEqual(withoutExpected(problems, [409]), []);
    await page.context().close();
  });

  test('the apps list at phone width', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/`, { width: 390, height: 844 });
    // The root lists the group /seed; a search lists the matching apps inside it by their full ids.
    await page.getByRole('link', { name: '/seed', exact: true }).waitFor();
    await page.getByRole('searchbox', { name: 'Search applications by id' }).fill('pinned');
    await page.getByRole('link', { name: '/seed/pinned' }).waitFor();
    await page.getByRole('link', { name: '/seed/big' }).waitFor({ state: 'detached' });
    await screenshot('marathon-apps-phone');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
