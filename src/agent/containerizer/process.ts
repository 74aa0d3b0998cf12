// The `mesos` containerizer: each task is a plain process leading its own process group, with its
// stdout/stderr written straight to sandbox files (no Node.js process or pipe per task).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Container, ContainerExit, Containerizer, LaunchSpec, ResourceStatistics } from './containerizer.ts';
import type { CommandInfo } from '../../proto/mesos.ts';

const SIGNAL_NAMES: Record<string, string> = {
  SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGHUP: 'Hangup', SIGQUIT: 'Quit', SIGABRT: 'Aborted',
  SIGSEGV: 'Segmentation fault', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGPIPE: 'Broken pipe', SIGUSR1: 'User defined signal 1', SIGUSR2: 'User defined signal 2',
};

/** The agent's variables tasks inherit, as the command executor passes its environment on. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR'];

// Linux /proc units: clock ticks per second and page size on every platform Node supports here.
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

interface Running { pid: number; killed: boolean; done: boolean; exited: Promise<ContainerExit> }

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

  constructor(private readonly opts: { logger: Logger }) {}

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
    const out = openSync(join(spec.sandbox, 'stdout'), 'a');
    const err = openSync(join(spec.sandbox, 'stderr'), 'a');
    let child;
    try {
      child = spawn(file, args, { cwd: spec.sandbox, env, detached: true, stdio: ['ignore', out, err], ...(argv0 ? { argv0 } : {}) });
      await new Promise<void>((resolve, reject) => {
        child!.once('spawn', resolve);
        child!.once('error', (e: Error) => reject(new Error(`cannot execute '${file}': ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid!;
    const entry: Running = { pid, killed: false, done: false, exited: undefined as never };
    entry.exited = new Promise<ContainerExit>((resolve) => {
      child.once('exit', (code, signal) => {
        entry.done = true;
        // The container ends with its leader: nothing it left in its process group may outlive it.
        killGroup(pid, 'SIGKILL');
        this.running.delete(spec.containerId);
        resolve({ exitCode: code, signal, killed: entry.killed, message: exitMessage(code, signal) });
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
