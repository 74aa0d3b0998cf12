// Turns a planned launch into the Mesos TaskInfo Marathon would send: command, resources, labels and the
// environment Marathon gives every task ($PORT..., $HOST, MARATHON_APP_*, MESOS_TASK_ID).
import type { TaskInfo } from '../proto/mesos.ts';
import type { AppDefinition } from './app-definition.ts';
import type { Launch } from './launch-planner.ts';
import { MESOS_PROTOCOLS, toMesosHealthCheck } from './health/index.ts';

/** Marathon's label variable names: upper case, anything but letters/digits as "_". */
function envName(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** The variables Marathon sets for a task (the app's own `env` is added on top by taskInfoFor). */
export function marathonTaskEnv(app: AppDefinition, taskId: string, host: string, hostPorts: number[]): Record<string, string> {
  const env: Record<string, string> = {};
  if (hostPorts.length > 0) {
    hostPorts.forEach((p, i) => { env[`PORT${i}`] = String(p); });
    env.PORT = String(hostPorts[0]);
    env.PORTS = hostPorts.join(',');
  }
  // PORT_<declared port> and PORT_<NAME> point at the host port serving it.
  const declared = (app.container?.portMappings ?? app.container?.docker?.portMappings)?.filter((m) => m.hostPort !== undefined)
    .map((m) => ({ port: m.containerPort, name: m.name })) ?? app.portDefinitions.map((p) => ({ port: p.port, name: p.name }));
  declared.forEach((d, i) => {
    const hostPort = hostPorts[i];
    if (hostPort === undefined) return;
    if (d.port !== 0) env[`PORT_${d.port}`] = String(hostPort);
    if (d.name) env[`PORT_${envName(d.name)}`] = String(hostPort);
  });
  env.HOST = host;
  env.MESOS_TASK_ID = taskId;
  env.MARATHON_APP_ID = app.id;
  env.MARATHON_APP_VERSION = app.version;
  if (app.container?.docker?.image) env.MARATHON_APP_DOCKER_IMAGE = app.container.docker.image;
  env.MARATHON_APP_RESOURCE_CPUS = String(app.cpus);
  env.MARATHON_APP_RESOURCE_MEM = String(app.mem);
  env.MARATHON_APP_RESOURCE_DISK = String(app.disk);
  env.MARATHON_APP_RESOURCE_GPUS = String(app.gpus);
  const labels = Object.entries(app.labels).filter(([k]) => /^[A-Za-z0-9_-]+$/.test(k));
  env.MARATHON_APP_LABELS = labels.map(([k]) => envName(k)).join(' ');
  for (const [k, v] of labels) env[`MARATHON_APP_LABEL_${envName(k)}`] = v;
  return env;
}

/** Marathon 1.5+ apps give the network in `networks`; the legacy docker.network wins when set. */
function dockerNetwork(app: AppDefinition): 'HOST' | 'BRIDGE' | 'USER' {
  const mode = app.networks?.[0]?.mode;
  return mode === 'container/bridge' ? 'BRIDGE' : mode === 'container' ? 'USER' : 'HOST';
}

export function taskInfoFor(launch: Launch): TaskInfo {
  const { app, taskId } = launch;
  const env = { ...marathonTaskEnv(app, taskId, launch.host, launch.ports) };
  for (const [k, v] of Object.entries(app.env)) if (typeof v === 'string') env[k] = v;
  const command: NonNullable<TaskInfo['command']> = {
    environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
    uris: app.fetch.map((f) => ({ value: f.uri, executable: f.executable, extract: f.extract, cache: f.cache, ...(f.destPath ?? f.outputFile ? { output_file: f.destPath ?? f.outputFile } : {}) })),
    ...(app.user ? { user: app.user } : {}),
  };
  if (app.cmd !== null) { command.shell = true; command.value = app.cmd; }
  else if (app.args !== null) {
    command.shell = false; command.arguments = app.args;
    // As Marathon: a Docker image keeps its entrypoint and gets `args` as its arguments; a plain command runs args[0].
    if (app.container?.type !== 'DOCKER') command.value = app.args[0];
  }
  else command.shell = false;
  const task: TaskInfo = {
    name: app.id.replace(/^\//, '').split('/').reverse().join('.'),
    task_id: { value: taskId },
    agent_id: { value: launch.agentId },
    resources: launch.resources,
    command,
    labels: { labels: Object.entries(app.labels).map(([key, value]) => ({ key, value })) },
    discovery: {
      visibility: 'FRAMEWORK', name: app.id.replace(/^\//, '').split('/').reverse().join('.'),
      ports: { ports: launch.ports.map((number, i) => ({ number, protocol: app.portDefinitions[i]?.protocol ?? 'tcp', ...(app.portDefinitions[i]?.name ? { name: app.portDefinitions[i]!.name } : {}) })) },
    },
  };
  // COMMAND / MESOS_* checks run on the agent (Mesos takes one per task: the first such check).
  const mesosCheck = app.healthChecks.find((hc) => MESOS_PROTOCOLS.includes(hc.protocol));
  const healthCheck = mesosCheck && toMesosHealthCheck(mesosCheck, launch.ports);
  if (healthCheck) task.health_check = healthCheck as unknown as Record<string, unknown>;
  if (app.taskKillGracePeriodSeconds !== null) task.kill_policy = { grace_period: { nanoseconds: Math.round(app.taskKillGracePeriodSeconds * 1e9) } };
  if (app.container) {
    const docker = app.container.docker;
    task.container = {
      type: app.container.type,
      ...(docker && !docker.network && dockerNetwork(app) === 'USER' ? { network_infos: (app.networks ?? []).filter((n) => n.mode === 'container').map((n) => ({ ...(n.name ? { name: n.name } : {}) })) } : {}),
      volumes: app.container.volumes.map((v) => ({ container_path: v.containerPath, ...(v.hostPath ? { host_path: v.hostPath } : {}), mode: v.mode })),
      ...(docker ? {
        docker: {
          image: docker.image, network: docker.network ?? dockerNetwork(app), privileged: docker.privileged, force_pull_image: docker.forcePullImage,
          parameters: docker.parameters, port_mappings: (docker.portMappings ?? app.container.portMappings ?? []).flatMap((m, i) => (m.hostPort === undefined ? [] : [{ host_port: launch.ports[i] ?? m.hostPort, container_port: m.containerPort, protocol: m.protocol }])),
        },
      } : {}),
    };
  }
  return task;
}
