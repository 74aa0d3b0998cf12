import { Command, InvalidArgumentError, Option } from 'commander';
import bytes from 'bytes';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { parseAttributes, parseResources } from '../common/resources.ts';
import { startAgent } from '../agent/server.ts';
import { boolArg, durationArg, envOption, portArg, runRole } from './options.ts';
import { roleTls, withTlsOptions } from './tls-options.ts';
import { CONTAINERIZER_NAMES, type ContainerizerName } from '../agent/containerizer/composing.ts';
import { addHttpLimitOptions, httpLimitsFromOptions } from '../security/limit-flags.ts';
import { DEFAULT_HTTP_LIMITS } from '../security/http-limits.ts';

function containerizersArg(value: string): ContainerizerName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('name at least one containerizer (mesos, docker)');
  for (const n of names) if (!(CONTAINERIZER_NAMES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown containerizer '${n}' (known: ${CONTAINERIZER_NAMES.join(', ')})`);
  return [...new Set(names)] as ContainerizerName[];
}

function resourcesArg(value: string): string {
  try { parseResources(value); } catch (err) { throw new InvalidArgumentError((err as Error).message); }
  return value;
}

function attributesArg(value: string) {
  try { return parseAttributes(value); } catch (err) { throw new InvalidArgumentError((err as Error).message); }
}

/** Mesos refuses a --gc_disk_headroom outside [0, 1]. */
function headroomArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`must be a number between 0.0 and 1.0, got '${value}'`);
  return n;
}

/** A size in Mesos' byte syntax: 512B, 64KB, 100MB, 2GB (binary units). */
function bytesArg(value: string): number {
  const n = /^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb)\s*$/i.test(value) ? bytes.parse(value) : null;
  if (n === null || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a size (e.g. 512MB, 2GB)`);
  return n;
}

function positiveDurationArg(value: string): number {
  const ms = durationArg(value);
  if (ms <= 0) throw new InvalidArgumentError(`must be longer than 0, got '${value}'`);
  return ms;
}

export function agentCommand(): Command {
  return addHttpLimitOptions(withTlsOptions(new Command('agent')
    .description('run an agent: advertises resources to the master and runs tasks in sandboxes')
    .addOption(envOption('agent', '--master <address>', 'the master to register with: host:port, or zk://host:port,.../mesos to follow the leading master').makeOptionMandatory())
    .addOption(envOption('agent', '--ip <ip>', 'address to listen on').default('0.0.0.0'))
    .addOption(envOption('agent', '--port <port>', 'port to listen on (0 = any free port)').default(5051).argParser(portArg))
    .addOption(envOption('agent', '--hostname <name>', 'hostname advertised in offers').default(undefined, "--ip if set, else this machine's hostname"))
    .addOption(envOption('agent', '--work-dir <dir>', 'directory for sandboxes and checkpoints').default('./data/agent'))
    .addOption(envOption('agent', '--resources <text>', 'e.g. "cpus:2;mem:1024;disk:10000;ports:[31000-32000]" (default: detected)').argParser(resourcesArg))
    .addOption(envOption('agent', '--attributes <text>', 'e.g. "rack:r1;zone:a"').default([], 'none').argParser(attributesArg))
    .addOption(envOption('agent', '--containerizers <list>', 'comma-separated: mesos (plain processes), docker (DOCKER containers through the Docker Engine)').default(['mesos'], 'mesos').argParser(containerizersArg))
    .addOption(envOption('agent', '--docker-socket <path>', 'Docker Engine endpoint for the docker containerizer: socket path, unix://path or tcp://host:port').default(undefined, '$DOCKER_HOST, else /var/run/docker.sock'))
    .addOption(envOption('agent', '--status-update-retry-interval <duration>', 'first retry of an unacknowledged status update (doubles up to 10mins)').default(10_000, '10secs').argParser(durationArg))
    .addOption(envOption('agent', '--registration-backoff-factor <duration>', 'backoff factor for re-registration attempts').default(1000, '1secs').argParser(durationArg))
    .addOption(envOption('agent', '--isolation <list>', 'isolators: cgroups/cpu,cgroups/mem (limits enforced) or posix/cpu,posix/mem (no limits)').default(undefined, 'cgroups/cpu,cgroups/mem when cgroups are writable, else posix/cpu,posix/mem'))
    .addOption(envOption('agent', '--cgroups-enable-cfs', 'cap each task at its cpus with a CFS quota (not only shares)').default(false))
    .addOption(envOption('agent', '--cgroups-root <name>', 'parent cgroup of the tasks\' cgroups').default('trireme'))
    .addOption(envOption('agent', '--gc-delay <duration>', 'how long completed sandboxes are kept before garbage collection').default(7 * 86_400_000, '1weeks').argParser(durationArg))
    .addOption(envOption('agent', '--fetcher-cache-size <bytes>', 'bytes the fetcher cache (URIs with cache: true) may hold; least recently used entries are evicted').default(2 * 1024 ** 3, '2GB').argParser(bytesArg))
    .addOption(envOption('agent', '--fetcher-cache-dir <dir>', 'directory of the fetcher cache (its files are removed when the agent starts)').default(undefined, '<work-dir>/fetch-cache'))
    .addOption(envOption('agent', '--gc-disk-headroom <fraction>', 'share of the disk to keep free: completed sandboxes are kept for gc-delay × max(0, 1 − headroom − disk usage)').default(0.1).argParser(headroomArg))
    .addOption(envOption('agent', '--disk-watch-interval <duration>', 'how often the work directory\'s disk usage is checked for --gc-disk-headroom').default(60_000, '1mins').argParser(positiveDurationArg))
    .addOption(envOption('agent', '--recover <mode>', 'after a crash: reconnect = re-adopt the tasks still running, cleanup = kill them').default('reconnect').choices(['reconnect', 'cleanup']))
    .addOption(envOption('agent', '--credential <file>', 'this agent\'s principal and secret for a master with --authenticate-agents: {"principal","secret"} or one "principal secret" line'))
    .addOption(envOption('agent', '--http-credentials <file>', 'who may call this agent\'s endpoints: same format as the master\'s --credentials'))
    .addOption(envOption('agent', '--authenticate-http-readonly', 'read-only endpoints (state, files, monitor, metrics) need credentials; needs --http-credentials').default(false))
    .addOption(envOption('agent', '--acls <file>', 'Mesos ACLs JSON; the agent applies access_sandboxes (files API) and get_endpoints'))
    .addOption(envOption('agent', '--docker-kill-orphans <bool>', 'after recovery, remove docker containers labelled with this agent\'s id that no checkpointed task owns').default('true').choices(['true', 'false']))
    .addOption(envOption('agent', '--switch-user [bool]', 'run each task as its CommandInfo.user, else its FrameworkInfo.user (needs a root agent); false: as the agent\'s user').default(true).argParser(boolArg))
    .addOption(new Option('--no-switch-user', 'same as --switch-user=false'))
    .addOption(envOption('agent', '--task-launcher <name>', 'how the mesos containerizer starts tasks: posix_spawn (libc through FFI; falls back to child_process with a warning where unavailable) or child_process (Node, forks the agent)').default('posix_spawn').choices(['posix_spawn', 'child_process'])), 'agent', { client: true })
    .action(async (o) => {
      const logger = createLogger('agent');
      await runRole(async () => startAgent({
        master: o.master, ip: o.ip, port: o.port, hostname: o.hostname ?? (o.ip === '0.0.0.0' ? os.hostname() : o.ip), workDir: resolve(o.workDir),
        resources: o.resources, attributes: o.attributes, statusUpdateRetryMs: o.statusUpdateRetryInterval, registrationBackoffMs: o.registrationBackoffFactor,
        containerizers: o.containerizers, dockerSocket: o.dockerSocket ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock',
        isolation: o.isolation, cgroupsEnableCfs: o.cgroupsEnableCfs, cgroupsRoot: o.cgroupsRoot, gcDelayMs: o.gcDelay, recover: o.recover,
        fetcherCacheSize: o.fetcherCacheSize, ...(o.fetcherCacheDir ? { fetcherCacheDir: resolve(o.fetcherCacheDir) } : {}),
        gcDiskHeadroom: o.gcDiskHeadroom, diskWatchIntervalMs: o.diskWatchInterval,
        security: {
          credentialFile: o.credential ? resolve(o.credential) : undefined, httpCredentialsFile: o.httpCredentials ? resolve(o.httpCredentials) : undefined,
          aclsFile: o.acls ? resolve(o.acls) : undefined, authenticateHttpReadonly: o.authenticateHttpReadonly,
        },
        dockerKillOrphans: o.dockerKillOrphans !== 'false', switchUser: o.switchUser !== false, taskLauncher: o.taskLauncher,
        httpLimits: httpLimitsFromOptions(o),
        ...roleTls('agent', o),
      }, logger));
    }), 'agent', DEFAULT_HTTP_LIMITS);
}
