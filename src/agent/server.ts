// Wires an agent together: resources, containerizer, HTTP endpoints, the master link.
import os from 'node:os';
import { mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Registry, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import { createHttpServer, installTextErrorHandler, listen, sendJson, StartupError } from '../common/http.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import type { HttpLimits } from '../security/http-limits.ts';
import { attributesToLegacy, parseResources, Resources, type AttributeJSON } from '../common/resources.ts';
import { isTerminalState } from '../proto/mesos.ts';
import { MESOS_COMPAT_VERSION } from '../master/master.ts';
import { TRIREME_VERSION } from '../common/version.ts';
import { Agent, type AgentTask } from './agent.ts';
import { ProcessContainerizer } from './containerizer/process.ts';
import type { Socket } from 'node:net';
import { createLauncher, type TaskLauncherName } from './containerizer/launcher.ts';
import { DockerContainerizer, dockerClient } from './containerizer/docker.ts';
import { ComposingContainerizer, type ContainerizerName } from './containerizer/composing.ts';
import type { Containerizer } from './containerizer/containerizer.ts';
import { registerFilesRoutes } from './files.ts';
import { buildStatistics } from './monitor.ts';
import { MasterUnreachableError } from './master-link.ts';
import { setUpIsolation } from './containerizer/isolation.ts';
import { Fetcher } from './fetcher.ts';
import { DEFAULT_FETCHER_CACHE_SIZE, FetcherCache } from './fetcher-cache.ts';
import { DEFAULT_DISK_WATCH_INTERVAL_MS, DEFAULT_GC_DISK_HEADROOM, SandboxGc } from './sandbox-gc.ts';
import { formatDuration } from '../common/duration.ts';
import { loadAgentSecurity, type AgentSecurityFlags } from '../security/config.ts';
import { installHttpSecurity } from '../security/http-guard.ts';
import { agentRealm } from '../security/realms.ts';
import { basicAuthorization } from '../security/authenticator.ts';
import { installSandboxAuthorization, taskVisible } from './access.ts';
import { principalOf } from '../security/http-guard.ts';
import type { ClientTls, ServerTlsOptions } from '../security/tls.ts';

export interface AgentConfig {
  master: string;
  ip: string;
  port: number;
  hostname: string;
  workDir: string;
  resources?: string;
  attributes: AttributeJSON[];
  statusUpdateRetryMs: number;
  registrationBackoffMs: number;
  /** Default: mesos only. */
  containerizers?: ContainerizerName[];
  /** Docker Engine endpoint for the docker containerizer: socket path, unix://path or tcp://host:port. */
  dockerSocket?: string;
  /** --isolation; default: cgroups/cpu,cgroups/mem when cgroups are writable, else posix/cpu,posix/mem. */
  isolation?: string;
  /** --cgroups-enable-cfs: a hard CPU cap (CFS quota) on top of shares. */
  cgroupsEnableCfs?: boolean;
  /** --cgroups-root: the parent cgroup of every container. */
  cgroupsRoot?: string;
  /** --gc-delay: how long completed sandboxes are kept. */
  gcDelayMs?: number;
  /** --fetcher-cache-size: bytes the fetcher cache may hold (default 2 GB, as Mesos). */
  fetcherCacheSize?: number;
  /** --fetcher-cache-dir: where cached URIs live (default <work-dir>/fetch-cache). */
  fetcherCacheDir?: string;
  /** --gc-disk-headroom (0..1, default 0.1): completed sandboxes are kept for gc-delay × max(0, 1 − headroom − disk usage). */
  gcDiskHeadroom?: number;
  /** --disk-watch-interval: how often the work directory's disk usage is checked (default 1 minute). */
  diskWatchIntervalMs?: number;
  /** --recover: reconnect (re-adopt tasks left running by a crashed agent) or cleanup (kill them). */
  recover?: 'reconnect' | 'cleanup';
  /** --credential, --http-credentials, --acls, --authenticate-http-readonly; none = open endpoints, no credential sent. */
  security?: AgentSecurityFlags;
  /** --docker-kill-orphans: remove this agent's labelled containers that no checkpoint names (default true). */
  dockerKillOrphans?: boolean;
  /** Body, header, time and event-stream limits (default DEFAULT_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** --ssl-cert/--ssl-key: serve HTTPS (only) on --port. */
  tls?: ServerTlsOptions;
  /** --ca-file: how the agent verifies an HTTPS master and https fetcher URIs; default plain HTTP. */
  clientTls?: ClientTls;
  /** --switch-user (default true): run tasks as CommandInfo.user / FrameworkInfo.user; false: as the agent's user. */
  switchUser?: boolean;
  /** --task-launcher (default posix_spawn, falling back to child_process where libc's posix_spawn cannot be loaded). */
  taskLauncher?: TaskLauncherName;
}

/**
 * How HTTP/TCP checks enter a docker container's network namespace: setns through glibc, which needs root. Without
 * either they connect to the container's address instead (said at start-up).
 */
async function networkNamespaceSockets(logger: Logger): Promise<((pid: number) => Socket) | undefined> {
  if (process.getuid?.() !== 0) {
    logger.warn('docker containerizer: not running as root, so HTTP/TCP checks of containers connect to their address instead of 127.0.0.1 inside them');
    return undefined;
  }
  try {
    return (await import('./containerizer/netns-socket.ts')).socketInNetworkNamespace;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'docker containerizer: setns cannot be loaded, so HTTP/TCP checks of containers connect to their address instead of 127.0.0.1 inside them');
    return undefined;
  }
}

/** The containerizers named in --containerizers; the docker one must reach its Engine at start-up. */
async function createContainerizer(config: AgentConfig, logger: Logger, mesos: ProcessContainerizer): Promise<Containerizer> {
  const byName = new Map<ContainerizerName, Containerizer>();
  for (const name of config.containerizers ?? ['mesos']) {
    if (name === 'mesos') byName.set(name, mesos);
    else {
      const endpoint = config.dockerSocket ?? '/var/run/docker.sock';
      const socketInNetworkNamespace = await networkNamespaceSockets(logger);
      const docker = new DockerContainerizer({
        docker: dockerClient(endpoint), logger, enableCfsQuota: config.cgroupsEnableCfs ?? false, killOrphans: config.dockerKillOrphans ?? true,
        ...(socketInNetworkNamespace ? { socketInNetworkNamespace } : {}),
      });
      try {
        const version = await docker.ping();
        logger.info({ endpoint, version }, 'docker containerizer: Docker Engine answers');
      } catch (err) {
        throw new StartupError(`agent: --containerizers includes docker but the Docker Engine at ${endpoint} (--docker-socket) does not answer: ${(err as Error).message}`);
      }
      byName.set(name, docker);
    }
  }
  return new ComposingContainerizer(byName);
}

export const DEFAULT_CGROUPS_ROOT = 'trireme';
/** Mesos' --gc_delay default: one week. */
export const DEFAULT_GC_DELAY_MS = 7 * 86_400_000;

export interface RunningAgent {
  agent: Agent;
  url: string;
  port: number;
  close(opts?: { killTasks?: boolean }): Promise<void>;
}

/** Mesos' defaults for resources the operator did not list (Containerizer::resources). */
export async function detectResources(workDir: string, text = ''): Promise<Resources> {
  const given = text ? parseResources(text) : Resources.empty();
  const extra: string[] = [];
  const has = (name: string) => given.scalar(name) > 0 || given.ranges(name).length > 0;
  if (!has('cpus')) extra.push(`cpus:${os.cpus().length || 1}`);
  if (!has('mem')) {
    const mb = Math.floor(os.totalmem() / 1024 / 1024);
    extra.push(`mem:${mb >= 2048 ? mb - 1024 : Math.floor(mb / 2)}`);
  }
  if (!has('disk')) {
    let mb = 10240;
    try {
      const s = await statfs(workDir);
      const total = Math.floor((s.blocks * s.bsize) / 1024 / 1024);
      mb = total >= 10240 ? total - 5120 : Math.floor(total / 2);
    } catch { /* fallback as Mesos */ }
    extra.push(`disk:${mb}`);
  }
  if (!has('ports')) extra.push('ports:[31000-32000]');
  return extra.length ? given.plus(parseResources(extra.join(';'))) : given;
}

/** A size as Mesos prints one in /flags: the largest binary unit that divides it exactly (2GB, 100MB, 1500B). */
function formatBytes(n: number): string {
  for (const [unit, factor] of [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) if (n >= factor && n % factor === 0) return `${n / factor}${unit}`;
  return `${n}B`;
}

function agentTaskJson(agentId: string, t: AgentTask): Record<string, unknown> {
  return {
    id: t.info.task_id.value, name: t.info.name, framework_id: t.frameworkId, executor_id: t.executorId, slave_id: agentId, state: t.state,
    resources: Resources.fromJSON(t.info.resources as never).toLegacy(), statuses: t.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp })),
  };
}

export async function startAgent(config: AgentConfig, logger: Logger, clock: Clock = systemClock): Promise<RunningAgent> {
  const security = loadAgentSecurity(config.security ?? {});
  try {
    await mkdir(config.workDir, { recursive: true });
  } catch (err) {
    throw new StartupError(`agent: cannot create work directory ${config.workDir}: ${(err as Error).message}`);
  }
  let resources: Resources;
  try {
    resources = await detectResources(config.workDir, config.resources);
  } catch (err) {
    throw new StartupError(`agent: invalid --resources: ${(err as Error).message}`);
  }
  let isolation: Awaited<ReturnType<typeof setUpIsolation>>;
  try {
    isolation = await setUpIsolation({ isolation: config.isolation, enableCfs: config.cgroupsEnableCfs ?? false, cgroupsRoot: config.cgroupsRoot ?? DEFAULT_CGROUPS_ROOT });
  } catch (err) {
    throw new StartupError(`agent: ${(err as Error).message}`);
  }
  logger.info({ isolation: isolation.flag, cgroups: isolation.cgroupVersion ?? 'none', cfs: config.cgroupsEnableCfs ?? false }, 'isolation');
  const app = createHttpServer(logger, undefined, config.httpLimits, config.tls);
  installTextErrorHandler(app);
  const launcher = await createLauncher(logger, config.taskLauncher ?? 'posix_spawn');
  const mesos = new ProcessContainerizer({ logger, isolation: isolation.isolation, runtimeDir: join(config.workDir, 'meta', 'containers'), launcher });
  const containerizer = await createContainerizer(config, logger, mesos);
  const gcDelayMs = config.gcDelayMs ?? DEFAULT_GC_DELAY_MS;
  const gcDiskHeadroom = config.gcDiskHeadroom ?? DEFAULT_GC_DISK_HEADROOM;
  const diskWatchIntervalMs = config.diskWatchIntervalMs ?? DEFAULT_DISK_WATCH_INTERVAL_MS;
  const sandboxGc = new SandboxGc({ delayMs: gcDelayMs, clock, logger, diskHeadroom: gcDiskHeadroom, diskWatchIntervalMs, workDir: config.workDir });
  const fetcherCache = new FetcherCache({ dir: config.fetcherCacheDir ?? join(config.workDir, 'fetch-cache'), capacity: config.fetcherCacheSize ?? DEFAULT_FETCHER_CACHE_SIZE, logger });
  await fetcherCache.clear();
  const fetcher = new Fetcher({ cache: fetcherCache, logger, ...(config.clientTls ? { tls: config.clientTls } : {}) });
  const registry = new Registry();
  const launchSeconds = new Histogram({
    name: 'trireme_agent_task_launch_seconds', help: 'Task launch on the agent, RUN_TASK receipt to TASK_RUNNING, by step (sandbox, fetch, launch, checkpoint, total)',
    labelNames: ['step'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  // Routes must exist before listening, and the agent needs the bound port (--port 0): the port is filled in after listen.
  let port = config.port;
  const agent = new Agent({
    master: config.master, hostname: config.hostname, port, workDir: config.workDir, resources, attributes: config.attributes,
    containerizer, logger, clock, statusUpdateRetryMs: config.statusUpdateRetryMs, registrationBackoffMs: config.registrationBackoffMs, maxCompletedTasks: 1000,
    onLaunchTimed: (t) => { for (const [step, ms] of Object.entries(t)) launchSeconds.observe({ step }, ms / 1000); },
    fetcher, sandboxGc, recover: config.recover ?? 'reconnect', ...(config.clientTls ? { tls: config.clientTls } : {}), switchUser: config.switchUser ?? true,
    masterAuthorization: security.credential ? basicAuthorization(security.credential.principal, security.credential.secret) : undefined,
  });

  const flags = { master: config.master, ip: config.ip, port: String(port), hostname: config.hostname, work_dir: config.workDir, resources: resources.toString(), containerizers: (config.containerizers ?? ['mesos']).join(','),
    ...(config.dockerSocket ? { docker_socket: config.dockerSocket } : {}), docker_kill_orphans: String(config.dockerKillOrphans ?? true),
    isolation: isolation.flag, cgroups_enable_cfs: String(config.cgroupsEnableCfs ?? false), cgroups_root: config.cgroupsRoot ?? DEFAULT_CGROUPS_ROOT, gc_delay: formatDuration(gcDelayMs),
    fetcher_cache_size: formatBytes(fetcherCache.opts.capacity), fetcher_cache_dir: fetcherCache.opts.dir,
    gc_disk_headroom: String(gcDiskHeadroom), disk_watch_interval: formatDuration(diskWatchIntervalMs), recover: config.recover ?? 'reconnect',
    authenticate_http_readonly: String(security.required.has('readonly')), switch_user: String(config.switchUser ?? true), task_launcher: launcher.name,
    ...(config.security?.credentialFile ? { credential: config.security.credentialFile } : {}),
    ...(config.security?.httpCredentialsFile ? { http_credentials: config.security.httpCredentialsFile } : {}),
    ...(config.security?.aclsFile ? { acls: config.security.aclsFile } : {}) };
  /** The agent's /state as `principal` may see it (view_* ACLs drop other users' frameworks and tasks). */
  const state = (principal: string | undefined) => {
    const id = agent.agentId ?? '';
    const seen = (t: AgentTask) => taskVisible(security.acls, principal, t);
    const byFramework = new Map<string, { active: AgentTask[]; done: AgentTask[] }>();
    const bucket = (fw: string) => { let b = byFramework.get(fw); if (!b) { b = { active: [], done: [] }; byFramework.set(fw, b); } return b; };
    for (const t of agent.tasks.values()) if (seen(t)) (isTerminalState(t.state) ? bucket(t.frameworkId).done : bucket(t.frameworkId).active).push(t);
    for (const t of agent.completedTasks) if (seen(t)) bucket(t.frameworkId).done.push(t);
    const used = agent.usedResources();
    return {
      version: MESOS_COMPAT_VERSION, trireme_version: TRIREME_VERSION, build_user: 'trireme', start_time: agent.startTime / 1000, id,
      pid: `slave(1)@${config.hostname}:${port}`, hostname: config.hostname, capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'AGENT_UPDATE'],
      resources: resources.toLegacy(), unreserved_resources: resources.unreserved().toLegacy(), reserved_resources: {}, used_resources: used.toLegacy(),
      attributes: attributesToLegacy(config.attributes), master_hostname: agent.masterInfo?.hostname ?? '', flags, log_dir: '', external_log_file: '',
      frameworks: [...byFramework].map(([fwId, b]) => {
        const info = agent.frameworks.get(fwId);
        const executor = (t: AgentTask) => ({
          id: t.executorId || t.info.task_id.value, name: `Command Executor (Task: ${t.info.task_id.value})`, source: t.info.task_id.value,
          container: t.containerId, directory: t.sandbox, resources: Resources.fromJSON(t.info.resources as never).toLegacy(),
          tasks: isTerminalState(t.state) ? [] : [agentTaskJson(id, t)], queued_tasks: [], completed_tasks: isTerminalState(t.state) ? [agentTaskJson(id, t)] : [],
        });
        return {
          id: fwId, name: info?.name ?? '', user: info?.user ?? '', failover_timeout: info?.failover_timeout ?? 0, checkpoint: info?.checkpoint ?? false,
          hostname: info?.hostname ?? '', role: info?.role ?? '*', executors: b.active.map(executor), completed_executors: b.done.map(executor),
        };
      }),
      completed_frameworks: [],
    };
  };

  collectDefaultMetrics({ register: registry, prefix: 'trireme_agent_' });
  installHttpSecurity(app, { ...security, realmOf: agentRealm, registry, metricPrefix: 'trireme_agent' });
  installSandboxAuthorization(app, agent, security.acls);
  const snapshot = (): Record<string, number> => {
    const used = agent.usedResources();
    const counts: Record<string, number> = { TASK_STAGING: 0, TASK_STARTING: 0, TASK_RUNNING: 0, TASK_KILLING: 0, TASK_FINISHED: 0, TASK_FAILED: 0, TASK_KILLED: 0, TASK_LOST: 0 };
    for (const t of [...agent.tasks.values(), ...agent.completedTasks]) if (t.state in counts) counts[t.state]!++;
    const out: Record<string, number> = {
      'slave/valid_framework_messages': agent.frameworkMessages.valid, 'slave/invalid_framework_messages': agent.frameworkMessages.invalid,
      'slave/registered': agent.registered ? 1 : 0, 'slave/executor_directory_max_allowed_age_secs': sandboxGc.maxAllowedAgeMs / 1000, 'slave/uptime_secs': (clock.now() - agent.startTime) / 1000, 'slave/frameworks_active': agent.frameworks.size };
    for (const [s, n] of Object.entries(counts)) out[`slave/tasks_${s.slice(5).toLowerCase()}`] = n;
    for (const r of ['cpus', 'mem', 'disk', 'gpus']) {
      const total = resources.scalar(r); const u = used.scalar(r);
      out[`slave/${r}_total`] = total; out[`slave/${r}_used`] = u; out[`slave/${r}_percent`] = total > 0 ? u / total : 0;
    }
    return out;
  };
  new Gauge({ name: 'mesos_slave_state', help: 'Agent gauges under their Mesos names (label: name)', labelNames: ['name'], registers: [registry], collect() { this.reset(); for (const [k, v] of Object.entries(snapshot())) this.set({ name: k }, v); } });

  for (const prefix of ['', '/slave(1)']) {
    app.get(`${prefix}/state`, (req, reply) => sendJson(req, reply, state(principalOf(req))));
    app.get(`${prefix}/state.json`, (req, reply) => sendJson(req, reply, state(principalOf(req))));
    app.get(`${prefix}/health`, (_req, reply) => reply.code(200).send());
    app.get(`${prefix}/flags`, (req, reply) => sendJson(req, reply, { flags }));
    app.get(`${prefix}/monitor/statistics`, async (req, reply) => sendJson(req, reply, await buildStatistics(
      [...agent.tasks.values()].filter((t) => !isTerminalState(t.state)).map((t) => ({
        containerId: t.containerId, frameworkId: t.frameworkId, executorId: t.executorId || t.info.task_id.value,
        executorName: `Command Executor (Task: ${t.info.task_id.value})`, source: t.info.task_id.value,
      })), containerizer)));
  }
  app.get('/version', (req, reply) => sendJson(req, reply, { version: MESOS_COMPAT_VERSION, trireme_version: TRIREME_VERSION, build_user: 'trireme' }));
  app.get('/metrics/snapshot', (req, reply) => sendJson(req, reply, snapshot()));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  registerFilesRoutes(app, {
    roots: () => [config.workDir],
    virtualPaths: (path) => {
      // /frameworks/<fw>/executors/<ex>/runs/latest → this agent's sandbox directory
      const m = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/(.+)$/.exec(path);
      return m ? `${agent.sandboxDir(m[1]!, m[2]!, m[3]!)}` : undefined;
    },
  });

  port = await listen(app, config.ip, config.port, 'agent');
  agent.opts.port = port;
  flags.port = String(port);
  const recovered = new Set(await agent.recover());
  // Sandboxes left by an earlier run of this agent are collected as completed ones, unless a recovered task uses them.
  await sandboxGc.scanExisting(config.workDir, (path) => recovered.has(path));
  sandboxGc.start();
  try {
    await agent.start();
  } catch (err) {
    sandboxGc.stop();
    await app.close();
    if (err instanceof MasterUnreachableError) throw new StartupError(`agent: ${err.message}`);
    throw err;
  }
  const url = `${config.tls ? 'https' : 'http'}://${config.hostname}:${port}`;
  logger.info({ url, master: config.master, resources: resources.toString() }, 'agent listening');
  return {
    agent, url, port,
    async close(opts = {}) {
      sandboxGc.stop();
      await agent.stop(opts.killTasks ?? true);
      await app.close();
      await config.clientTls?.close();
    },
  };
}
