// Pure mapping of a task's ContainerInfo/CommandInfo/resources to Docker Engine "create container" options,
// following what Mesos' docker containerizer passes to `docker run` (src/docker/docker.cpp, RunOptions).
import { isAbsolute, join } from 'node:path';
import type { ContainerCreateOptions, HostConfig, MountSettings } from 'dockerode';
import type { Resources } from '../../common/resources.ts';
import type { CommandInfo, ContainerInfo, Label } from '../../proto/mesos.ts';

/** Where the task's sandbox appears inside the container (Mesos' --sandbox_directory default). */
export const MAPPED_SANDBOX = '/mnt/mesos/sandbox';

/** Labels on every container the agent creates, so a restarted agent can find its own. */
export const LABELS = {
  agentId: 'trireme.agent_id', frameworkId: 'trireme.framework_id', taskId: 'trireme.task_id', containerId: 'trireme.container_id',
} as const;

const CPU_SHARES_PER_CPU = 1024;
const MIN_CPU_SHARES = 2;
const CFS_PERIOD_US = 100_000;
const MIN_CFS_QUOTA_US = 1_000;
const MIN_MEMORY_BYTES = 32 * 1024 * 1024;

export function containerName(containerId: string): string {
  return `mesos-${containerId}`;
}

/** "Container exited with status 3", as Mesos' docker executor words it. */
export function dockerExitMessage(statusCode: number): string {
  return `Container exited with status ${statusCode}`;
}

export class DockerOptionsError extends Error {}

export interface DockerLaunch {
  containerId: string;
  agentId: string;
  frameworkId: string;
  taskId: string;
  container: ContainerInfo;
  command: CommandInfo;
  /** The agent's MESOS_* variables; they win over the task's own of the same name. */
  env: Record<string, string>;
  sandbox: string;
  resources: Resources;
  labels: Label[];
  /** CFS quota from `cpus` too (Mesos' --cgroups_enable_cfs), not only CPU shares. */
  enableCfsQuota: boolean;
}

type Apply = (o: ContainerCreateOptions, hc: HostConfig, value: string) => void;

/** "64m", "1g", "512k", "1048576" → bytes (Docker's binary units). */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(text.trim());
  if (!m) throw new DockerOptionsError(`'${text}' is not a size (e.g. 64m, 1g)`);
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** Math.max(power, 0));
}

function parseBool(key: string, value: string): boolean {
  if (value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new DockerOptionsError(`docker parameter '${key}' takes true or false, not '${value}'`);
}

function parseNumber(key: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new DockerOptionsError(`docker parameter '${key}' takes a number, not '${value}'`);
  return n;
}

function keyValue(key: string, value: string): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0) throw new DockerOptionsError(`docker parameter '${key}' takes name=value, not '${value}'`);
  return [value.slice(0, i), value.slice(i + 1)];
}

function push(hc: HostConfig, key: keyof HostConfig, item: unknown): void {
  const list = (hc[key] as unknown[] | undefined) ?? [];
  list.push(item);
  (hc as Record<string, unknown>)[key] = list;
}

function addPortBinding(o: ContainerCreateOptions, hc: HostConfig, containerPort: number, protocol: string, hostPort: string, hostIp = ''): void {
  for (const proto of (protocol || 'tcp').toLowerCase().split(',')) {
    const key = `${containerPort}/${proto.trim()}`;
    (hc.PortBindings ??= {} as never)[key] = [...((hc.PortBindings as Record<string, unknown[]>)[key] ?? []), { HostIp: hostIp, HostPort: hostPort }];
    (o.ExposedPorts ??= {})[key] = {};
  }
}

/** `docker run` flags given as DockerInfo.parameters (key without dashes), mapped onto the Engine API. */
const PARAMETERS: Record<string, Apply> = {
  env: (o, _hc, v) => { (o.Env ??= []).push(v); },
  label: (o, _hc, v) => { const i = v.indexOf('='); (o.Labels ??= {})[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1); },
  volume: (_o, hc, v) => push(hc, 'Binds', v),
  user: (o, _hc, v) => { o.User = v; },
  workdir: (o, _hc, v) => { o.WorkingDir = v; },
  hostname: (o, _hc, v) => { o.Hostname = v; },
  entrypoint: (o, _hc, v) => { o.Entrypoint = v === '' ? [''] : [v]; },
  'stop-signal': (o, _hc, v) => { o.StopSignal = v; },
  'stop-timeout': (o, _hc, v) => { o.StopTimeout = parseNumber('stop-timeout', v); },
  expose: (o, _hc, v) => { (o.ExposedPorts ??= {})[v.includes('/') ? v : `${v}/tcp`] = {}; },
  publish: (o, hc, v) => {
    const m = /^(?:([\d.]+):)?(\d+)?:(\d+)(?:\/(\w+))?$/.exec(v);
    if (!m) throw new DockerOptionsError(`docker parameter 'publish' takes [ip:]hostPort:containerPort[/proto], not '${v}'`);
    addPortBinding(o, hc, Number(m[3]), m[4] ?? 'tcp', m[2] ?? '', m[1] ?? '');
  },
  'add-host': (_o, hc, v) => push(hc, 'ExtraHosts', v),
  'cap-add': (_o, hc, v) => push(hc, 'CapAdd', v),
  'cap-drop': (_o, hc, v) => push(hc, 'CapDrop', v),
  dns: (_o, hc, v) => push(hc, 'Dns', v),
  'dns-search': (_o, hc, v) => push(hc, 'DnsSearch', v),
  'dns-option': (_o, hc, v) => push(hc, 'DnsOptions', v),
  'security-opt': (_o, hc, v) => push(hc, 'SecurityOpt', v),
  'group-add': (_o, hc, v) => push(hc, 'GroupAdd', v),
  memory: (_o, hc, v) => { hc.Memory = parseByteSize(v); },
  'memory-swap': (_o, hc, v) => { hc.MemorySwap = v === '-1' ? -1 : parseByteSize(v); },
  'memory-reservation': (_o, hc, v) => { hc.MemoryReservation = parseByteSize(v); },
  'memory-swappiness': (_o, hc, v) => { hc.MemorySwappiness = parseNumber('memory-swappiness', v); },
  'shm-size': (_o, hc, v) => { hc.ShmSize = parseByteSize(v); },
  'cpu-shares': (_o, hc, v) => { hc.CpuShares = parseNumber('cpu-shares', v); },
  cpus: (_o, hc, v) => { hc.NanoCpus = Math.round(parseNumber('cpus', v) * 1e9); hc.CpuQuota = 0; hc.CpuPeriod = 0; },
  'cpu-quota': (_o, hc, v) => { hc.CpuQuota = parseNumber('cpu-quota', v); },
  'cpu-period': (_o, hc, v) => { hc.CpuPeriod = parseNumber('cpu-period', v); },
  'cpuset-cpus': (_o, hc, v) => { hc.CpusetCpus = v; },
  'cpuset-mems': (_o, hc, v) => { hc.CpusetMems = v; },
  'pids-limit': (_o, hc, v) => { hc.PidsLimit = parseNumber('pids-limit', v); },
  'oom-kill-disable': (_o, hc, v) => { hc.OomKillDisable = parseBool('oom-kill-disable', v); },
  'oom-score-adj': (_o, hc, v) => { hc.OomScoreAdj = parseNumber('oom-score-adj', v); },
  'read-only': (_o, hc, v) => { hc.ReadonlyRootfs = parseBool('read-only', v); },
  init: (_o, hc, v) => { hc.Init = parseBool('init', v); },
  privileged: (_o, hc, v) => { hc.Privileged = parseBool('privileged', v); },
  network: (_o, hc, v) => { hc.NetworkMode = v; },
  ipc: (_o, hc, v) => { hc.IpcMode = v; },
  pid: (_o, hc, v) => { hc.PidMode = v; },
  uts: (_o, hc, v) => { hc.UTSMode = v; },
  'log-driver': (_o, hc, v) => { hc.LogConfig = { Type: v, Config: hc.LogConfig?.Config ?? {} }; },
  'log-opt': (_o, hc, v) => { const [k, val] = keyValue('log-opt', v); hc.LogConfig = { Type: hc.LogConfig?.Type ?? '', Config: { ...hc.LogConfig?.Config, [k]: val } }; },
  sysctl: (_o, hc, v) => { const [k, val] = keyValue('sysctl', v); hc.Sysctls = { ...hc.Sysctls, [k]: val }; },
  tmpfs: (_o, hc, v) => { const i = v.indexOf(':'); hc.Tmpfs = { ...hc.Tmpfs, [i < 0 ? v : v.slice(0, i)]: i < 0 ? '' : v.slice(i + 1) }; },
  ulimit: (_o, hc, v) => {
    const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(v);
    if (!m) throw new DockerOptionsError(`docker parameter 'ulimit' takes name=soft[:hard], not '${v}'`);
    push(hc, 'Ulimits', { Name: m[1], Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) });
  },
  device: (_o, hc, v) => {
    const [host, container, perms] = v.split(':');
    push(hc, 'Devices', { PathOnHost: host, PathInContainer: container || host, CgroupPermissions: perms || 'rwm' });
  },
};

const ALIASES: Record<string, string> = {
  e: 'env', l: 'label', v: 'volume', u: 'user', w: 'workdir', h: 'hostname', m: 'memory', c: 'cpu-shares', p: 'publish',
  net: 'network', 'dns-opt': 'dns-option',
};

/** Flags that would take the container away from the agent's bookkeeping. */
const REFUSED: Record<string, string> = {
  name: 'the agent names the container mesos-<container id>',
  rm: 'the agent removes the container itself once it has recorded the exit',
  detach: 'the agent runs every container detached',
  restart: 'restarts belong to the scheduler, which sees each exit as a task state',
};

export function applyParameters(o: ContainerCreateOptions, hc: HostConfig, parameters: Array<{ key: string; value: string }>): void {
  for (const { key: rawKey, value } of parameters) {
    const key = ALIASES[rawKey.replace(/^-+/, '')] ?? rawKey.replace(/^-+/, '');
    if (REFUSED[key]) throw new DockerOptionsError(`docker parameter '${rawKey}' is not allowed: ${REFUSED[key]}`);
    const apply = PARAMETERS[key];
    if (!apply) throw new DockerOptionsError(`unsupported docker parameter '${rawKey}' (supported: ${Object.keys(PARAMETERS).join(', ')})`);
    apply(o, hc, value);
  }
}

function portsContain(resources: Resources, port: number): boolean {
  return resources.ranges('ports').some(([b, e]) => port >= b && port <= e);
}

/**
 * Volumes as docker run would bind them. Sources inside the task's sandbox (the sandbox itself, relative host
 * paths) become Mounts rather than "src:dst" Binds: a sandbox path holds the task id, which may contain ':'
 * (Chronos' ct:<ms>:<attempt>:<name>:), and Binds cannot express that. The containerizer creates Mount sources.
 */
function volumes(l: DockerLaunch): { binds: string[]; mounts: MountSettings[] } {
  const binds: string[] = [];
  const mounts: MountSettings[] = [];
  for (const v of l.container.volumes ?? []) {
    const target = isAbsolute(v.container_path) ? v.container_path : join(MAPPED_SANDBOX, v.container_path);
    const mode = (v.mode ?? 'RW').toLowerCase();
    if (v.host_path !== undefined) {
      if (!isAbsolute(v.host_path) && !isAbsolute(v.container_path)) {
        throw new DockerOptionsError(`Both host_path '${v.host_path}' and container_path '${v.container_path}' of a volume are relative`);
      }
      // A relative host path is a directory in the task's sandbox.
      if (isAbsolute(v.host_path)) binds.push(`${v.host_path}:${target}:${mode}`);
      else mounts.push({ Type: 'bind', Source: join(l.sandbox, v.host_path), Target: target, ReadOnly: mode === 'ro' });
    } else if (v.source?.type === 'DOCKER_VOLUME') {
      const name = (v.source as { docker_volume?: { name?: string } }).docker_volume?.name;
      if (!name) throw new DockerOptionsError(`volume '${v.container_path}': source.docker_volume.name is required`);
      binds.push(`${name}:${target}:${mode}`);
    } else {
      throw new DockerOptionsError(`volume '${v.container_path}': host_path or a DOCKER_VOLUME source is required`);
    }
  }
  mounts.push({ Type: 'bind', Source: l.sandbox, Target: MAPPED_SANDBOX, ReadOnly: false });
  return { binds, mounts };
}

function networkMode(l: DockerLaunch): string {
  const network = l.container.docker?.network ?? 'HOST';
  switch (network) {
    case 'HOST': return 'host';
    case 'BRIDGE': return 'bridge';
    case 'NONE': return 'none';
    case 'USER': {
      const infos = l.container.network_infos ?? [];
      if (infos.length !== 1) throw new DockerOptionsError(infos.length === 0 ? 'USER network needs container.network_infos with a network name' : 'Only a single network can be defined in Docker run');
      if (!infos[0]!.name) throw new DockerOptionsError('USER network: network_infos[0].name is required');
      return infos[0]!.name;
    }
  }
}

/** The Engine API body for POST /containers/create?name=mesos-<id>. Throws DockerOptionsError on bad input. */
export function containerCreateOptions(l: DockerLaunch): ContainerCreateOptions {
  const docker = l.container.docker;
  if (!docker?.image) throw new DockerOptionsError('a DOCKER container needs container.docker.image');
  const name = containerName(l.containerId);
  const mode = networkMode(l);
  const { binds, mounts } = volumes(l);
  const hc: HostConfig = { NetworkMode: mode, Binds: binds, Mounts: mounts, Privileged: docker.privileged ?? false };
  const o: ContainerCreateOptions = { name, Image: docker.image, HostConfig: hc, AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false };

  const cpus = l.resources.scalar('cpus');
  if (cpus > 0) {
    hc.CpuShares = Math.max(Math.floor(CPU_SHARES_PER_CPU * cpus), MIN_CPU_SHARES);
    if (l.enableCfsQuota) { hc.CpuPeriod = CFS_PERIOD_US; hc.CpuQuota = Math.max(Math.round(CFS_PERIOD_US * cpus), MIN_CFS_QUOTA_US); }
  }
  const mem = l.resources.scalar('mem');
  if (mem > 0) hc.Memory = Math.max(Math.round(mem * 1024 * 1024), MIN_MEMORY_BYTES);

  // Environment: the task's variables, the agent's MESOS_* over them, then the in-container sandbox path.
  const env: Record<string, string> = {};
  for (const v of l.command.environment?.variables ?? []) if (v.value !== undefined) env[v.name] = v.value;
  Object.assign(env, l.env, { MESOS_SANDBOX: MAPPED_SANDBOX, MESOS_CONTAINER_NAME: name });
  o.Env = Object.entries(env).map(([k, v]) => `${k}=${v}`);

  if (l.container.hostname) {
    if (mode === 'host') throw new DockerOptionsError('Unable to set hostname with host network mode');
    o.Hostname = l.container.hostname;
  }

  const mappings = docker.port_mappings ?? [];
  if (mappings.length > 0) {
    if (mode === 'host' || mode === 'none') throw new DockerOptionsError('Port mappings are only supported for bridge and user-defined networks');
    for (const m of mappings) {
      if (!portsContain(l.resources, m.host_port)) throw new DockerOptionsError(`Port [${m.host_port}] not included in resources`);
      addPortBinding(o, hc, m.container_port, m.protocol ?? 'tcp', String(m.host_port));
    }
  }

  const labels: Record<string, string> = {};
  for (const label of l.labels) labels[label.key] = label.value ?? '';
  o.Labels = labels;
  applyParameters(o, hc, docker.parameters ?? []);
  Object.assign(o.Labels!, {
    [LABELS.agentId]: l.agentId, [LABELS.frameworkId]: l.frameworkId, [LABELS.taskId]: l.taskId, [LABELS.containerId]: l.containerId,
  });

  // As Mesos: a shell command runs as `/bin/sh -c <value>` in place of the image's entrypoint; otherwise the value
  // and arguments replace the image's CMD (the image's ENTRYPOINT stays), and with neither the image runs as built.
  const shell = l.command.shell ?? true;
  if (shell) {
    if (!l.command.value) throw new DockerOptionsError('Shell specified but no command value provided');
    o.Entrypoint = ['/bin/sh'];
    o.Cmd = ['-c', l.command.value];
  } else {
    const cmd = [...(l.command.value ? [l.command.value] : []), ...(l.command.arguments ?? [])];
    if (cmd.length > 0) o.Cmd = cmd;
  }
  return o;
}

/** The parts of `docker inspect` that say how a health check reaches a container. */
export interface InspectedNetwork {
  HostConfig?: { NetworkMode?: string; PortBindings?: Record<string, Array<{ HostPort?: string }> | null> | null };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

/**
 * A check's port as the container sees it: a mapped host port becomes its container port (Mesos expects the
 * container port; a scheduler that sends the host port still reaches the task), any other port stays.
 */
export function containerPortOf(info: InspectedNetwork): (checkPort: number) => number {
  const toContainer = new Map<number, number>();
  for (const [key, bindings] of Object.entries(info.HostConfig?.PortBindings ?? {})) {
    const containerPort = Number(key.split('/')[0]);
    for (const b of bindings ?? []) if (b.HostPort) toContainer.set(Number(b.HostPort), containerPort);
  }
  return (p) => toContainer.get(p) ?? p;
}

/**
 * Where HTTP/TCP health checks of a docker task connect when the agent cannot enter the container's network
 * namespace (as Mesos does, checking 127.0.0.1 there; see netns-socket.ts): what the namespace exposes. Host
 * networking → the agent's own address (undefined here: the default); bridge or a user network → the container's
 * IP with containerPortOf; no network → unreachable, with the reason.
 */
export function checkAddress(info: InspectedNetwork): { host: string; port(checkPort: number): number } | { unreachable: string } | undefined {
  const mode = info.HostConfig?.NetworkMode ?? 'default';
  if (mode === 'host') return undefined;
  if (mode === 'none') return { unreachable: 'the container has no network (NONE): the agent cannot reach it' };
  const networks = info.NetworkSettings?.Networks ?? {};
  const ip = networks[mode]?.IPAddress || Object.values(networks).map((n) => n.IPAddress).find(Boolean) || info.NetworkSettings?.IPAddress;
  if (!ip) return { unreachable: `the container has no IP address on network '${mode}'` };
  return { host: ip, port: containerPortOf(info) };
}
