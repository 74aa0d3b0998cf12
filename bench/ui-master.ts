// `npm run bench:ui`: the master console in headless Chromium against a real master holding 10,000 simulated
// agents and 10,000 running tasks: time to the first full render, to a search over the tasks and to the agents
// list and a search over it. Measurements, never assertions.
import os from 'node:os';
import { join } from 'node:path';
import { Resources } from '../src/common/resources.ts';
import { SchedulerClient } from '../src/scheduler-client/client.ts';
import type { TaskInfo } from '../src/proto/mesos.ts';
import { startRole, tempDir } from '../test/helpers/processes.ts';
import { testBrowser } from '../test/helpers/browser.ts';
import { simulateAgents } from './sim-agents.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 10_000);
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);

interface Result { name: string; value: number; unit: string }
const results: Result[] = [];

async function main(): Promise<void> {
  const dir = tempDir('trireme-bench-ui-');
  const master = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work-dir', join(dir.path, 'm'), '--registry', 'in_memory', '--agent-ping-timeout', '60secs'], 'master listening', 60_000);
  let launched = 0;
  let allLaunched!: () => void;
  const placed = new Promise<void>((r) => { allLaunched = r; });
  const agents = await simulateAgents(master.port, AGENTS, () => { if (++launched === TASKS) allLaunched(); }, 50);
  const client = new SchedulerClient({ master: `127.0.0.1:${master.port}`, frameworkInfo: { user: 'bench', name: 'bench-ui' } });
  const taskRes = Resources.scalars({ cpus: 0.1, mem: 32 });
  let next = 0;
  client.on('offers', (offers) => {
    for (const o of offers) {
      if (next >= TASKS) { void client.decline([o.id.value], { refuse_seconds: 3600 }).catch(() => undefined); continue; }
      const id = `t-${next++}`;
      const task: TaskInfo = { name: id, task_id: { value: id }, agent_id: o.agent_id, resources: taskRes.toJSON() as never, command: { value: 'true' } };
      void client.launch([o.id.value], [task], { refuse_seconds: 3600 }).catch((err) => console.error(err.message));
    }
  });
  client.start();
  await placed;
  await agents.reportRunning();
  console.log(`cluster ready: ${AGENTS} agents, ${TASKS} running tasks`);
  const got = await testBrowser();
  if ('skip' in got) throw new Error(got.skip);
  const { browser } = got;

  const { page } = await browser.open(`${master.url}/`);
  const since = async (t0: number, what: () => Promise<unknown>): Promise<number> => { await what(); return Math.round(performance.now() - t0); };
  let t0 = performance.now();
  await page.reload();
  results.push({ name: `overview: load → ${TASKS} active tasks shown`, value: await since(t0, () => page.getByTestId('active-task-count').filter({ hasText: String(TASKS) }).waitFor({ timeout: 120_000 })), unit: 'ms' });
  const search = page.getByRole('searchbox', { name: 'Search tasks' });
  t0 = performance.now();
  await search.fill(`t-${TASKS - 1}`);
  results.push({ name: `overview: search over ${TASKS} tasks → 1 shown`, value: await since(t0, () => page.getByText('1 shown', { exact: true }).waitFor()), unit: 'ms' });
  t0 = performance.now();
  await search.fill('');
  results.push({ name: `overview: clear the search → ${TASKS} shown`, value: await since(t0, () => page.getByText(`${TASKS} shown`, { exact: true }).waitFor()), unit: 'ms' });
  t0 = performance.now();
  await page.getByRole('link', { name: 'Agents', exact: true }).click();
  results.push({ name: `agents page: ${AGENTS} agents listed`, value: await since(t0, () => page.getByText(`${AGENTS} of ${AGENTS}`).waitFor()), unit: 'ms' });
  const agentSearch = page.getByRole('searchbox', { name: 'Search agents' });
  t0 = performance.now();
  await agentSearch.fill(`sim-${AGENTS - 1}.local`);
  results.push({ name: `agents page: search over ${AGENTS} agents`, value: await since(t0, () => page.getByText(`1 of ${AGENTS}`).waitFor()), unit: 'ms' });
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await page.getByTestId('active-task-count').filter({ hasText: String(TASKS) }).waitFor();
  const metrics = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  if (metrics) results.push({ name: 'page JS heap with the model loaded', value: Math.round(metrics / 1e6), unit: 'MB' });

  await browser.close();
  await client.stop();
  agents.close();
  await master.stop('SIGKILL');
  dir.remove();
  console.log(`\nMaster console at scale — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg()[0]!.toFixed(1)}`);
  console.table(results);
  console.log(JSON.stringify(results));
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
