// The master console in a real Chromium against a real master, two agents and a framework whose task prints to
// stdout: the overview, agent, framework and task pages show it; the task's sandbox lists its files and tails
// stdout live (a line printed later appears without reload); the task finishing updates the overview live.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, tempDir, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';
import { testBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('master console', async () => {
  const got = await testBrowser();
  if ('skip' in got) { test('master console', { skip: got.skip }, () => {}); return; }
  const browser: TestBrowser = got.browser;
  let cluster: TestCluster;
  let scheduler: RawScheduler;
  const control = tempDir('trireme-ui-master-');
  const taskId = 'printer-1';
  let agentId = '';
  let agentHost = '';
  let base = '';

  before(async () => {
    cluster = await startCluster({ agents: 2, agentIpBase: 120 });
    base = `http://${cluster.masterAddress}`;
    scheduler = new RawScheduler(cluster.masterAddress);
    await scheduler.subscribe({ user: 'root', name: 'ui-printer', principal: 'printer-principal', hostname: 'scheduler.example', webui_url: 'http://scheduler.example/ui', failover_timeout: 3600 });
    scheduler.autoAck();
    const [offer] = await scheduler.nextOffers();
    agentId = offer.agent_id.value;
    agentHost = offer.hostname;
    const ctl = control.path;
    // Prints one line now, one more when the test creates `go`, and exits when it creates `stop`.
    const cmd = `echo first-line-from-task; while [ ! -e ${ctl}/go ]; do sleep 0.2; done; echo second-line-after-go; while [ ! -e ${ctl}/stop ]; do sleep 0.2; done`;
    const res = await scheduler.call(launch([offer.id.value], [commandTask(taskId, agentId, cmd)]));
    assert.equal(res.status, 202, res.text);
    await scheduler.waitForUpdate(taskId, 'TASK_RUNNING');
  });
  after(async () => {
    await browser.close();
    writeFileSync(join(control.path, 'stop'), '');
    scheduler?.close();
    await cluster?.stop();
    control.remove();
  });

  test('the overview shows the agents, resources and the running task', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/`);
    await page.getByTestId('agent-count').filter({ hasText: '2' }).waitFor();
    await page.getByTestId('active-task-count').filter({ hasText: '1' }).waitFor();
    await page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: taskId }).waitFor();
    // Two agents of 2 cpus each; the task uses 0.1.
    await page.getByRole('img', { name: /^CPUs: 0\.1 used, .* free of 4$/ }).waitFor();
    await page.getByTestId('live').waitFor();
    await screenshot('master-overview');
    assert.deepEqual(problems, []);
  });

  test('the agents list and the agent page list the agent and its task', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/#/agents`);
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: agentHost }).waitFor();
    await screenshot('master-agents');
    await page.getByRole('table', { name: 'Agents' }).getByRole('link', { name: agentHost }).click();
    await page.getByRole('heading', { name: `Agent ${agentHost}` }).waitFor();
    await page.getByRole('table', { name: 'Tasks on this agent' }).getByRole('link', { name: taskId }).waitFor();
    await page.getByLabel('Agent details').getByText(agentId).waitFor();
    await screenshot('master-agent');
    assert.deepEqual(problems, []);
  });

  test('the framework page shows its info and tasks', async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/#/frameworks`);
    await page.getByRole('table', { name: 'Frameworks' }).getByRole('link', { name: 'ui-printer' }).click();
    await page.getByRole('heading', { name: 'Framework ui-printer' }).waitFor();
    const details = page.getByLabel('Framework details');
    await details.getByText('printer-principal').waitFor();
    await details.getByRole('link', { name: 'http://scheduler.example/ui' }).waitFor();
    await details.getByText('1h 0m').waitFor();
    await page.getByRole('table', { name: 'Tasks of this framework' }).getByRole('link', { name: taskId }).waitFor();
    await screenshot('master-framework');
    assert.deepEqual(problems, []);
  });

  test("open a task's stdout from the overview: sandbox files and a live tail", async () => {
    const { page, problems, screenshot } = await browser.open(`${base}/`);
    await page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: taskId }).click();
    await page.getByRole('heading', { name: `Task ${taskId}` }).waitFor();
    const files = page.getByRole('table', { name: 'Sandbox files' });
    await files.getByRole('button', { name: 'stdout', exact: true }).waitFor();
    await files.getByRole('button', { name: 'stderr', exact: true }).waitFor();
    const stdout = page.getByTestId('file-content');
    await stdout.filter({ hasText: 'first-line-from-task' }).waitFor();
    assert.doesNotMatch(await stdout.innerText(), /second-line-after-go/);
    writeFileSync(join(control.path, 'go'), '');
    await stdout.filter({ hasText: 'second-line-after-go' }).waitFor();
    await screenshot('master-task');
    // stderr is one click away and has the executor's own lines, not the task's stdout.
    await page.getByRole('group', { name: 'Quick files' }).getByRole('button', { name: 'stderr' }).click();
    await page.getByRole('heading', { name: 'stderr', level: 3 }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('a task that completes moves to completed on the overview without a reload', async () => {
    const { page, problems } = await browser.open(`${base}/`);
    await page.getByTestId('active-task-count').filter({ hasText: '1' }).waitFor();
    writeFileSync(join(control.path, 'stop'), '');
    await page.getByTestId('active-task-count').filter({ hasText: '0' }).waitFor();
    await page.getByTestId('completed-task-count').filter({ hasText: '1' }).waitFor();
    await page.getByRole('button', { name: /^Completed/ }).click();
    const row = page.getByRole('table', { name: 'Tasks' }).getByRole('row').filter({ hasText: taskId });
    await row.getByText('finished').waitFor();
    assert.deepEqual(problems, []);
  });

  test('a new agent appears live, and the console works at phone width', async () => {
    const phone = await browser.open(`${base}/`, { width: 390, height: 844 });
    await phone.page.getByTestId('agent-count').filter({ hasText: '2' }).waitFor();
    await cluster.startAgent(2);
    await phone.page.getByTestId('agent-count').filter({ hasText: '3' }).waitFor();
    await phone.screenshot('master-overview-phone');
    await phone.page.goto(`${base}/#/frameworks`);
    const fwLink = phone.page.getByRole('link', { name: 'ui-printer' });
    await fwLink.waitFor();
    const fwId = decodeURIComponent((await fwLink.getAttribute('href'))!.split('/').pop()!);
    await phone.page.goto(`${base}/#/frameworks/${encodeURIComponent(fwId)}/tasks/${taskId}`);
    await phone.page.getByTestId('file-content').filter({ hasText: 'second-line-after-go' }).waitFor();
    await phone.screenshot('master-task-phone');
    assert.deepEqual(phone.problems, []);
  });
});
