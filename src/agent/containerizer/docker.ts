// The `docker` containerizer: runs DOCKER containers through the Docker Engine API (dockerode). The agent
// process itself follows each container (wait + log stream): no executor process per task.
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { Socket } from 'node:net';
import type { CheckPlacement, Container, ContainerExit, Containerizer, ExecCheck, LaunchSpec, RecoverSpec, ResourceStatistics } from './containerizer.ts';
import type { CommandInfo } from '../../proto/mesos.ts';
import { giveSandboxTo } from './task-user.ts';
import { checkAddress, containerPortOf, containerCreateOptions, containerName, dockerExitMessage, LABELS } from './docker-options.ts';

/** Where the Engine listens: a unix socket path, unix://path, or tcp://host:port (as DOCKER_HOST). */
export function dockerClient(endpoint: string): Docker {
  if (endpoint.startsWith('tcp://') || endpoint.startsWith('http://')) {
    const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
    return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
  }
  return new Docker({ socketPath: endpoint.replace(/^unix:\/\//, '') });
}

/** The Engine's error text ("No such image: ..."), not dockerode's "(HTTP code 404) ..." wrapper. */
function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}

function isStatus(err: unknown, ...codes: number[]): boolean {
  return codes.includes((err as { statusCode?: number }).statusCode ?? 0);
}

/** Docker's stats (cgroup v1 or v2) as Mesos' ResourceStatistics. */
export function statisticsFromDocker(stats: Docker.ContainerStats, limits: { cpus?: number }, now: number): ResourceStatistics {
  const mem = stats.memory_stats as { usage?: number; limit?: number; stats?: Record<string, number> } | undefined;
  const rss = mem?.stats?.rss ?? mem?.stats?.anon ?? mem?.usage ?? 0;
  return {
    timestamp: now / 1000,
    cpus_user_time_secs: (stats.cpu_stats?.cpu_usage?.usage_in_usermode ?? 0) / 1e9,
    cpus_system_time_secs: (stats.cpu_stats?.cpu_usage?.usage_in_kernelmode ?? 0) / 1e9,
    ...(limits.cpus ? { cpus_limit: limits.cpus } : {}),
    mem_rss_bytes: rss,
    ...(mem?.limit ? { mem_limit_bytes: mem.limit } : {}),
    ...(stats.pids_stats?.current !== undefined ? { processes: stats.pids_stats.current } : {}),
  };
}

class PullError extends Error {}

/**
 * Where to resume a re-adopted container's log stream: Docker's `since` (seconds.nanoseconds) at the last write to
 * the sandbox's stdout/stderr, so output the crashed agent wrote is not written twice; undefined (from the start)
 * when nothing was written yet. Output in flight when the agent died may be lost (at most what it had not written).
 */
const MTIME_COARSENESS_NS = 20_000_000n;

export async function logsResumeTime(sandbox: string): Promise<string | undefined> {
  let latest: bigint | undefined;
  for (const file of ['stdout', 'stderr']) {
    const s = await stat(join(sandbox, file), { bigint: true }).catch(() => undefined);
    if (!s || s.size === 0n) continue;
    if (latest === undefined || s.mtimeNs > latest) latest = s.mtimeNs;
  }
  if (latest === undefined) return undefined;
  // File times come from the kernel's coarse clock (a tick, up to 10 ms, behind the real time), while Docker stamps
  // lines with the precise time: without a margin the last line written could be read as newer and written twice.
  latest += MTIME_COARSENESS_NS;
  return `${latest / 1_000_000_000n}.${(latest % 1_000_000_000n).toString().padStart(9, '0')}`;
}

interface Running { container: Docker.Container; killed: boolean; done: boolean; cpus: number; exited: Promise<ContainerExit> }

export interface OwnedContainer { containerId: string; frameworkId: string; taskId: string; name: string; running: boolean }

export interface DockerContainerizerOptions {
  docker: Docker;
  logger: Logger;
  enableCfsQuota?: boolean;
  /** Remove, after recovery, containers labelled with this agent's id that no checkpoint names (default true). */
  killOrphans?: boolean;
  /** Clock for usage timestamps. */
  now?: () => number;
  /**
   * Makes a socket in a process's network namespace (netns-socket.ts; a root agent with glibc): HTTP/TCP checks of
   * containers not on the host network then connect to 127.0.0.1 inside the container, as Mesos' docker executor.
   */
  socketInNetworkNamespace?: (pid: number) => Socket;
}

export class DockerContainerizer implements Containerizer {
  readonly name = 'docker';
  private readonly running = new Map<string, Running>();
  private readonly now: () => number;

  constructor(private readonly opts: DockerContainerizerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Fails with the Engine's reason when it does not answer (used at agent start-up). */
  async ping(): Promise<string> {
    const v = await this.opts.docker.version();
    return v.Version;
  }

  async launch(spec: LaunchSpec): Promise<Container> {
    const options = containerCreateOptions({
      containerId: spec.containerId, agentId: spec.agentId ?? spec.env.MESOS_AGENT_ID ?? '', frameworkId: spec.frameworkId, taskId: spec.taskId,
      container: spec.container ?? {}, command: spec.command, env: spec.env, sandbox: spec.sandbox, resources: spec.resources,
      labels: spec.labels ?? [], enableCfsQuota: this.opts.enableCfsQuota ?? false,
    });
    if (spec.user) await giveSandboxTo(spec.user, spec.sandbox);
    const docker = this.opts.docker;
    const image = options.Image!;
    // Bind mounts need their sources (sandbox directories) to exist; docker run's -v would create them.
    for (const m of options.HostConfig?.Mounts ?? []) if (m.Type === 'bind') await mkdir(m.Source, { recursive: true });
    if (spec.container?.docker?.force_pull_image) await this.pull(image);
    let container: Docker.Container;
    try {
      // As `docker run`: try to create straight away and pull only when the Engine says the image is missing.
      container = await docker.createContainer(options).catch(async (err) => {
        if (!isStatus(err, 404)) throw err;
        await this.pull(image);
        return docker.createContainer(options);
      });
    } catch (err) {
      if (err instanceof PullError) throw err;
      throw new Error(`Failed to create container '${options.name}': ${engineMessage(err)}`);
    }
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw new Error(`Failed to start container '${options.name}': ${engineMessage(err)}`);
    }
    const entry = this.follow(spec.containerId, container, spec.sandbox, spec.resources.scalar('cpus'));
    this.opts.logger.debug({ containerId: spec.containerId, name: options.name, image, taskId: spec.taskId }, 'docker container started');
    // pid 0: the container's processes belong to the Engine; the agent never signals them directly.
    return { containerId: spec.containerId, pid: 0, exited: entry.exited };
  }

  /**
   * Watches a started container until it ends: its output into the sandbox files (from `logsSince` when
   * re-attaching after an agent restart), its exit status, then its removal.
   */
  private follow(containerId: string, container: Docker.Container, sandbox: string, cpus: number, logsSince?: string): Running {
    const name = containerName(containerId);
    const logsDone = this.streamLogs(container, sandbox, logsSince);
    const entry: Running = { container, killed: false, done: false, cpus, exited: undefined as never };
    entry.exited = (async (): Promise<ContainerExit> => {
      let statusCode: number | null = null;
      let message: string;
      try {
        statusCode = ((await container.wait()) as { StatusCode: number }).StatusCode;
        message = dockerExitMessage(statusCode);
      } catch (err) {
        message = `Failed to get exit status of container: ${engineMessage(err)}`;
      }
      await logsDone;
      entry.done = true;
      this.running.delete(containerId);
      // Its exit code is recorded and its output is in the sandbox: nothing left to keep the container for.
      await container.remove({ force: true, v: true }).catch((err) => this.opts.logger.warn({ name, err: engineMessage(err) }, 'could not remove container'));
      return { exitCode: statusCode, signal: null, killed: entry.killed, message };
    })();
    this.running.set(containerId, entry);
    return entry;
  }

  /**
   * Re-adopts the container `mesos-<containerId>` an earlier run of the agent started: running, it is followed again
   * (output appended to the sandbox from where the files stop); exited while the agent was down, its exit status is
   * reported and it is removed. Unknown to the Engine: undefined.
   */
  async recover(spec: RecoverSpec): Promise<Container | undefined> {
    const container = this.opts.docker.getContainer(containerName(spec.containerId));
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (err) {
      if (!isStatus(err, 404)) this.opts.logger.warn({ containerId: spec.containerId, err: engineMessage(err) }, 'cannot inspect a checkpointed docker container');
      return undefined;
    }
    const since = await logsResumeTime(spec.sandbox);
    const entry = this.follow(spec.containerId, container, spec.sandbox, spec.resources.scalar('cpus'), since);
    this.opts.logger.info({ containerId: spec.containerId, name: info.Name, running: info.State.Running, logsSince: since ?? 'start' }, 'recovered docker container');
    return { containerId: spec.containerId, pid: info.State.Pid ?? 0, exited: entry.exited };
  }

  /** Removes containers labelled with this agent's id that no checkpoint names (Mesos' --docker_kill_orphans). */
  async cleanupOrphans(agentId: string | undefined, known: ReadonlySet<string>): Promise<string[]> {
    if (this.opts.killOrphans === false || !agentId) return [];
    const removed: string[] = [];
    for (const c of await this.owned(agentId)) {
      if (known.has(c.containerId) || this.running.has(c.containerId)) continue;
      try {
        await this.opts.docker.getContainer(c.name).remove({ force: true, v: true });
        removed.push(c.name);
        this.opts.logger.info({ name: c.name, taskId: c.taskId, frameworkId: c.frameworkId, running: c.running }, 'removed an orphaned docker container of this agent');
      } catch (err) {
        if (!isStatus(err, 404)) this.opts.logger.warn({ name: c.name, err: engineMessage(err) }, 'cannot remove an orphaned docker container');
      }
    }
    return removed;
  }

  /** Health checks of a docker task: COMMAND checks via `docker exec`, HTTP/TCP at the container's address. */
  async checkPlacement(containerId: string): Promise<CheckPlacement | undefined> {
    const entry = this.running.get(containerId);
    if (!entry) return undefined;
    const info = await entry.container.inspect().catch(() => undefined);
    const exec: ExecCheck = (command, stderrFile) => this.exec(entry.container, command, stderrFile);
    const pid = info?.State?.Pid;
    const enter = this.opts.socketInNetworkNamespace;
    if (info && pid && enter && info.HostConfig?.NetworkMode !== 'host') {
      return { inNamespace: { socket: () => enter(pid), port: containerPortOf(info) }, exec };
    }
    const address = info ? checkAddress(info) : undefined;
    return { ...(address ? { address } : {}), exec };
  }

  /**
   * One `docker exec` (as Mesos' docker executor wraps COMMAND checks): the container's own environment plus the
   * check's variables; output appended to the sandbox's stderr. abort() only stops waiting: the Engine cannot kill
   * an exec'd process (neither does Mesos, which kills its `docker exec` client).
   */
  private exec(container: Docker.Container, command: CommandInfo, stderrFile: string): ReturnType<ExecCheck> {
    let stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
    let aborted = false;
    const done = (async () => {
      const shell = command.shell ?? true;
      const cmd = shell ? ['sh', '-c', command.value ?? ''] : [command.value ?? '', ...(command.arguments ?? []).slice(1)];
      const env = (command.environment?.variables ?? []).filter((v) => v.value !== undefined).map((v) => `${v.name}=${v.value}`);
      const exec = await container.exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
      stream = await exec.start({ hijack: true, stdin: false });
      if (aborted) stream.destroy?.();
      const out = createWriteStream(stderrFile, { flags: 'a' });
      out.on('error', () => undefined); // a sandbox already removed only loses the output
      this.opts.docker.modem.demuxStream(stream, out, out);
      await new Promise<void>((resolve) => { stream!.on('end', resolve); stream!.on('close', resolve); stream!.on('error', () => resolve()); });
      await new Promise<void>((r) => out.end(r));
      const result = await exec.inspect();
      return { exitCode: result.ExitCode ?? null };
    })().catch((err: unknown) => ({ error: `docker exec failed: ${engineMessage(err)}` }));
    return { done, abort: () => { aborted = true; stream?.destroy?.(); } };
  }

  /** A failed pull fails the launch with the Engine's reason. */
  private async pull(image: string): Promise<void> {
    const docker = this.opts.docker;
    try {
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new PullError(`Failed to pull image '${image}': ${engineMessage(err)}`);
    }
  }

  /** Follows the container's stdout/stderr into the sandbox files until the container ends. */
  private async streamLogs(container: Docker.Container, sandbox: string, since?: string): Promise<void> {
    const out = createWriteStream(join(sandbox, 'stdout'), { flags: 'a' });
    const err = createWriteStream(join(sandbox, 'stderr'), { flags: 'a' });
    const close = (s: WriteStream) => new Promise<void>((r) => s.end(r));
    try {
      const stream = await container.logs({ follow: true, stdout: true, stderr: true, ...(since ? { since } : {}) } as never) as unknown as NodeJS.ReadableStream;
      this.opts.docker.modem.demuxStream(stream, out, err);
      await new Promise<void>((resolve) => { stream.on('end', resolve); stream.on('close', resolve); stream.on('error', () => resolve()); });
    } catch (e) {
      this.opts.logger.warn({ err: engineMessage(e) }, 'cannot follow container logs');
    } finally {
      await Promise.all([close(out), close(err)]);
    }
  }

  /** `docker stop -t <grace>`: SIGTERM (or the image's stop signal), SIGKILL after the grace period. */
  async kill(containerId: string, gracePeriodMs: number): Promise<void> {
    const entry = this.running.get(containerId);
    if (!entry || entry.done) return;
    entry.killed = true;
    try {
      await entry.container.stop({ t: Math.max(0, Math.ceil(gracePeriodMs / 1000)) });
    } catch (err) {
      if (!isStatus(err, 304, 404)) this.opts.logger.error({ containerId, err: engineMessage(err) }, 'docker stop failed');
    }
    await entry.exited;
  }

  containers(): string[] {
    return [...this.running.keys()];
  }

  async usage(containerId: string): Promise<ResourceStatistics | undefined> {
    const entry = this.running.get(containerId);
    if (!entry || entry.done) return undefined;
    try {
      // one-shot: one reading now instead of waiting for a second sample.
      const stats = await entry.container.stats({ stream: false, 'one-shot': true } as never) as unknown as Docker.ContainerStats;
      return statisticsFromDocker(stats, { cpus: entry.cpus }, this.now());
    } catch {
      return undefined;
    }
  }

  /** Containers this agent created (by label), running or not: what a restarted agent re-adopts or cleans up. */
  async owned(agentId: string): Promise<OwnedContainer[]> {
    const list = await this.opts.docker.listContainers({ all: true, filters: { label: [`${LABELS.agentId}=${agentId}`] } });
    return list.map((c) => {
      const containerId = c.Labels[LABELS.containerId] ?? '';
      return { containerId, frameworkId: c.Labels[LABELS.frameworkId] ?? '', taskId: c.Labels[LABELS.taskId] ?? '', name: containerName(containerId), running: c.State === 'running' };
    });
  }
}
