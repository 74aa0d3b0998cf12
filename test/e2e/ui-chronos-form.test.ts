// The Chronos console's job form in a real Chromium against real processes (master, agent, Chronos): a job with
// files, arguments, a constraint, a run-as user, flags and a Docker container with a volume is created through the
// form and arrives in the API as typed; saving it unchanged changes nothing; an edit (a file removed, the
// constraint changed) changes exactly that; a bad constraint shows the server's message at the constraint and keeps
// both the job and what was typed; a file with a flag turns the files into `fetch` entries. Laptop and phone widths.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getJob, chronosConsoleEnvironment } from '../helpers/chronos.ts';
import { SCREENSHOTS, testBrowser, type TestBrowser } from '../helpers/browser.ts';

const JOB = 'fetch-and-report';
const FIRST_URI = 'https://downloads.example.com/report-tool.tar.gz';
const SECOND_URI = 'https://downloads.example.com/config.json';
/** The browser logs a 4xx answer as a console error; where a test provokes one on purpose, only that is allowed. */
const expected400 = (p: string) => /status of 400/.test(p);

describe('Chronos console job form', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('Chronos console job form', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  const env = chronosConsoleEnvironment(162, browser);

  const editPage = async (width = 1280) => {
    const opened = await browser.open(`${env.base}/#/jobs/${JOB}/edit`, { width, height: 900 });
    await opened.page.getByRole('heading', { name: `Edit ${JOB}` }).waitFor();
    return opened;
  };

  test('every field typed into the form arrives in the job', async () => {
    const { page, problems, screenshot } = await browser.open(`${env.base}/#/new`);
    await page.getByLabel('Name', { exact: true }).fill(JOB);
    await page.getByLabel('Command', { exact: true }).fill('/opt/report-tool/run');
    await page.getByRole('checkbox', { name: /Use a shell/ }).uncheck();
    await page.getByRole('button', { name: 'Add argument' }).click();
    await page.getByLabel('Argument 1', { exact: true }).fill('--format');
    await page.getByRole('button', { name: 'Add argument' }).click();
    await page.getByLabel('Argument 2', { exact: true }).fill('csv; not a second command');
    await page.getByLabel('Start', { exact: true }).fill('2030-01-01T09:00');
    await page.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await page.getByLabel('Memory (MB)', { exact: true }).fill('32');
    await page.getByLabel('Run as user', { exact: true }).fill('nobody');
    await page.getByRole('checkbox', { name: /Soft error/ }).check();
    await page.getByRole('checkbox', { name: /High priority/ }).check();
    await page.getByRole('button', { name: 'Add URI' }).click();
    assert.equal(await page.getByLabel('URI 1', { exact: true }).evaluate((el) => el === document.activeElement), true, 'a new row takes the focus');
    await page.getByLabel('URI 1', { exact: true }).fill(FIRST_URI);
    await page.getByRole('button', { name: 'Add URI' }).click();
    await page.getByLabel('URI 2', { exact: true }).fill(SECOND_URI);
    await page.getByRole('button', { name: 'Add constraint' }).click();
    await page.getByLabel('Constraint 1 attribute').fill('rack');
    await page.getByLabel('Constraint 1 operator').selectOption('EQUALS');
    await page.getByLabel('Constraint 1 value').fill('r1');
    // The container's options appear once an image is named.
    assert.equal(await page.getByLabel('Network', { exact: true }).count(), 0);
    await page.getByLabel('Container image', { exact: true }).fill('busybox:1.36');
    await page.getByLabel('Network', { exact: true }).selectOption('BRIDGE');
    await page.getByLabel('Force pull image').check();
    await page.getByRole('button', { name: 'Add volume' }).click();
    await page.getByLabel('Volume 1 container path').fill('/data');
    await page.getByLabel('Volume 1 host path').fill('/srv/reports');
    await page.getByLabel('Volume 1 mode').selectOption('RO');
    await screenshot('chronos-job-form-full');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { name: JOB, level: 1 }).waitFor();
    // The job page lists what was set.
    await page.getByText('rack EQUALS r1').waitFor();
    await page.getByText(SECOND_URI).waitFor();
    await page.getByText('bridge network · always pulled · /srv/reports:/data:RO').waitFor();
    await screenshot('chronos-job-full');

    const job = await getJob(env.base, JOB);
    assert.deepEqual({
      command: job.command, shell: job.shell, arguments: job.arguments, uris: job.uris, fetch: job.fetch, constraints: job.constraints,
      runAsUser: job.runAsUser, softError: job.softError, highPriority: job.highPriority, dataProcessingJobType: job.dataProcessingJobType, container: job.container,
    }, {
      command: '/opt/report-tool/run', shell: false, arguments: ['--format', 'csv; not a second command'], uris: [FIRST_URI, SECOND_URI], fetch: [],
      constraints: [['rack', 'EQUALS', 'r1']], runAsUser: 'nobody', softError: true, highPriority: true, dataProcessingJobType: false,
      container: { type: 'DOCKER', image: 'busybox:1.36', network: 'BRIDGE', forcePullImage: true, volumes: [{ containerPath: '/data', hostPath: '/srv/reports', mode: 'RO' }] },
    });
    assert.deepEqual(problems, []);
  });

  test('saving the loaded job unchanged leaves it exactly as it was', async () => {
    const before = await getJob(env.base, JOB);
    const { page, problems } = await editPage();
    assert.equal(await page.getByLabel('URI 2', { exact: true }).inputValue(), SECOND_URI);
    assert.equal(await page.getByLabel('Argument 2', { exact: true }).inputValue(), 'csv; not a second command');
    assert.equal(await page.getByLabel('Constraint 1 operator').inputValue(), 'EQUALS');
    assert.equal(await page.getByLabel('Volume 1 mode').inputValue(), 'RO');
    assert.equal(await page.getByLabel('Network', { exact: true }).inputValue(), 'BRIDGE');
    assert.equal(await page.getByLabel('Run as user', { exact: true }).inputValue(), 'nobody');
    await page.getByRole('button', { name: 'Save job' }).click();
    await page.getByRole('heading', { name: JOB, level: 1 }).waitFor();
    assert.deepEqual(await getJob(env.base, JOB), before);
    assert.deepEqual(problems, []);
  });

  test('an edit that removes a file and changes the constraint changes exactly that', async () => {
    const before = await getJob(env.base, JOB);
    const { page, problems, screenshot } = await editPage();
    await page.getByRole('button', { name: 'Remove URI 1' }).click();
    assert.equal(await page.getByLabel('URI 1', { exact: true }).inputValue(), SECOND_URI);
    assert.equal(await page.getByRole('button', { name: 'Remove URI 1' }).evaluate((el) => el === document.activeElement), true, 'the focus stays in the list');
    await page.getByLabel('Constraint 1 operator').selectOption('LIKE');
    await page.getByLabel('Constraint 1 value').fill('r[12]');
    await screenshot('chronos-job-form-edit-full');
    await page.getByRole('button', { name: 'Save job' }).click();
    await page.getByRole('heading', { name: JOB, level: 1 }).waitFor();
    assert.deepEqual(await getJob(env.base, JOB), { ...before, uris: [SECOND_URI], constraints: [['rack', 'LIKE', 'r[12]']] });
    assert.deepEqual(problems, []);
  });

  test("a bad constraint shows the server's message at the constraint; the job and what was typed are kept", async () => {
    const before = await getJob(env.base, JOB);
    const { page, problems, screenshot } = await editPage();
    await page.getByLabel('Description', { exact: true }).fill('weekly numbers');
    await page.getByLabel('Constraint 1 value').fill('r[12');
    await page.getByRole('button', { name: 'Save job' }).click();
    const message = page.getByRole('group', { name: 'Constraints' }).getByRole('alert');
    await message.waitFor();
    assert.equal(await message.textContent(), `constraint ["rack", "LIKE", "r[12"]: 'r[12' is not a valid regular expression`);
    assert.equal(await page.getByLabel('Constraint 1 value').getAttribute('aria-invalid'), 'true');
    await page.getByRole('alert').filter({ hasText: 'The job was not saved' }).waitFor();
    await screenshot('chronos-job-form-constraint-error');
    assert.deepEqual(await getJob(env.base, JOB), before, 'the job is unchanged');
    assert.equal(await page.getByLabel('Description', { exact: true }).inputValue(), 'weekly numbers', 'nothing typed is lost');
    // Fixed in place, it saves with the rest of the edit.
    await page.getByLabel('Constraint 1 value').fill('r[12]x');
    await page.getByRole('button', { name: 'Save job' }).click();
    await page.getByRole('heading', { name: JOB, level: 1 }).waitFor();
    assert.deepEqual(await getJob(env.base, JOB), { ...before, description: 'weekly numbers', constraints: [['rack', 'LIKE', 'r[12]x']] });
    assert.deepEqual(problems.filter((p) => !expected400(p)), []);
  });

  test('a flag on a file saves the files as fetch entries with their flags', async () => {
    const before = await getJob(env.base, JOB);
    const { page, problems } = await editPage();
    await page.getByLabel('URI 1 executable').check();
    await page.getByLabel('URI 1 file name').fill('config.json');
    await page.getByRole('button', { name: 'Save job' }).click();
    await page.getByText('(as config.json, executable)').waitFor();
    assert.deepEqual(await getJob(env.base, JOB), { ...before, uris: [], fetch: [{ uri: SECOND_URI, output_file: 'config.json', executable: true, extract: true, cache: false }] });
    assert.deepEqual(problems, []);
  });

  test('the form fits a phone', async () => {
    const { page, problems, screenshot } = await editPage(390);
    await page.getByLabel('Volume 1 host path').waitFor();
    await screenshot('chronos-job-form-full-phone');
    // The row editors up close (the full page is too tall to read at a glance).
    await page.getByRole('group', { name: 'Files fetched into the sandbox' }).evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: join(SCREENSHOTS, 'chronos-job-form-rows-phone.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the form is ${overflow}px wider than the phone`);
    assert.deepEqual(problems, []);
  });
});
