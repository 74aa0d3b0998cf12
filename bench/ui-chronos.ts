// `npm run bench:ui-chronos`: the Chronos console with 10,000 jobs in a real Chromium. Jobs are POSTed to a real
// Chronos (no master: far-future or disabled schedules, a tenth dependent on others), then the jobs list's first
// render (navigation → the list painted with its rows, from the console's User Timing marks) and filter times (input event → the filtered count shown) are
// measured inside the page. Not a test: numbers go to BENCHMARKS.md.
import os from 'node:os';
import { join } from 'node:path';
import { startRole, tempDir } from '../test/helpers/processes.ts';
import { testBrowser } from '../test/helpers/browser.ts';

const JOBS = Number(process.env.BENCH_UI_CHRONOS_JOBS ?? 10_000);
const REPEATS = Number(process.env.BENCH_UI_CHRONOS_REPEATS ?? 5);
const OWNERS = 25;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function post(url: string, path: string, body: object): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 204) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
}

// Runs in the page (as source text: tsx would otherwise wrap named functions in a helper the page lacks). Changes
// the search box or a filter select as typing would, and resolves when the count shows `expect`.
const IN_PAGE_MEASURE = `async function ([action, arg, expect]) {
  const count = document.querySelector('[data-testid="job-count"]');
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => { if (count.textContent === expect) { obs.disconnect(); resolve(performance.now()); } });
    obs.observe(count, { childList: true, characterData: true, subtree: true });
  });
  const start = performance.now();
  const el = document.querySelector(action === 'search' ? 'input[type="search"]' : 'select[aria-label="' + action + '"]');
  const proto = el instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLSelectElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arg);
  el.dispatchEvent(new Event(action === 'search' ? 'input' : 'change', { bubbles: true }));
  return (await done) - start;
}`;

async function main(): Promise<void> {
  const got = await testBrowser();
  if ('skip' in got) throw new Error(got.skip);
  const { browser } = got;
  const dir = tempDir('trireme-bench-ui-chronos-');
  // No master: jobs are stored, listed and streamed, never launched.
  const chronos = await startRole(['chronos', '--master', '127.0.59.1:9', '--http-address', '127.0.0.1', '--hostname', '127.0.0.1', '--http-port', '0',
    '--work-dir', join(dir.path, 'chronos'), '--failover-timeout', '0'], 'chronos listening');
  const rows: Array<[string, string]> = [];
  try {
    const t = performance.now();
    const scheduled = Math.floor(JOBS * 0.9);
    const queue = Array.from({ length: scheduled }, (_, i) => i);
    const job = (i: number) => ({ name: `job-${String(i).padStart(5, '0')}`, command: `echo ${i}`, owner: `team-${i % OWNERS}@example.com`, cpus: 0.1, mem: 16, description: `bench job ${i}` });
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await post(chronos.url, '/v1/scheduler/iso8601', { ...job(i), schedule: `R/2030-01-01T00:00:00Z/PT${1 + (i % 24)}H`, disabled: i % 10 === 0 });
      }
    }));
    for (let i = scheduled; i < JOBS; i++) await post(chronos.url, '/v1/scheduler/dependency', { ...job(i), parents: [job(i - scheduled).name] });
    rows.push([`POST ${JOBS} jobs (8 clients)`, `${((performance.now() - t) / 1000).toFixed(1)} s`]);

    const summary = await fetch(`${chronos.url}/v1/scheduler/jobs/summary`);
    const bytes = (await summary.arrayBuffer()).byteLength;

    const renders: number[] = [];
    const afterData: number[] = [];
    const loads: number[] = [];
    const fetches: number[] = [];
    const filters: Record<string, number[]> = { 'search "job-0999" (substring of name)': [], 'search "team-7@" (owner text)': [], 'status = Disabled': [], 'owner = team-3@example.com': [], 'clear the search (back to all 10,000)': [] };
    for (let r = 0; r < REPEATS; r++) {
      const { page, problems } = await browser.open(`${chronos.url}/`);
      await page.getByTestId('job-count').filter({ hasText: `${JOBS} jobs` }).waitFor({ timeout: 60_000 });
      await page.getByRole('row').nth(1).waitFor();
      // Navigation start → the list showing its rows and count (measured when the count first reads N jobs).
      // The console's User Timing marks (no Playwright round trips in the numbers): summary parsed, list painted.
      const [shown, parsed, domReady] = await page.evaluate(`[performance.getEntriesByName('chronos:jobs-listed')[0]?.startTime ?? NaN, performance.getEntriesByName('chronos:summary-loaded')[0]?.startTime ?? NaN, performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN]`) as [number, number, number];
      renders.push(shown);
      afterData.push(shown - parsed);
      loads.push(domReady);
      fetches.push(parsed - domReady);
      const measure = (action: string, arg: string, expect: string): Promise<number> => page.evaluate(`(${IN_PAGE_MEASURE})(${JSON.stringify([action, arg, expect])})`);
      const perOwner = JOBS / OWNERS;
      filters['search "job-0999" (substring of name)']!.push(await measure('search', 'job-0999', `10 of ${JOBS} jobs`));
      filters['search "team-7@" (owner text)']!.push(await measure('search', 'team-7@', `${perOwner} of ${JOBS} jobs`));
      filters['clear the search (back to all 10,000)']!.push(await measure('search', '', `${JOBS} jobs`));
      filters['status = Disabled']!.push(await measure('Status', 'disabled', `${scheduled / 10} of ${JOBS} jobs`));
      await measure('Status', '', `${JOBS} jobs`);
      filters['owner = team-3@example.com']!.push(await measure('Owner', 'team-3@example.com', `${perOwner} of ${JOBS} jobs`));
      if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
      await page.context().close();
    }
    rows.push([`jobs list first render: navigation → ${JOBS} jobs listed (median of ${REPEATS}; summary ${(bytes / 2 ** 20).toFixed(1)} MiB)`, `${median(renders).toFixed(0)} ms (max ${Math.max(...renders).toFixed(0)})`]);
    rows.push([`… of which: page and scripts loaded (DOMContentLoaded)`, `${median(loads).toFixed(0)} ms`]);
    rows.push([`… of which: then the summary fetched and parsed (${JOBS} jobs)`, `${median(fetches).toFixed(0)} ms`]);
    rows.push([`… of which: summary parsed → list painted`, `${median(afterData).toFixed(0)} ms (max ${Math.max(...afterData).toFixed(0)})`]);
    for (const [name, xs] of Object.entries(filters)) rows.push([`filter: ${name} (median of ${REPEATS})`, `${median(xs).toFixed(0)} ms (max ${Math.max(...xs).toFixed(0)})`]);

    const cpu = os.cpus();
    console.log(`Chronos console, ${JOBS} jobs — ${new Date().toISOString().slice(0, 10)} — ${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Chromium ${browser.browser.version()}, load average ${os.loadavg()[0]!.toFixed(1)}`);
    console.log('| measurement | result | target | met |\n|---|---|---|---|');
    for (const [name, value] of rows) {
      const ms = /^(\d+) ms/.exec(value);
      const target = name.startsWith('POST') || name.startsWith('…') ? '' : '< 1 s';
      console.log(`| ${name} | ${value} | ${target} | ${target && ms ? (Number(ms[1]) < 1000 ? 'yes' : 'no') : ''} |`);
    }
  } finally {
    await browser.close();
    await chronos.stop();
    dir.remove();
  }
}

await main();
