// The Marathon console's folder view in a real Chromium against a real cluster (master, 1 agent, Marathon):
// apps /web/frontend, /web/backend/api, /batch/worker, /solo and an empty group /empty created through
// /v2/groups. The root lists the groups (with totals) and the top-level app; a group opens with a breadcrumb
// back; a deep link survives a reload; an unknown group says so; group rows follow changes live; scaling and
// deleting a group through the console reach the API. Screenshots at 1280 and 390 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

const APPS = ['/web/frontend', '/web/backend/api', '/batch/worker', '/solo'];

describe('Marathon console: groups', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('Marathon console: groups', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 163 });
    marathon = await startMarathonRole(cluster.masterAddress, join(cluster.dir, 'marathon'));
    base = marathon.url;
    for (const id of APPS) {
      const res = await api(base, 'POST', '/v2/apps', { id, cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 1 });
      assert.equal(res.status, 201, res.text);
    }
    const empty = await api(base, 'POST', '/v2/groups', { id: '/empty' });
    assert.equal(empty.status, 201, empty.text);
    await eventually(async () => (await api(base, 'GET', '/v2/deployments')).body.length === 0, 30_000);
  });
  after(async () => {
    await browser.close();
    await marathon?.stop();
    await cluster?.stop();
  });

  test('the root lists groups and top-level apps; groups open, the breadcrumb goes back, deep links reload', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/`);
    const table = page.getByRole('table', { name: 'Applications' });
    const rowOf = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    // Groups first with their app counts and totals, then the top-level app; the empty group shows too.
    await rowOf('/web').filter({ hasText: '2 apps' }).filter({ hasText: '2 / 2' }).waitFor({ timeout: 20_000 });
    await rowOf('/batch').filter({ hasText: '1 app' }).filter({ hasText: '1 / 1' }).waitFor();
    await rowOf('/empty').filter({ hasText: '0 apps' }).filter({ hasText: 'empty' }).waitFor();
    await rowOf('/solo').filter({ hasText: 'running' }).waitFor();
    assert.deepEqual(await table.getByRole('link').allTextContents(), ['/batch', '/empty', '/web', '/solo']);
    assert.equal(await rowOf('/web').getByRole('cell').nth(4).textContent(), '0.2', 'CPUs of the whole group');
    await page.getByTestId('app-count').filter({ hasText: '4 apps · 3 groups' }).waitFor();
    await screenshot('marathon-groups-root');

    // Into /web: its group backend, then its own app frontend; nothing of /batch.
    await page.getByRole('link', { name: '/web', exact: true }).click();
    await page.getByRole('heading', { name: '/web', exact: true }).waitFor();
    assert.match(page.url(), /#\/group\/web$/);
    const web = page.getByRole('table', { name: 'Applications in /web' });
    await web.getByRole('row').nth(2).filter({ hasText: '/web/frontend' }).waitFor();
    assert.deepEqual(await web.getByRole('link').allTextContents(), ['/web/backend', '/web/frontend']);
    await page.getByTestId('group-instances').filter({ hasText: '2 / 2' }).waitFor();
    await screenshot('marathon-groups-web');

    // Live: an app created elsewhere shows up in its group's row and count without a reload.
    assert.equal((await api(base, 'POST', '/v2/apps', { id: '/web/backend/cache', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 1 })).status, 201);
    await web.getByRole('row').filter({ hasText: '/web/backend' }).filter({ hasText: '2 apps' }).filter({ hasText: '2 / 2' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('group-instances').filter({ hasText: '3 / 3' }).waitFor();

    // The breadcrumb goes back to the root.
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    await crumbs.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await rowOf('/web').filter({ hasText: '3 apps' }).waitFor();

    // A deep link to a nested group works after a reload; its breadcrumb names each group above.
    await page.goto(`${base}/#/group/web/backend`);
    await page.reload();
    await page.getByRole('heading', { name: '/web/backend', exact: true }).waitFor();
    await page.getByRole('link', { name: '/web/backend/api', exact: true }).waitFor();
    assert.deepEqual(await crumbs.getByRole('listitem').allTextContents(), ['Applications', 'web', 'backend']);

    // An app's breadcrumb leads to its group.
    await page.getByRole('link', { name: '/web/backend/api', exact: true }).click();
    await page.getByRole('heading', { name: '/web/backend/api' }).waitFor();
    await crumbs.getByRole('link', { name: 'backend' }).click();
    await page.getByRole('heading', { name: '/web/backend', exact: true }).waitFor();
    await crumbs.getByRole('link', { name: 'web' }).click();
    await page.getByRole('heading', { name: '/web', exact: true }).waitFor();

    // A search lists matching apps below the group flat, with their full ids.
    await page.getByRole('searchbox', { name: 'Search applications by id' }).fill('api');
    await page.getByRole('link', { name: '/web/backend/api', exact: true }).waitFor();
    await page.getByRole('link', { name: '/web/frontend', exact: true }).waitFor({ state: 'detached' });
    await page.getByTestId('app-count').filter({ hasText: '1 of 3 apps' }).waitFor();

    // An unknown group says so and links back.
    await page.goto(`${base}/#/group/nope/deeper`);
    await page.getByText('There is no such group (any more).').waitFor();
    await page.getByRole('link', { name: 'Back to the applications' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('scale a group and delete groups through the console', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/#/group/web/backend`);
    await page.getByRole('heading', { name: '/web/backend', exact: true }).waitFor();
    await page.getByTestId('group-instances').filter({ hasText: '2 / 2' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Scale group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Scale /web/backend' });
    await dialog.getByLabel('Scale by (factor)').fill('2');
    await dialog.getByText('2 apps: 2 → 4 instances wanted').waitFor();
    await screenshot('marathon-groups-scale');
    await dialog.getByRole('button', { name: 'Scale by 2' }).click();
    await page.getByTestId('group-instances').filter({ hasText: '4 / 4' }).waitFor({ timeout: 30_000 });
    for (const id of ['/web/backend/api', '/web/backend/cache']) assert.equal((await api(base, 'GET', `/v2/apps${id}`)).body.app.instances, 2, id);
    assert.equal((await api(base, 'GET', '/v2/apps/web/frontend')).body.app.instances, 1, 'apps outside the group keep their count');

    // Deleting /batch (its only app goes with it) lands on the root, where its row disappears.
    await page.goto(`${base}/#/group/batch`);
    await page.getByRole('heading', { name: '/batch', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete group' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete /batch?' });
    await confirm.getByText('its 1 app and subgroups').waitFor();
    await confirm.getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByRole('link', { name: '/batch', exact: true }).waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal((await api(base, 'GET', '/v2/groups/batch')).status, 404);
    await eventually(async () => (await api(base, 'GET', '/v2/apps/batch/worker')).status === 404, 20_000);

    // The empty group too (no app event announces it: the group list is fetched again).
    await page.getByRole('link', { name: '/empty', exact: true }).click();
    await page.getByRole('heading', { name: '/empty', exact: true }).waitFor();
    await page.getByText('This group is empty.').waitFor();
    await page.getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('dialog', { name: 'Delete /empty?' }).getByRole('button', { name: 'Delete group' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByRole('link', { name: '/empty', exact: true }).waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal((await api(base, 'GET', '/v2/groups/empty')).status, 404);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('the folder view at phone width', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/`, { width: 390, height: 844 });
    await page.getByRole('link', { name: '/web', exact: true }).waitFor();
    await screenshot('marathon-groups-root-phone');
    await page.getByRole('link', { name: '/web', exact: true }).click();
    await page.getByRole('link', { name: '/web/frontend', exact: true }).waitFor();
    await screenshot('marathon-groups-web-phone');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
