// The `mesos` containerizer: each task is a plain process leading its own process group, with its
// stdout/stderr written straight to sandbox files (no Node.js process or pipe per task). With cgroup isolation
// the task also runs in its own cgroup holding its cpu and memory limits.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Container, ContainerExit, Containerizer, LaunchSpec, ResourceStatistics } from './containerizer.ts';
import type { CommandInfo } from '../../proto/mesos.ts';
import type { CgroupManager } from './cgroups.ts';
import { limitsFor, memoryLimitMessage } from './cgroups-limits.ts';

export interface ProcessIsolation {
  /** Present when --isolation uses cgroups/cpu or cgroups/mem. */
  cgroups?: CgroupManager;
  cpu: boolean;
  mem: boolean;
  enableCfs: boolean;
}

/**
 * Enters the cgroups named before `--`, then execs the task: the task is charged from its first instruction on
 * and every process it forks stays inside. POSIX sh has no `exec -a`, so argv[0] is the executable's path here.
 */
const ENTER_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** How often a running container's memory cgroup is checked for OOM kills (Mesos destroys the container on any). */
const OOM_POLL_MS = 500;
const SIGNAL_NAMES: Record<string, string> = {
  SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGHUP: 'Hangup', SIGQUIT: 'Quit', SIGABRT: 'Aborted',
  SIGSEGV: 'Segmentation fault', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGPIPE: 'Broken pipe', SIGUSR1: 'User defined signal 1', SIGUSR2: 'User defined signal 2',
};

/** The agent's variables tasks inherit, as the command executor passes its environment on. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR'];

// Linux /proc units: clock ticks per second and page size on every platform Node supports here.
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

interface Running { pid: number; killed: boolean; done: boolean; exited: Promise<ContainerExit>; cgroup: boolean; limitation?: string }

export function exitMessage(code: number | null, signal: string | null): string {
  if (signal) return `Command terminated with signal ${SIGNAL_NAMES[signal] ?? signal}`;
  return `Command exited with status ${code ?? -1}`;
}

/** A task's environment: the agent's basics, then the task's CommandInfo variables, then the agent's MESOS_* ones. */
export function taskEnvironment(cmd: CommandInfo, agentEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  for (const v of cmd.environment?.variables ?? []) if (v.value !== undefined) env[v.name] = v.value;
  return Object.assign(env, agentEnv);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch { /* group already gone */ }
}

export class ProcessContainerizer implements Containerizer {
  readonly name = 'mesos';
  private readonly running = new Map<string, Running>();

  constructor(private readonly opts: { logger: Logger; isolation?: ProcessIsolation }) {}

  async launch(spec: LaunchSpec): Promise<Container> {
    const cmd = spec.command;
    const shell = cmd.shell ?? true;
    const env = taskEnvironment(cmd, spec.env);
    let file: string; let args: string[]; let argv0: string | undefined;
    if (shell) {
      if (!cmd.value) throw new Error("'command.value' is empty");
      file = '/bin/sh'; args = ['-c', cmd.value];
    } else {
      if (!cmd.value) throw new Error("'command.value' (the executable) is empty");
      file = cmd.value; args = (cmd.arguments ?? []).slice(1); argv0 = cmd.arguments?.[0];
    }
    const isolation = this.opts.isolation;
    let cgroupProcs: string[] = [];
    if (isolation?.cgroups) {
      const limits = limitsFor({ cpus: spec.resources.scalar('cpus'), memMb: spec.resources.scalar('mem') }, isolation);
      try {
        cgroupProcs = await isolation.cgroups.create(spec.containerId, limits);
      } catch (e) {
        await isolation.cgroups.destroy(spec.containerId);
        throw new Error(`cannot create the container's cgroup: ${(e as Error).message}`);
      }
      args = ['-c', ENTER_CGROUPS, 'trireme-cgroup-enter', ...cgroupProcs, '--', file, ...args];
      file = '/bin/sh'; argv0 = undefined;
    }
    const out = openSync(join(spec.sandbox, 'stdout'), 'a');
    const err = openSync(join(spec.sandbox, 'stderr'), 'a');
    let child;
    try {
      child = spawn(file, args, { cwd: spec.sandbox, env, detached: true, stdio: ['ignore', out, err], ...(argv0 ? { argv0 } : {}) });
      await new Promise<void>((resolve, reject) => {
        child!.once('spawn', resolve);
        child!.once('error', (e: Error) => reject(new Error(`cannot execute '${file}': ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      });
    } catch (e) {
      if (isolation?.cgroups) await isolation.cgroups.destroy(spec.containerId);
      throw e;
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid!;
    const cgroups = isolation?.cgroups;
    const entry: Running = { pid, killed: false, done: false, exited: undefined as never, cgroup: Boolean(cgroups) };
    let oomTimer: NodeJS.Timeout | undefined;
    if (cgroups && isolation.mem) {
      // A task whose child was OOM-killed may carry on; Mesos treats any OOM kill as the container's limitation.
      oomTimer = setInterval(() => {
        void cgroups.memoryLimitReached(spec.containerId, { exitCode: null, signal: null }).then((hit) => {
          if (!hit || entry.done || entry.limitation) return;
          entry.limitation = 'memory';
          killGroup(pid, 'SIGKILL');
          void cgroups.destroy(spec.containerId);
        });
      }, OOM_POLL_MS);
      oomTimer.unref();
    }
    entry.exited = new Promise<ContainerExit>((resolve) => {
      child.once('exit', (code, signal) => {
        entry.done = true;
        clearInterval(oomTimer);
        // The container ends with its leader: nothing it left in its process group may outlive it.
        killGroup(pid, 'SIGKILL');
        const finish = async (): Promise<ContainerExit> => {
          const exit: ContainerExit = { exitCode: code, signal, killed: entry.killed, message: exitMessage(code, signal) };
          if (!cgroups) return exit;
          const hit = isolation.mem && (entry.limitation === 'memory' || await cgroups.memoryLimitReached(spec.containerId, { exitCode: code, signal }));
          if (hit && !entry.killed) {
            const limit = spec.resources.scalar('mem') > 0 ? limitsFor({ cpus: 0, memMb: spec.resources.scalar('mem') }, { cpu: false, mem: true, enableCfs: false }).memoryBytes : undefined;
            Object.assign(exit, { reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: memoryLimitMessage(limit, await cgroups.peakMemory(spec.containerId)) });
          }
          await cgroups.destroy(spec.containerId);
          return exit;
        };
        void finish().then((exit) => { this.running.delete(spec.containerId); resolve(exit); }, (e: Error) => {
          this.running.delete(spec.containerId);
          resolve({ exitCode: code, signal, killed: entry.killed, message: `${exitMessage(code, signal)} (cgroup cleanup failed: ${e.message})` });
        });
      });
    });
    child.unref();
    this.running.set(spec.containerId, entry);
    this.opts.logger.debug({ containerId: spec.containerId, pid, taskId: spec.taskId }, 'container launched');
    return { containerId: spec.containerId, pid, exited: entry.exited };
  }

  async kill(containerId: string, gracePeriodMs: number): Promise<void> {
    const entry = this.running.get(containerId);
    if (!entry || entry.done) return;
    entry.killed = true;
    if (gracePeriodMs > 0) {
      killGroup(entry.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(entry.pid, 'SIGKILL'), gracePeriodMs);
      await entry.exited;
      clearTimeout(timer);
    } else {
      killGroup(entry.pid, 'SIGKILL');
      await entry.exited;
    }
  }

  containers(): string[] {
    return [...this.running.keys()];
  }

  async usage(containerId: string): Promise<ResourceStatistics | undefined> {
    const entry = this.running.get(containerId);
    if (!entry) return undefined;
    const cgroups = this.opts.isolation?.cgroups;
    if (cgroups && entry.cgroup) {
      const pids = await cgroups.pids(containerId);
      return { timestamp: Date.now() / 1000, processes: pids.length, ...(await cgroups.statistics(containerId)) };
    }
    let utime = 0; let stime = 0; let rss = 0; let processes = 0; let threads = 0;
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try { stat = await readFile(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
      // Fields after the command name (which may contain spaces) start at "state".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== entry.pid) continue; // pgrp
      processes++;
      utime += Number(fields[11]); stime += Number(fields[12]);
      threads += Number(fields[17]);
      rss += Number(fields[21]) * PAGE_SIZE;
    }
    return { timestamp: Date.now() / 1000, cpus_user_time_secs: utime / CLK_TCK, cpus_system_time_secs: stime / CLK_TCK, mem_rss_bytes: rss, processes, threads };
  }
}
