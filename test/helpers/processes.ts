// Starts real `trireme` processes for end-to-end tests and cleans them up afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'trireme.js');

export interface RoleProcess {
  proc: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
/** Temp dirs not removed yet: a run that ends early (interrupted, or a hook that never ran) removes them on exit. */
const tempDirs = new Set<string>();

/** What is left when the test process ends: roles killed, their tasks killed, their directories removed. */
function cleanUpLeftovers(): void {
  for (const p of running) p.kill('SIGKILL');
  for (const dir of tempDirs) {
    killSandboxProcesses(dir);
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }); } catch { /* best effort at exit */ }
  }
}
process.on('exit', cleanUpLeftovers);
// An interrupted run (Ctrl-C, `timeout`, the runner stopping) would otherwise die without 'exit' handlers and leave
// roles, tasks and directories behind. The clean-up is synchronous: the runner may kill this process soon after.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

export function tempDir(prefix = 'trireme-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(path);
  return {
    path,
    remove: () => {
      // Retries: a process that is still exiting may add or hold a file for a moment (ENOTEMPTY, EBUSY).
      rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      tempDirs.delete(path);
    },
  };
}

/** Runs `trireme <args>` to completion (for commands expected to fail fast). */
export function runCli(args: string[], timeoutMs = 20_000, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TRIREME_LOG_PRETTY: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    let stdout = ''; let stderr = '';
    proc.stdout.on('data', (c) => { stdout += c; });
    proc.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`trireme ${args.join(' ')} did not exit in ${timeoutMs} ms\n${stdout}\n${stderr}`)); }, timeoutMs);
    proc.on('exit', (code) => { running.delete(proc); clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
}

/** Spawns `trireme <args>` and resolves once its JSON log says it listens (`msg` matches). */
export function startRole(args: string[], readyMsg: string, timeoutMs = 30_000, env: Record<string, string> = {}): Promise<RoleProcess> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TRIREME_LOG_PRETTY: '0', TRIREME_LOG_LEVEL: process.env.TRIREME_LOG_LEVEL ?? 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    running.add(proc);
    let out = '';
    let buffered = '';
    let done = false;
    const timer = setTimeout(() => { if (!done) { done = true; proc.kill('SIGKILL'); reject(new Error(`${args[0]} not ready in ${timeoutMs} ms:\n${out}`)); } }, timeoutMs);
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => { running.delete(proc); r(code); }));
    const handle = (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (done || !line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === readyMsg && entry.url) {
            done = true;
            clearTimeout(timer);
            const url = entry.url;
            resolvePromise({
              proc, url, port: Number(new URL(url).port), output: () => out,
              async stop(signal = 'SIGTERM') {
                if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
                proc.kill(signal);
                const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
                const code = await exited;
                clearTimeout(t);
                return code;
              },
            });
          }
        } catch { /* not a log line */ }
      }
    };
    proc.stdout!.on('data', handle);
    proc.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    proc.on('exit', (code) => { if (!done) { done = true; clearTimeout(timer); reject(new Error(`${args[0]} exited with ${code} before it was ready:\n${out}`)); } });
  });
}

export interface TestCluster {
  master: RoleProcess;
  agents: RoleProcess[];
  dir: string;
  /** host:port of the master */
  masterAddress: string;
  startAgent(index: number, extraArgs?: string[]): Promise<RoleProcess>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  agents?: number;
  masterArgs?: string[];
  agentArgs?: string[] | ((index: number) => string[]);
  /** Agent i listens on 127.0.<base>.<i+2>; tests running in parallel use distinct bases. */
  agentIpBase?: number;
}

/** A master and N agents as real processes on loopback, each agent on its own 127.x address. */
export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = tempDir();
  const base = opts.agentIpBase ?? 0;
  const master = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work-dir', join(dir.path, 'master'), '--allocation-interval', '200ms', ...(opts.masterArgs ?? [])], 'master listening');
  const masterAddress = `127.0.0.1:${master.port}`;
  const agents: RoleProcess[] = [];
  const startAgentAt = async (i: number, extra: string[] = []) => {
    const ip = `127.0.${base}.${i + 2}`;
    const args = typeof opts.agentArgs === 'function' ? opts.agentArgs(i) : opts.agentArgs ?? [];
    const agent = await startRole(['agent', '--master', masterAddress, '--ip', ip, '--hostname', ip, '--port', '0', '--work-dir', join(dir.path, `agent-${i}`),
      '--resources', 'cpus:2;mem:1024;disk:5000;ports:[31000-32000]', '--status-update-retry-interval', '500ms', '--registration-backoff-factor', '100ms', ...args, ...extra], 'agent listening');
    agents[i] = agent;
    return agent;
  };
  try {
    for (let i = 0; i < (opts.agents ?? 2); i++) await startAgentAt(i);
  } catch (err) {
    for (const a of agents) await a?.stop('SIGKILL');
    await master.stop('SIGKILL');
    dir.remove();
    throw err;
  }
  const cluster: TestCluster = {
    master, agents, dir: dir.path, masterAddress, startAgent: startAgentAt,
    async stop() {
      await Promise.all(agents.map((a) => a?.stop()));
      // A test may have replaced the master (restart): stop whichever runs now.
      await cluster.master.stop();
      if (cluster.master !== master) await master.stop();
      dir.remove();
    },
  };
  return cluster;
}

export async function getJson<T = any>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until `check` returns a truthy value (or throws after the timeout with the last error). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) { lastError = err; }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Pids of the processes working under `dir` (tasks run in their sandboxes), optionally only those named `comm`. */
export function processesUnder(dir: string, comm?: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readlinkSync(`/proc/${p}/cwd`).startsWith(dir) && (!comm || readFileSync(`/proc/${p}/comm`, 'utf8').trim() === comm); } catch { return false; }
  }).map(Number).sort((a, b) => a - b);
}

/** Kills task process groups whose working directory is under `dir` (left behind by an agent killed with SIGKILL). */
export function killSandboxProcesses(dir: string): void {
  // The cgroups those tasks ran in: an agent killed with SIGKILL never removes them (a later agent would, after a minute).
  const cgroups = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) continue;
      for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
        // v1 "4:memory:/trireme/<container id>"; only container cgroups (a UUID last), never the test's own.
        const m = /^\d+:([\w,]+):(\/.+\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(line);
        if (m) cgroups.add(`/sys/fs/cgroup/${m[1]}${m[2]}`);
      }
      process.kill(-Number(pid), 'SIGKILL');
    } catch { /* gone or not ours */ }
  }
  for (const cgroup of cgroups) {
    // Killed processes take a moment to leave the cgroup.
    for (let attempt = 0; attempt < 100; attempt++) {
      try { rmdirSync(cgroup); break; } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }
}

/**
 * The single line a failing command printed on stderr (Node's deprecation noise aside); asserts there is exactly one.
 * `ignoreBlank`: blank lines in between do not count.
 */
export function oneLine(stderr: string, opts: { ignoreBlank?: boolean } = {}): string {
  const lines = stderr.trim().split('\n').filter((l) => (!opts.ignoreBlank || l) && !l.includes('Deprecation') && !l.includes('--trace-warnings'));
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  return lines[0]!;
}
