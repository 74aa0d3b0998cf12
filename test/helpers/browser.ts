// Real Chromium for the console tests: Debian's package (scripts/chromium.sh installs it), driven by playwright-core.
// Each page records console errors and failed requests so tests can assert a clean page, and screenshots go to
// test-artifacts/screenshots/ for people to look at after a run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from './processes.ts';

export const SCREENSHOTS = join(REPO, 'test-artifacts', 'screenshots');

const EXECUTABLE = process.env.TRIREME_CHROMIUM ?? '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; the rest keep it from reaching for Google's hosts on a closed network.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface ConsolePage {
  page: Page;
  /** console.error messages, uncaught page errors and failed requests seen so far. */
  problems: string[];
  /** Saves a full-page PNG as test-artifacts/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
}

export interface TestBrowser {
  browser: Browser;
  open(url: string, opts?: { width?: number; height?: number }): Promise<ConsolePage>;
  close(): Promise<void>;
}

/**
 * A headless Chromium for one test file. Outside CI a machine without Chromium gives `skip` (a reason for
 * node:test); under CI=true that is an error, so the suite fails instead of skipping.
 */
export async function testBrowser(): Promise<{ browser: TestBrowser } | { skip: string }> {
  if (!existsSync(EXECUTABLE)) {
    const reason = `Chromium is not installed at ${EXECUTABLE} (run scripts/chromium.sh)`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: the browser is required)`);
    return { skip: reason };
  }
  const browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser: {
      browser,
      async open(url, opts = {}) {
        const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 } });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('requestfailed', (r) => {
          // Streams the page closes itself (navigation, unmount) are not failures.
          if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
        });
        await page.goto(url);
        return {
          page, problems,
          screenshot: async (name) => { await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }); },
        };
      },
      close: () => browser.close(),
    },
  };
}
