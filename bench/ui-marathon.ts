// `npm run bench:ui-marathon`: the Marathon console with 10,000 apps in a real Chromium. A real master and
// Marathon (no agents: every app has 0 instances), apps created through POST /v2/groups in groups of 500.
// Measures: GET /v2/apps (time, size), page load → first row rendered, and filtering (typing a search, a label
// filter, clearing) → the filtered list rendered, each median of 5. Size: BENCH_UI_APPS (10,000);
// BENCH_UI_TIMINGS=1 prints each page load's resource timings (when the bundle and each API call started and ended).
import os from 'node:os';
import { join } from 'node:path';
import { startRole, tempDir, type RoleProcess } from '../test/helpers/processes.ts';
import { api, startMarathonRole } from '../test/helpers/marathon.ts';
import { testBrowser } from '../test/helpers/browser.ts';

const APPS = Number(process.env.BENCH_UI_APPS ?? 10_000);
const GROUP_SIZE = 500;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x);

async function createApps(base: string): Promise<void> {
  for (let g = 0; g * GROUP_SIZE < APPS; g++) {
    const apps = [];
    for (let i = g * GROUP_SIZE; i < Math.min(APPS, (g + 1) * GROUP_SIZE); i++) {
      apps.push({ id: `app-${i}`, cmd: 'sleep 3600', cpus: 0.01, mem: 8, instances: 0, labels: { group: `g${g}`, parity: i % 2 ? 'odd' : 'even' } });
    }
    const res = await api(base, 'POST', '/v2/groups', { id: `/bench/g${g}`, apps });
    if (res.status !== 201) throw new Error(`POST /v2/groups → ${res.status}: ${res.text}`);
  }
  for (;;) {
    const deployments = (await api(base, 'GET', '/v2/deployments')).body as unknown[];
    if (deployments.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const got = await testBrowser();
  if ('skip' in got) throw new Error(got.skip);
  const dir = tempDir('trireme-bench-ui-');
  const procs: RoleProcess[] = [];
  const rows: Array<[string, string]> = [];
  try {
    const master = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work-dir', join(dir.path, 'm'), '--registry', 'in_memory'], 'master listening');
    procs.push(master);
    const marathon = await startMarathonRole(`127.0.0.1:${master.port}`, dir.path);
    procs.push(marathon);
    const base = `http://127.0.0.1:${marathon.port}`;
    const created = Date.now();
    await createApps(base);
    console.error(`created ${APPS} apps in ${Date.now() - created} ms`);

    const listTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/v2/apps`);
      bytes = (await res.arrayBuffer()).byteLength;
      listTimes.push(performance.now() - t);
    }
    rows.push([`GET /v2/apps, ${APPS} apps (${(bytes / 1024 / 1024).toFixed(1)} MB)`, `${round(median(listTimes))} ms`]);

    const firstRender: number[] = [];
    const search: number[] = [];
    const label: number[] = [];
    const clear: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { page, problems } = await got.browser.open('about:blank');
      await page.goto(`${base}/`);
      // The root shows the group /bench (its totals computed over every app below it).
      await page.getByRole('link', { name: '/bench', exact: true }).waitFor({ timeout: 60_000 });
      // Navigation start → first row on screen, read in the page's own clock.
      firstRender.push(await page.evaluate(() => performance.now()));
      if (process.env.BENCH_UI_TIMINGS) {
        console.error(await page.evaluate(`JSON.stringify({ nav: performance.getEntriesByType('navigation').map((e) => ({ dcl: Math.round(e.domContentLoadedEventEnd), load: Math.round(e.loadEventEnd) })),
          res: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(/^https?:[/][/][^/]+/, ''), start: Math.round(e.startTime), end: Math.round(e.responseEnd) })) })`));
      }
      // Types into a filter and waits (per animation frame) until the list says how many match.
      // Plain source text: tsx would wrap inner functions with a helper the page does not have.
      const filterTime = (inputLabel: string, value: string, expect: string) => page.evaluate<number>(`(async () => {
        const input = document.querySelector('input[aria-label=${JSON.stringify(inputLabel)}]');
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const count = document.querySelector('[data-testid="app-count"]');
        const t0 = performance.now();
        setter.call(input, ${JSON.stringify(value)});
        input.dispatchEvent(new Event('input', { bubbles: true }));
        while (count.textContent !== ${JSON.stringify(expect)}) await new Promise((r) => requestAnimationFrame(r));
        await new Promise((r) => requestAnimationFrame(r)); // the frame that shows the filtered rows
        return performance.now() - t0;
      })()`);
      const last = APPS - 1;
      search.push(await filterTime('Search applications by id', `app-${last}`, `1 of ${APPS} apps`));
      clear.push(await filterTime('Search applications by id', '', `${APPS} apps · 1 group`));
      label.push(await filterTime('Filter by label', 'parity==odd', `${Math.floor(APPS / 2)} of ${APPS} apps`));
      if (problems.length > 0) throw new Error(`page problems: ${problems.join('; ')}`);
      await page.context().close();
    }
    rows.push([`Page load → first rows rendered (${APPS} apps)`, `${round(median(firstRender))} ms`]);
    rows.push([`Search by id → 1 of ${APPS} rendered`, `${round(median(search))} ms`]);
    rows.push([`Label filter parity==odd → ${Math.floor(APPS / 2)} rendered`, `${round(median(label))} ms`]);
    rows.push([`Clear the search → all ${APPS} rendered`, `${round(median(clear))} ms`]);
    await got.browser.close();
  } finally {
    for (const p of procs.reverse()) await p.stop();
    dir.remove();
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`(load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')})\n`);
  console.log(`## Marathon console, ${APPS} apps — \`npm run bench:ui-marathon\` (\`bench/ui-marathon.ts\`) — ${new Date().toISOString().slice(0, 10)} — ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  console.log('| measurement (median of 5) | result | target | met |');
  console.log('|---|---|---|---|');
  for (const [name, value] of rows) {
    const target = /first rows|→ 1 of|rendered/.test(name) && !name.startsWith('GET') ? '< 1 s' : '';
    const met = target ? (Number(value.split(' ')[0]) < 1000 ? 'yes' : 'no') : '';
    console.log(`| ${name} | ${value} | ${target} | ${met} |`);
  }
}

await main();
