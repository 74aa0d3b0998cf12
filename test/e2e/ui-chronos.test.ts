// The Chronos console in a real Chromium against real processes (master, agent, Chronos): a scheduled job and its
// child are created through the form (with the schedule preview), drawn in the dependency graph, run from the job
// page with the runs appearing live, disabled and deleted; a bad form shows the API's errors at the fields.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, getJob, postJob, chronosConsoleEnvironment } from '../helpers/chronos.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

const PARENT = 'nightly-report';
const CHILD = 'report-mailer';
/** The browser logs a 4xx answer as a console error; where a test provokes one on purpose, only that is allowed. */
const expected400 = (p: string) => /status of 400/.test(p);

describe('Chronos console', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('Chronos console', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  const env = chronosConsoleEnvironment(128, browser);

  test('a scheduled job is created through the form after previewing its next 5 runs', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/new`);
    await page.getByLabel('Name', { exact: true }).fill(PARENT);
    await page.getByLabel('Owner', { exact: true }).fill('ops@example.com');
    await page.getByLabel('Command', { exact: true }).fill('echo report');
    await page.getByLabel('Start', { exact: true }).fill('2030-01-01T09:00');
    await page.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await page.getByLabel('Every (number)').fill('6');
    await page.getByLabel('Period unit').selectOption('hours');
    await page.getByLabel('Memory (MB)', { exact: true }).fill('32');
    const preview = page.getByTestId('schedule-preview');
    // 15:00 is only in the final preview (every 6 hours), not in an earlier one (every day).
    await preview.locator('time[datetime="2030-01-01T15:00:00.000Z"]').waitFor();
    const runs = await preview.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    assert.deepEqual(runs, ['2030-01-01T09:00:00.000Z', '2030-01-01T15:00:00.000Z', '2030-01-01T21:00:00.000Z', '2030-01-02T03:00:00.000Z', '2030-01-02T09:00:00.000Z']);
    assert.equal(await page.getByTestId('schedule-expression').textContent(), 'R/2030-01-01T09:00:00Z/PT6H');
    await screenshot('chronos-job-form');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { name: PARENT, level: 1 }).waitFor();
    const job = await getJob(env.base, PARENT);
    assert.equal(job.schedule, 'R/2030-01-01T09:00:00.000Z/PT6H');
    assert.equal(job.owner, 'ops@example.com');
    assert.equal(job.mem, 32);
    await page.getByText('every 6 hours').waitFor();
    assert.deepEqual(problems, []);
  });

  test('a dependent job is created through the form by choosing its parent, and both show in the list', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/new`);
    await page.getByLabel('Name', { exact: true }).fill(CHILD);
    await page.getByLabel('Command', { exact: true }).fill('echo mail');
    await page.getByLabel('Memory (MB)', { exact: true }).fill('32');
    await page.getByRole('radio', { name: 'After other jobs' }).check();
    await page.getByLabel('Find parent jobs').fill('nightly');
    await page.getByRole('checkbox', { name: PARENT }).check();
    await page.getByRole('list', { name: 'Chosen parents' }).getByText(PARENT).waitFor();
    await screenshot('chronos-job-form-parents');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { name: CHILD, level: 1 }).waitFor();
    assert.deepEqual((await getJob(env.base, CHILD)).parents, [PARENT]);

    await page.getByRole('link', { name: 'Jobs', exact: true }).first().click();
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.getByRole('link', { name: CHILD }).waitFor();
    await table.getByRole('link', { name: PARENT }).waitFor();
    await page.getByTestId('job-count').filter({ hasText: '2 jobs' }).waitFor();
    await page.getByLabel('Search jobs').fill('mailer');
    await page.getByTestId('job-count').filter({ hasText: '1 of 2 jobs' }).waitFor();
    assert.equal(await table.getByRole('link', { name: PARENT }).count(), 0);
    await page.getByLabel('Search jobs').fill('');
    await screenshot('chronos-jobs');
    assert.deepEqual(problems, []);
  });

  test('the dependency graph draws both jobs and the edge, and a node opens its job', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/graph`);
    const svg = page.getByRole('img', { name: 'Job dependencies' });
    await svg.locator(`[data-node="${PARENT}"]`).waitFor();
    await svg.locator(`[data-node="${CHILD}"]`).waitFor();
    // An edge is a path (a straight one has no height, so it counts as attached rather than visible).
    const edge = svg.locator(`[data-edge="${PARENT}->${CHILD}"]`);
    await edge.waitFor({ state: 'attached' });
    assert.match(await edge.getAttribute('d') ?? '', /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    await screenshot('chronos-graph');
    await svg.locator(`[data-node="${CHILD}"]`).click();
    await page.getByRole('heading', { name: CHILD, level: 1 }).waitFor();
    assert.match(page.url(), /#\/jobs\/report-mailer$/);
    assert.deepEqual(problems, []);
  });

  test('run now: the parent run and then the child run appear in their histories without a reload', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/jobs/${PARENT}`);
    await page.getByRole('heading', { name: PARENT, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    const history = page.getByRole('table', { name: 'Run history' });
    await history.getByTestId('run').filter({ hasText: 'succeeded' }).first().waitFor({ timeout: 30_000 });
    const sandbox = await history.getByRole('link', { name: /^Sandbox of / }).first().getAttribute('href');
    assert.match(sandbox ?? '', new RegExp(`^http://${env.cluster.masterAddress.replace(/\./g, '\\.')}/#/frameworks/[^/]+/tasks/ct%3A`), `sandbox link ${sandbox}`);
    await screenshot('chronos-job');
    // The link opens the run's task page, with its sandbox, in the master console.
    const master = await browser.open(sandbox!);
    await master.page.getByRole('heading', { name: /^Task ct:/ }).waitFor();
    await master.page.getByRole('group', { name: 'Quick files' }).getByRole('button', { name: 'stdout' }).waitFor();
    assert.deepEqual(master.problems, []);
    await master.page.context().close();
    // The child ran after its parent: its page (reached in the app, no reload) lists a successful run.
    await page.getByRole('link', { name: CHILD }).first().click();
    await page.getByRole('heading', { name: CHILD, level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Run history' }).getByTestId('run').filter({ hasText: 'succeeded' }).first().waitFor({ timeout: 30_000 });
    await screenshot('chronos-job-child');
    assert.equal(await page.getByRole('status').filter({ hasText: 'Run queued.' }).count(), 0, 'the parent page notice is not carried over');
    // The picture colours both by their last result now.
    await page.getByRole('link', { name: 'Graph', exact: true }).first().click();
    const svg = page.getByRole('img', { name: 'Job dependencies' });
    await svg.locator(`[data-node="${PARENT}"].success`).waitFor();
    await svg.locator(`[data-node="${CHILD}"].success`).waitFor();
    await screenshot('chronos-graph-after-runs');
    assert.deepEqual(problems, []);
  });

  test('editing a job starts from its stored schedule and keeps its run counters', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/jobs/${PARENT}`);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: `Edit ${PARENT}` }).waitFor();
    assert.equal(await page.getByLabel('Every (number)').inputValue(), '6');
    assert.equal(await page.getByLabel('Period unit').inputValue(), 'hours');
    assert.equal(await page.getByLabel('Start', { exact: true }).inputValue(), '2030-01-01T09:00');
    assert.equal(await page.getByLabel('Owner', { exact: true }).inputValue(), 'ops@example.com');
    await page.getByLabel('Every (number)').fill('12');
    // The 5th run every 12 hours; every 6 hours it is not among the first five.
    await page.getByTestId('schedule-preview').locator('time[datetime="2030-01-03T09:00:00.000Z"]').waitFor();
    await screenshot('chronos-job-edit');
    await page.getByRole('button', { name: 'Save job' }).click();
    await page.getByText('every 12 hours').waitFor();
    const job = await getJob(env.base, PARENT);
    assert.equal(job.schedule, 'R/2030-01-01T09:00:00.000Z/PT12H');
    assert.ok(job.successCount >= 1, 'the run counted before the edit is kept');
    assert.deepEqual(problems, []);
  });

  test('disable, then delete with confirmation', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/jobs/${CHILD}`);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    await page.getByTestId('job-activity').filter({ hasText: 'disabled' }).waitFor();
    assert.equal((await getJob(env.base, CHILD)).disabled, true);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${CHILD}?` });
    await screenshot('chronos-delete-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await call(env.base, 'GET', `/v1/scheduler/job/${CHILD}`)).status, 200, 'cancel keeps the job');
    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete job' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByTestId('job-count').filter({ hasText: '1 jobs' }).waitFor();
    assert.equal((await call(env.base, 'GET', `/v1/scheduler/job/${CHILD}`)).status, 400);
    assert.deepEqual(problems, []);
  });

  test('a bad form shows the API errors next to the fields they name', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/new`);
    await page.getByLabel('Name', { exact: true }).fill('bad name!');
    await page.getByLabel('Memory (MB)', { exact: true }).fill('lots');
    await page.getByRole('button', { name: 'Create job' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await page.locator('#' + (await name.getAttribute('id'))!.replace(/:/g, '\\:') + '[aria-invalid="true"]').waitFor();
    assert.match(await page.getByRole('alert').filter({ hasText: /^name:/ }).textContent() ?? '', /letters, digits/);
    assert.equal(await page.getByLabel('Memory (MB)', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByRole('alert').filter({ hasText: 'The job was not saved' }).waitFor();
    await screenshot('chronos-job-form-errors');
    assert.equal((await call(env.base, 'GET', '/v1/scheduler/job/bad%20name!')).status, 400, 'nothing was created');
    assert.deepEqual(problems.filter((p) => !expected400(p)), []);
  });

  test('the list and a job page work at phone width', async () => {
    await postJob(env.base, { name: 'phone-check', command: 'true', schedule: 'R/2031-01-01T00:00:00Z/P1D', owner: 'mobile@example.com', cpus: 0.1, mem: 16 });
    const { page, problems, screenshot } = await browser.open(`${env.base}/`, { width: 390, height: 844 });
    await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: 'phone-check' }).waitFor();
    await screenshot('chronos-jobs-phone');
    await page.getByRole('link', { name: 'phone-check' }).click();
    await page.getByRole('heading', { name: 'phone-check', level: 1 }).waitFor();
    await screenshot('chronos-job-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    assert.deepEqual(problems, []);
  });
});
