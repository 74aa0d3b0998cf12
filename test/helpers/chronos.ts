// Helpers for Chronos end-to-end tests: start `trireme chronos` as a real process and talk to its REST API.
import { after, before } from 'node:test';
import { join } from 'node:path';
import { startCluster, startRole, type RoleProcess, type TestCluster } from './processes.ts';

export function startChronosProcess(master: string, workDir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<RoleProcess> {
  return startRole(['chronos', '--master', master, '--http-address', '127.0.0.1', '--hostname', '127.0.0.1', '--http-port', '0',
    '--work-dir', workDir, '--failure-retry', '300', '--decline-offer-duration', '1000', '--failover-timeout', '60', ...extra], 'chronos listening', 30_000, env);
}

export function chronosDir(base: string): string { return join(base, 'chronos'); }

export interface Answer { status: number; text: string; json(): any }

export async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** POSTs a scheduled (or, with parents, dependent) job and insists on Chronos' 204. */
export async function postJob(url: string, job: Record<string, unknown>): Promise<void> {
  const path = job.parents ? '/v1/scheduler/dependency' : '/v1/scheduler/iso8601';
  const r = await call(url, 'POST', path, job);
  if (r.status !== 204) throw new Error(`POST ${path} ${job.name} → ${r.status}: ${r.text}`);
}

export async function getJob(url: string, name: string): Promise<any> {
  const r = await call(url, 'GET', `/v1/scheduler/job/${encodeURIComponent(name)}`);
  if (r.status !== 200) throw new Error(`GET job ${name} → ${r.status}: ${r.text}`);
  return r.json();
}

/** An ISO8601 instant `ms` from now, in UTC. */
export function isoIn(ms: number): string { return new Date(Date.now() + ms).toISOString(); }

/**
 * A one-agent cluster and a Chronos process for the Chronos console's browser tests, started before the suite's
 * tests and stopped (with the browser) after them. Read its fields inside tests, once `before` has run.
 */
export function chronosConsoleEnvironment(agentIpBase: number, browser: { close(): Promise<void> }): { base: string; cluster: TestCluster; chronos: RoleProcess } {
  const env = {} as { base: string; cluster: TestCluster; chronos: RoleProcess };
  before(async () => {
    env.cluster = await startCluster({ agents: 1, agentIpBase });
    env.chronos = await startChronosProcess(env.cluster.masterAddress, join(env.cluster.dir, 'chronos'));
    env.base = `http://127.0.0.1:${env.chronos.port}`;
  });
  after(async () => {
    await browser.close();
    await env.chronos?.stop();
    await env.cluster?.stop();
  });
  return env;
}
