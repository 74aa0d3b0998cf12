// Marathon's readiness checks: an app's new tasks are probed over HTTP(S) on a named port until the answer's status
// is one of `httpStatusCodesForReady`; until then a deployment does not count them (it neither finishes nor kills
// old tasks for them). A task that was ready once stays ready, as in Marathon, and its checks stop.
import http from 'node:http';
import https from 'node:https';
import type { AppDefinition } from './app-definition.ts';

export type ReadinessCheck = AppDefinition['readinessChecks'][number];

export interface HttpAnswer { status: number; contentType: string; body: string }
export interface ReadinessCheckResult {
  name: string;
  taskId: string;
  ready: boolean;
  /** The last answer (status and content type; the body too with preserveLastResponse); null before any. */
  lastResponse: HttpAnswer | null;
}

export type ReadinessProbe = (t: { protocol: 'HTTP' | 'HTTPS'; host: string; port: number; path: string; timeoutMs: number }) => Promise<HttpAnswer>;

export interface ReadinessTarget { taskId: string; host: string; ports: number[]; checks: ReadinessCheck[]; portNames: Array<string | undefined> }

/** The host port a check probes: the task port whose definition (or container mapping) carries `portName`. */
export function readinessPort(check: ReadinessCheck, portNames: ReadonlyArray<string | undefined>, hostPorts: readonly number[]): number | undefined {
  const index = portNames.indexOf(check.portName);
  const port = index < 0 ? undefined : hostPorts[index];
  return port === undefined || port === 0 ? undefined : port;
}

/** Port names in the order of a task's host ports. */
export function portNamesOf(app: AppDefinition): Array<string | undefined> {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings;
  return mappings && mappings.length > 0 ? mappings.map((m) => m.name) : app.portDefinitions.map((p) => p.name);
}

const MAX_BODY = 64 * 1024;

/** GET with a timeout; certificates are not verified (as Marathon's health and readiness probes). Rejects on error. */
export const httpReadinessProbe: ReadinessProbe = (t) => new Promise((resolve, reject) => {
  const lib = t.protocol === 'HTTPS' ? https : http;
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  const req = lib.request({ host: t.host, port: t.port, path, method: 'GET', agent: false, timeout: t.timeoutMs, ...(t.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}) }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { if (body.length < MAX_BODY) body += c; });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: body.slice(0, MAX_BODY) }));
    res.on('error', reject);
  });
  req.on('timeout', () => req.destroy(new Error(`no answer within ${t.timeoutMs} ms`)));
  req.on('error', reject);
  req.end();
});

interface Run { check: ReadinessCheck; ready: boolean; last: HttpAnswer | null; timer?: NodeJS.Timeout }
interface Entry { target: ReadinessTarget; runs: Run[] }

export interface ReadinessMonitorOptions {
  probe?: ReadinessProbe;
  /** Every check of the task passed (once per task). */
  onReady(taskId: string): void;
  /** Any answer was recorded (results changed). */
  onResult?(taskId: string): void;
}

export class ReadinessMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly probe: ReadinessProbe;

  constructor(private readonly opts: ReadinessMonitorOptions) {
    this.probe = opts.probe ?? httpReadinessProbe;
  }

  isTracked(taskId: string): boolean { return this.entries.has(taskId); }

  /** Starts checking a running task now, then every intervalSeconds, until all its checks pass. */
  track(target: ReadinessTarget): void {
    if (this.entries.has(target.taskId) || target.checks.length === 0) return;
    const entry: Entry = { target, runs: target.checks.map((check) => ({ check, ready: false, last: null })) };
    this.entries.set(target.taskId, entry);
    entry.runs.forEach((run) => this.schedule(entry, run, 0));
  }

  untrack(taskId: string): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    for (const run of entry.runs) clearTimeout(run.timer);
    this.entries.delete(taskId);
  }

  /** True once every check of the task has passed; false while any has not (or the task is not tracked). */
  isReady(taskId: string): boolean {
    const entry = this.entries.get(taskId);
    return entry !== undefined && entry.runs.every((r) => r.ready);
  }

  results(taskId: string): ReadinessCheckResult[] {
    const entry = this.entries.get(taskId);
    if (!entry) return [];
    return entry.runs.map((r) => ({
      name: r.check.name, taskId, ready: r.ready,
      lastResponse: r.last && (r.check.preserveLastResponse ? r.last : { ...r.last, body: '' }),
    }));
  }

  stop(): void {
    for (const id of [...this.entries.keys()]) this.untrack(id);
  }

  private schedule(entry: Entry, run: Run, delayMs: number): void {
    run.timer = setTimeout(() => { void this.check(entry, run); }, delayMs);
    run.timer.unref();
  }

  private async check(entry: Entry, run: Run): Promise<void> {
    const { target } = entry;
    const port = readinessPort(run.check, target.portNames, target.ports);
    let answer: HttpAnswer | null = null;
    if (port !== undefined) {
      try {
        answer = await this.probe({ protocol: run.check.protocol, host: target.host, port, path: run.check.path, timeoutMs: run.check.timeoutSeconds * 1000 });
      } catch {
        answer = null; // not answering (yet) is simply not ready
      }
    }
    if (this.entries.get(target.taskId) !== entry) return; // untracked meanwhile
    if (answer) run.last = answer;
    const wasReady = this.isReady(target.taskId);
    if (answer && run.check.httpStatusCodesForReady.includes(answer.status)) run.ready = true;
    else this.schedule(entry, run, run.check.intervalSeconds * 1000);
    this.opts.onResult?.(target.taskId);
    if (!wasReady && this.isReady(target.taskId)) this.opts.onReady(target.taskId);
  }
}
