// The `mesos` containerizer: each task is a plain process leading its own process group, with its
// stdout/stderr written straight to sandbox files (no Node.js process per task, no pipe for its output; the
// posix_spawn launcher keeps one end-of-life pipe descriptor per task). With cgroup isolation the task also runs in
// its own cgroup holding its cpu and memory limits.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CheckPlacement, Container, ContainerExit, Containerizer, LaunchSpec, RecoverSpec, ResourceStatistics } from './containerizer.ts';
import type { CommandInfo } from '../../proto/mesos.ts';
import type { CgroupManager } from './cgroups.ts';
import { limitsFor, memoryLimitMessage } from './cgroups-limits.ts';
import { agentUserName, chownTree, lookUpUser, switchUserArgs, type Account } from './task-user.ts';
import type { ProcessLauncher } from './launcher.ts';

export interface ProcessIsolation {
  /** Present when --isolation uses cgroups/cpu or cgroups/mem. */
  cgroups?: CgroupManager;
  cpu: boolean;
  mem: boolean;
  enableCfs: boolean;
  /** namespaces/pid: the task sees only its own processes (own pid namespace and /proc, in a mount namespace). */
  pidNamespace?: boolean;
}

/**
 * With namespaces/pid the task runs under `unshare` in new pid and mount namespaces with its own /proc. Its pid 1 is
 * a shell that only waits for the task: pid 1 ignores signals it has no handler for, so the task itself, not pid 1,
 * must be the command (it gets the kill's SIGTERM through the process group, as without namespaces). unshare
 * forwards signals, keeps waiting and exits as its child did; --kill-child ends the namespace should unshare die.
 */
const PID_NAMESPACE_PREFIX = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--', '/bin/sh', '-c', '"$@" & wait $!', 'trireme-init'];

/**
 * Every task runs under this small shell (no Node.js process per task): it enters the cgroups named before `--`
 * (so the task is charged from its first instruction and all it forks stays inside), runs the task, writes its exit
 * status to the file named after `--` (read by an agent restarted while the task ended), and ends as the task did
 * (re-raising a deadly signal). POSIX sh has no `exec -a`, so a `shell: false` command's argv[0] is its path.
 */
const TASK_WRAPPER = [
  'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift',
  'exit_file=$1; shift',
  // A kill signals the whole process group: the wrapper must outlive SIGTERM so that a task which handles or
  // ignores it keeps running until the grace period's SIGKILL, as under Mesos. The trap is a handler, not an
  // ignore, so the task itself starts with the default disposition.
  'trap : TERM HUP',
  // fd 3 is the posix_spawn launcher's end-of-life pipe (launcher.ts): the wrapper's alone, not the task's.
  '"$@" 3>&- &',
  'c=$!',
  // wait returns early when a trapped signal arrives; wait again until the task has really ended.
  'while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done',
  'echo $s > "$exit_file"',
  'trap - TERM HUP',
  'if [ $s -gt 128 ]; then kill -$((s - 128)) $$; fi',
  'exit $s',
].join('\n');

/** What a restarted agent needs to find a container again: its leader and how to tell it from a reused pid. */
interface ContainerCheckpoint { pid: number; startTime: string; cgroup: boolean; memMb: number; /** setpriv prefix running the command as CommandInfo.user. */ asUser?: string[] }

/** How often a running container's memory cgroup is checked for OOM kills (Mesos destroys the container on any). */
const OOM_POLL_MS = 500;
/** How often a recovered container (not the agent's child any more) is checked for its end. */
const RECOVERED_POLL_MS = 250;
const SIGNAL_NAMES: Record<string, string> = {
  SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGHUP: 'Hangup', SIGQUIT: 'Quit', SIGABRT: 'Aborted',
  SIGSEGV: 'Segmentation fault', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGPIPE: 'Broken pipe', SIGUSR1: 'User defined signal 1', SIGUSR2: 'User defined signal 2',
};

/** The agent's variables tasks inherit, as the command executor passes its environment on. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR'];

// Linux /proc units: clock ticks per second and page size on every platform Node supports here.
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

interface Running { pid: number; killed: boolean; done: boolean; exited: Promise<ContainerExit>; cgroup: boolean; memMb: number; limitation?: string; asUser: string[] }

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

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or undefined when it is gone or a zombie. */
async function processStartTime(pid: number): Promise<string | undefined> {
  let stat: string;
  // procfs answers from memory: read it synchronously (no thread-pool round trip on the launch path).
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** Exit code and signal from a shell's status (128 + n means signal n). */
export function decodeExitStatus(status: number): { exitCode: number | null; signal: string | null } {
  if (status > 128) {
    const name = Object.entries(osConstants.signals).find(([, n]) => n === status - 128)?.[0];
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: status, signal: null };
}

export interface ProcessContainerizerOptions {
  logger: Logger;
  isolation?: ProcessIsolation;
  /** Where containers' checkpoints and exit statuses live (<work-dir>/meta/containers). */
  runtimeDir: string;
  /** Starts each container's wrapper process (createLauncher picks posix_spawn where it can). */
  launcher: ProcessLauncher;
}

export class ProcessContainerizer implements Containerizer {
  readonly name = 'mesos';
  private readonly running = new Map<string, Running>();
  /** One timer checks every memory-limited container for OOM kills (not one timer and two async reads each). */
  private oomTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ProcessContainerizerOptions) {}

  /**
   * A task whose child was OOM-killed may carry on; Mesos treats any OOM kill as the container's limitation and
   * destroys the container.
   */
  private checkOomKills(): void {
    const cgroups = this.opts.isolation?.cgroups;
    let watched = 0;
    for (const [containerId, entry] of this.running) {
      if (!entry.cgroup || entry.done || entry.limitation) continue;
      watched++;
      if (!cgroups?.oomKilled(containerId)) continue;
      entry.limitation = 'memory';
      killGroup(entry.pid, 'SIGKILL');
      void cgroups.destroy(containerId);
    }
    if (watched === 0) { clearInterval(this.oomTimer); this.oomTimer = undefined; }
  }

  private runtime(containerId: string): string { return join(this.opts.runtimeDir, containerId); }

  async launch(spec: LaunchSpec): Promise<Container> {
    const cmd = spec.command;
    const shell = cmd.shell ?? true;
    const env = taskEnvironment(cmd, spec.env);
    let file: string; let args: string[];
    if (shell) {
      if (!cmd.value) throw new Error("'command.value' is empty");
      file = '/bin/sh'; args = ['-c', cmd.value];
    } else {
      if (!cmd.value) throw new Error("'command.value' (the executable) is empty");
      file = cmd.value; args = (cmd.arguments ?? []).slice(1);
    }
    // The task's user: resolved before anything is created, so an unknown user fails the launch cleanly.
    let account: Account | undefined;
    let asUser: string[] = [];
    const user = spec.user;
    // The agent's own user (Chronos' default runAsUser is root) needs no look-up and no switch.
    if (user && user.name !== agentUserName()) {
      account = await lookUpUser(user.name, user.field);
      asUser = switchUserArgs(account, { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 });
      if (asUser.length && process.getuid?.() !== 0) {
        throw new Error(`cannot run the task as user '${user.name}' (uid ${account.uid}, ${user.field}): the agent is not running as root`);
      }
    }
    const isolation = this.opts.isolation;
    const cgroups = isolation?.cgroups;
    const memMb = spec.resources.scalar('mem');
    let cgroupProcs: string[] = [];
    if (cgroups) {
      const limits = limitsFor({ cpus: spec.resources.scalar('cpus'), memMb }, isolation);
      try {
        cgroupProcs = await cgroups.create(spec.containerId, limits);
      } catch (e) {
        await cgroups.destroy(spec.containerId);
        throw new Error(`cannot create the container's cgroup: ${(e as Error).message}`);
      }
    }
    const runtime = this.runtime(spec.containerId);
    // The launch path's small metadata writes are synchronous, like the spawn itself: on a loaded machine each
    // thread-pool round trip waits for two scheduler wake-ups, which costs more than the syscall.
    mkdirSync(runtime, { recursive: true });
    const out = openSync(join(spec.sandbox, 'stdout'), 'a');
    const err = openSync(join(spec.sandbox, 'stderr'), 'a');
    let child;
    try {
      if (account && asUser.length) await chownTree(spec.sandbox, account.uid, account.gid);
      const namespaces = isolation?.pidNamespace ? PID_NAMESPACE_PREFIX : [];
      child = await this.opts.launcher.launch({
        file: '/bin/sh', args: ['-c', TASK_WRAPPER, 'trireme-task', ...cgroupProcs, '--', join(runtime, 'exit_status'), ...namespaces, ...asUser, file, ...args],
        cwd: spec.sandbox, env, stdout: out, stderr: err,
      });
    } catch (e) {
      if (cgroups) await cgroups.destroy(spec.containerId);
      await rm(runtime, { recursive: true, force: true });
      throw e;
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid;
    const checkpoint: ContainerCheckpoint = { pid, startTime: (await processStartTime(pid)) ?? '', cgroup: Boolean(cgroups), memMb, ...(asUser.length ? { asUser } : {}) };
    writeFileSync(join(runtime, 'container.json'), JSON.stringify(checkpoint));
    const entry = this.track(spec.containerId, checkpoint, child.exited);
    this.opts.logger.debug({ containerId: spec.containerId, pid, taskId: spec.taskId }, 'container launched');
    return { containerId: spec.containerId, pid, exited: entry.exited };
  }

  /**
   * Finds a container launched by an earlier run of the agent (after a crash). Still running: it is adopted and
   * watched until it ends. Ended meanwhile: its exit status comes from the file its wrapper wrote. Unknown: undefined.
   */
  async recover({ containerId }: RecoverSpec): Promise<Container | undefined> {
    let checkpoint: ContainerCheckpoint;
    try {
      checkpoint = JSON.parse(await readFile(join(this.runtime(containerId), 'container.json'), 'utf8')) as ContainerCheckpoint;
    } catch { return undefined; }
    const alive = async () => checkpoint.startTime !== '' && (await processStartTime(checkpoint.pid)) === checkpoint.startTime;
    const ended = (async () => {
      // Not our child any more: poll until the leader is gone (or a reused pid shows it ended).
      while (await alive()) await new Promise((r) => setTimeout(r, RECOVERED_POLL_MS));
      const text = await readFile(join(this.runtime(containerId), 'exit_status'), 'utf8').catch(() => undefined);
      if (text === undefined || !/^\d+/.test(text.trim())) return { code: null, signal: null, unknown: true };
      const d = decodeExitStatus(Number(text.trim()));
      return { code: d.exitCode, signal: d.signal as NodeJS.Signals | null };
    })();
    const entry = this.track(containerId, checkpoint, ended);
    this.opts.logger.info({ containerId, pid: checkpoint.pid }, 'recovered container');
    return { containerId, pid: checkpoint.pid, exited: entry.exited };
  }

  /**
   * After recovery: containers in the runtime directory that no checkpointed task names (the agent died between
   * launching one and checkpointing its task) are killed and forgotten, as Mesos kills unknown containers; then
   * empty cgroups that agents killed with SIGKILL left under the cgroups root are removed.
   */
  async cleanupOrphans(_agentId: string | undefined, known: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const containerId of await readdir(this.opts.runtimeDir).catch(() => [] as string[])) {
      if (known.has(containerId) || this.running.has(containerId)) continue;
      const checkpoint = await readFile(join(this.runtime(containerId), 'container.json'), 'utf8').then((t) => JSON.parse(t) as ContainerCheckpoint, () => undefined);
      if (checkpoint?.startTime && (await processStartTime(checkpoint.pid)) === checkpoint.startTime) killGroup(checkpoint.pid, 'SIGKILL');
      if (checkpoint?.cgroup) await this.opts.isolation?.cgroups?.destroy(containerId);
      await rm(this.runtime(containerId), { recursive: true, force: true });
      this.opts.logger.info({ containerId, pid: checkpoint?.pid }, 'killed an orphaned container of this agent');
      removed.push(containerId);
    }
    const cgroups = this.opts.isolation?.cgroups;
    if (cgroups) {
      const swept = await cgroups.sweepStale(new Set([...known, ...this.running.keys()]));
      if (swept.length) this.opts.logger.info({ cgroups: swept }, 'removed empty cgroups left by agents killed earlier');
    }
    return removed;
  }

  /** Watches a running container until its leader ends, then cleans up its process group, cgroups and runtime dir. */
  private track(containerId: string, checkpoint: ContainerCheckpoint, leaderExit: Promise<{ code: number | null; signal: NodeJS.Signals | null; unknown?: boolean }>): Running {
    const { pid, memMb } = checkpoint;
    const isolation = this.opts.isolation;
    const cgroups = checkpoint.cgroup ? isolation?.cgroups : undefined;
    const entry: Running = { pid, killed: false, done: false, exited: undefined as never, cgroup: Boolean(cgroups), memMb, asUser: checkpoint.asUser ?? [] };
    if (cgroups && isolation?.mem && !this.oomTimer) {
      this.oomTimer = setInterval(() => this.checkOomKills(), OOM_POLL_MS);
      this.oomTimer.unref();
    }
    entry.exited = leaderExit.then(async ({ code, signal, unknown }) => {
      entry.done = true;
      // The container ends with its leader: nothing it left in its process group may outlive it.
      killGroup(pid, 'SIGKILL');
      const exit: ContainerExit = {
        exitCode: code, signal, killed: entry.killed,
        message: unknown ? 'Command ended while the agent was down; its exit status is unknown' : exitMessage(code, signal),
      };
      try {
        if (cgroups) {
          const hit = isolation?.mem && (entry.limitation === 'memory' || await cgroups.memoryLimitReached(containerId, { exitCode: code, signal }));
          if (hit && !entry.killed) {
            const limit = memMb > 0 ? limitsFor({ cpus: 0, memMb }, { cpu: false, mem: true, enableCfs: false }).memoryBytes : undefined;
            Object.assign(exit, { reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: memoryLimitMessage(limit, await cgroups.peakMemory(containerId)) });
          }
          await cgroups.destroy(containerId);
        }
      } catch (e) {
        exit.message += ` (cgroup cleanup failed: ${(e as Error).message})`;
      }
      await rm(this.runtime(containerId), { recursive: true, force: true });
      this.running.delete(containerId);
      return exit;
    });
    this.running.set(containerId, entry);
    return entry;
  }

  /** A task run as CommandInfo.user has its COMMAND checks run as that user too (Mesos runs them as the executor's user). */
  async checkPlacement(containerId: string): Promise<CheckPlacement | undefined> {
    const asUser = this.running.get(containerId)?.asUser ?? [];
    return asUser.length ? { commandPrefix: asUser } : undefined;
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
