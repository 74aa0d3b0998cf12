// Runs a task's TaskInfo.health_check on the agent, as Mesos' command executor does with its health checker
// (src/checks/health_checker.cpp): after delay_seconds, one check every interval_seconds, each bounded by
// timeout_seconds. The verdict logic is the pure `healthCheckStep`; this module's class only does the timing and
// runs the checks (a shell command in the sandbox, an HTTP GET, a TCP connect).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import net from 'node:net';
import { z } from 'zod';
import type { CommandInfo } from '../proto/mesos.ts';
import type { ExecCheck } from './containerizer/containerizer.ts';
import { commandInfoSchema } from '../proto/mesos.ts';

/** Mesos' defaults for HealthCheck fields (mesos.proto). */
export const MESOS_HEALTH_DEFAULTS = { delay_seconds: 15, interval_seconds: 10, timeout_seconds: 20, consecutive_failures: 3, grace_period_seconds: 10 } as const;

const seconds = z.number().nonnegative('must be non-negative');
const healthCheckSchema = z.looseObject({
  type: z.enum(['UNKNOWN', 'COMMAND', 'HTTP', 'TCP']).optional(),
  delay_seconds: seconds.optional(),
  interval_seconds: seconds.optional(),
  timeout_seconds: seconds.optional(),
  consecutive_failures: z.number().int().nonnegative().optional(),
  grace_period_seconds: seconds.optional(),
  command: commandInfoSchema.optional(),
  http: z.looseObject({ scheme: z.string().optional(), port: z.number().int().min(0).max(65535), path: z.string().optional() }).optional(),
  tcp: z.looseObject({ port: z.number().int().min(0).max(65535) }).optional(),
});

export interface HealthCheckConfig {
  type: 'COMMAND' | 'HTTP' | 'TCP';
  delayMs: number;
  intervalMs: number;
  /** undefined = no timeout (timeout_seconds 0). */
  timeoutMs?: number;
  consecutiveFailures: number;
  gracePeriodMs: number;
  command?: CommandInfo;
  http?: { scheme: string; port: number; path: string };
  tcp?: { port: number };
}

/** Validates TaskInfo.health_check as Mesos does (validation::healthCheck) and applies its defaults. */
export function parseHealthCheck(raw: unknown): { ok: true; config: HealthCheckConfig } | { ok: false; error: string } {
  const parsed = healthCheckSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'health_check'}: ${i.message}`).join('; ') };
  const hc = parsed.data;
  // Before Mesos 1.2 a command alone meant a command check.
  const type = hc.type === undefined || hc.type === 'UNKNOWN' ? (hc.command ? 'COMMAND' : undefined) : hc.type;
  if (!type) return { ok: false, error: "HealthCheck must specify 'type'" };
  if (type === 'COMMAND' && !hc.command) return { ok: false, error: "Expecting 'command' to be set for COMMAND health check" };
  if (type === 'COMMAND' && (hc.command!.shell ?? true) && !hc.command!.value) return { ok: false, error: 'Command health check must contain a shell command' };
  if (type === 'HTTP' && !hc.http) return { ok: false, error: "Expecting 'http' to be set for HTTP health check" };
  if (type === 'TCP' && !hc.tcp) return { ok: false, error: "Expecting 'tcp' to be set for TCP health check" };
  if (hc.http?.scheme !== undefined && hc.http.scheme !== 'http' && hc.http.scheme !== 'https') return { ok: false, error: `Unsupported HTTP health check scheme: '${hc.http.scheme}'` };
  if (hc.http?.path !== undefined && !hc.http.path.startsWith('/')) return { ok: false, error: `The path '${hc.http.path}' of HTTP health check must start with '/'` };
  const d = MESOS_HEALTH_DEFAULTS;
  const timeout = hc.timeout_seconds ?? d.timeout_seconds;
  return {
    ok: true,
    config: {
      type,
      delayMs: (hc.delay_seconds ?? d.delay_seconds) * 1000,
      intervalMs: (hc.interval_seconds ?? d.interval_seconds) * 1000,
      ...(timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
      consecutiveFailures: hc.consecutive_failures ?? d.consecutive_failures,
      gracePeriodMs: (hc.grace_period_seconds ?? d.grace_period_seconds) * 1000,
      ...(type === 'COMMAND' ? { command: hc.command as CommandInfo } : {}),
      ...(type === 'HTTP' ? { http: { scheme: hc.http!.scheme ?? 'http', port: hc.http!.port, path: hc.http!.path ?? '' } } : {}),
      ...(type === 'TCP' ? { tcp: { port: hc.tcp!.port } } : {}),
    },
  };
}

export interface CheckerState {
  /** No success yet: failures within the grace period are ignored. */
  initializing: boolean;
  consecutiveFailures: number;
}

export const INITIAL_CHECKER_STATE: CheckerState = Object.freeze({ initializing: true, consecutiveFailures: 0 });

/** What the executor is told after a check (Mesos' TaskHealthStatus). */
export interface HealthVerdict { healthy: boolean; consecutiveFailures: number; killTask: boolean }

/**
 * One check's outcome folded into the checker's state, as Mesos' HealthCheckerProcess::success/failure: the first
 * success and the first success after failures report healthy; a failure inside the grace period before any
 * success is ignored; every other failure reports unhealthy and asks for the kill once `consecutiveFailures` is
 * reached (Mesos compares with `>=`, so 0 kills on the first counted failure).
 */
export function healthCheckStep(state: CheckerState, passed: boolean, sinceStartMs: number, config: Pick<HealthCheckConfig, 'gracePeriodMs' | 'consecutiveFailures'>): { state: CheckerState; verdict?: HealthVerdict } {
  if (passed) {
    const verdict = state.initializing || state.consecutiveFailures > 0 ? { healthy: true, consecutiveFailures: 0, killTask: false } : undefined;
    return { state: { initializing: false, consecutiveFailures: 0 }, ...(verdict ? { verdict } : {}) };
  }
  if (state.initializing && config.gracePeriodMs > 0 && sinceStartMs <= config.gracePeriodMs) return { state };
  const failures = state.consecutiveFailures + 1;
  return {
    state: { initializing: state.initializing, consecutiveFailures: failures },
    verdict: { healthy: false, consecutiveFailures: failures, killTask: failures >= config.consecutiveFailures },
  };
}

export interface CheckTarget {
  /** Address HTTP and TCP checks connect to: the agent's own IP (tasks share its network), or a container's. */
  host: string;
  /** Maps a check's port to the one to connect to at `host` (a container's mapped host port → its container port). */
  port?: (checkPort: number) => number;
  /** Set when HTTP/TCP checks cannot reach the task at all (a container without network): each such check fails saying so. */
  unreachable?: string;
  /** Makes the check's socket in the task's network namespace (then `host` is 127.0.0.1 there); default: the agent's. */
  socket?: () => net.Socket;
  /** Runs COMMAND checks inside the task's container (docker exec) instead of a shell on the agent. */
  exec?: ExecCheck;
  /** argv prefix for COMMAND checks on the agent (setpriv … for a task run as another user). */
  commandPrefix?: string[];
  /** COMMAND checks run here, with this environment (the task's), writing their output to the sandbox's stderr. */
  sandbox: string;
  env: Record<string, string>;
}

/** Runs one check; resolves with a failure message, or undefined when it passed. */
export function runCheck(config: HealthCheckConfig, target: CheckTarget): Promise<string | undefined> {
  if (config.type === 'COMMAND') return runCommandCheck(config, target);
  if (config.type === 'HTTP') return runHttpCheck(config, target);
  return runTcpCheck(config, target);
}

function withTimeout(config: HealthCheckConfig, what: string, start: (finish: (failure: string | undefined) => void) => () => void): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (failure: string | undefined) => { if (done) return; done = true; if (timer) clearTimeout(timer); resolve(failure); };
    const abort = start(finish);
    if (config.timeoutMs !== undefined && !done) {
      timer = setTimeout(() => { abort(); finish(`${what} has not returned after ${config.timeoutMs! / 1000}secs; aborting`); }, config.timeoutMs);
    }
  });
}

function runCommandCheck(config: HealthCheckConfig, target: CheckTarget): Promise<string | undefined> {
  const cmd = config.command!;
  if (target.exec) {
    return withTimeout(config, 'Command', (finish) => {
      const run = target.exec!(cmd, join(target.sandbox, 'stderr'));
      void run.done.then((r) => finish('error' in r ? r.error : r.exitCode === 0 ? undefined : `Command returned exited with status ${r.exitCode ?? -1}`));
      return run.abort;
    }).then((failure) => (failure === undefined ? undefined : `COMMAND health check failed: ${failure}`));
  }
  const env = { ...target.env };
  for (const v of cmd.environment?.variables ?? []) if (v.value !== undefined) env[v.name] = v.value;
  return withTimeout(config, 'Command', (finish) => {
    let err: number | undefined;
    try { err = openSync(join(target.sandbox, 'stderr'), 'a'); } catch { /* sandbox gone: output is dropped */ }
    const shell = cmd.shell ?? true;
    const argv = [...(target.commandPrefix ?? []), ...(shell ? ['/bin/sh', '-c', cmd.value!] : [cmd.value!, ...(cmd.arguments ?? []).slice(1)])];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: target.sandbox, env, detached: true, stdio: ['ignore', err ?? 'ignore', err ?? 'ignore'] });
    if (err !== undefined) closeSync(err);
    child.once('error', (e) => finish(`Failed to create subprocess: ${e.message}`));
    child.once('exit', (code, signal) => finish(code === 0 ? undefined : `Command returned ${signal ? `terminated with signal ${signal}` : `exited with status ${code}`}`));
    return () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } };
  }).then((failure) => (failure === undefined ? undefined : `COMMAND health check failed: ${failure}`));
}

function runHttpCheck(config: HealthCheckConfig, target: CheckTarget): Promise<string | undefined> {
  const { scheme, path } = config.http!;
  const port = target.port?.(config.http!.port) ?? config.http!.port;
  const lib = scheme === 'https' ? https : http;
  if (target.unreachable) return Promise.resolve(`HTTP health check failed: ${target.unreachable}`);
  return withTimeout(config, 'curl', (finish) => {
    let createConnection: (() => net.Socket) | undefined;
    if (target.socket) {
      let raw: net.Socket;
      try { raw = target.socket(); } catch (err) { finish(`curl returned exited with status 7: ${(err as Error).message}`); return () => undefined; }
      createConnection = () => {
        raw.connect(port, target.host);
        return scheme === 'https' ? tls.connect({ socket: raw, rejectUnauthorized: false }) : raw;
      };
    }
    // No agent: a fresh connection per check. (With createConnection the agent option must be left out: an agent,
    // even `false`'s throw-away one, would open its own socket and ignore createConnection.)
    const req = lib.request({
      host: target.host, port, path: path || '/', method: 'GET', ...(scheme === 'https' ? { rejectUnauthorized: false } : {}),
      ...(createConnection ? { createConnection } : { agent: false }),
    }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      finish(code >= 200 && code < 400 ? undefined : `Unexpected HTTP response code: ${code} ${http.STATUS_CODES[code] ?? ''}`.trim());
      req.destroy();
    });
    req.on('error', (e) => finish(`curl returned exited with status 7: ${e.message}`));
    req.end();
    return () => req.destroy();
  }).then((failure) => (failure === undefined ? undefined : `HTTP health check failed: ${failure}`));
}

function runTcpCheck(config: HealthCheckConfig, target: CheckTarget): Promise<string | undefined> {
  if (target.unreachable) return Promise.resolve(`TCP health check failed: ${target.unreachable}`);
  const port = target.port?.(config.tcp!.port) ?? config.tcp!.port;
  return withTimeout(config, 'mesos-tcp-connect', (finish) => {
    let socket: net.Socket;
    try {
      socket = target.socket ? target.socket().connect(port, target.host) : net.connect({ host: target.host, port });
    } catch (err) { finish((err as Error).message); return () => undefined; }
    socket.once('connect', () => { socket.destroy(); finish(undefined); });
    socket.on('error', (e) => { socket.destroy(); finish(`Failed to connect to ${target.host}:${port}: ${e.message}`); });
    return () => socket.destroy();
  }).then((failure) => (failure === undefined ? undefined : `TCP health check failed: ${failure}`));
}

export interface TaskHealthCheckerOptions {
  config: HealthCheckConfig;
  target: CheckTarget;
  now: () => number;
  /** Each verdict, in order; the executor turns it into a TaskStatus and, with killTask, kills the task. */
  onVerdict(verdict: HealthVerdict, failure: string | undefined): void;
  /** Runs one check (injectable for tests); defaults to runCheck. */
  check?: (config: HealthCheckConfig, target: CheckTarget) => Promise<string | undefined>;
}

/** The timing around healthCheckStep for one task. stop() ends it for good (task killed or gone). */
export class TaskHealthChecker {
  private state: CheckerState = INITIAL_CHECKER_STATE;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly startedAt: number;

  constructor(private readonly opts: TaskHealthCheckerOptions) {
    this.startedAt = opts.now();
    this.schedule(opts.config.delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => { void this.runOnce(); }, ms);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    const failure = await (this.opts.check ?? runCheck)(this.opts.config, this.opts.target);
    if (this.stopped) return;
    const step = healthCheckStep(this.state, failure === undefined, this.opts.now() - this.startedAt, this.opts.config);
    this.state = step.state;
    if (step.verdict) this.opts.onVerdict(step.verdict, failure);
    // Mesos keeps checking after asking for a kill: the executor decides; stop() ends it.
    this.schedule(this.opts.config.intervalMs);
  }
}
