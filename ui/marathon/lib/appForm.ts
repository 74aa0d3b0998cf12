// The create/edit form's model: app JSON ⇄ form state (strings as typed, rows for maps and lists), with every field
// the form does not show kept aside and put back, so switching between the form and the JSON mode loses nothing.
// Also maps Marathon's 422 detail paths (`/cpus`, `/container/docker/image`, `/healthChecks(0)/path`) to fields.

export interface KeyValueRow { key: string; value: string }
export interface PortDefinitionRow { port: string; protocol: string; name: string; extra: Record<string, unknown> }
export interface PortMappingRow { containerPort: string; hostPort: string; servicePort: string; protocol: string; name: string; extra: Record<string, unknown> }
export interface VolumeRow { containerPath: string; hostPath: string; mode: string; extra: Record<string, unknown> }
export interface HealthCheckRow {
  protocol: string; path: string; command: string; portIndex: string;
  gracePeriodSeconds: string; intervalSeconds: string; timeoutSeconds: string; maxConsecutiveFailures: string;
  extra: Record<string, unknown>;
}
export interface ConstraintRow { field: string; operator: string; value: string }

export interface AppForm {
  id: string; cmd: string; cpus: string; mem: string; disk: string; instances: string;
  containerType: '' | 'MESOS' | 'DOCKER';
  /** The JSON had a container: choosing none must then send `container: null` (PUT keeps what it does not get). */
  hadContainer: boolean;
  dockerImage: string; dockerNetwork: string; dockerPrivileged: boolean; dockerForcePullImage: boolean;
  /** Where the JSON kept its port mappings: `container.portMappings` (Marathon ≥ 1.5) or `container.docker.portMappings`. */
  portMappingsIn: 'container' | 'docker';
  portMappings: PortMappingRow[];
  volumes: VolumeRow[];
  env: KeyValueRow[];
  labels: KeyValueRow[];
  healthChecks: HealthCheckRow[];
  portDefinitions: PortDefinitionRow[];
  requirePorts: boolean;
  constraints: ConstraintRow[];
  /** Fields the form does not edit, put back as they were. */
  extra: Record<string, unknown>;
  containerExtra: Record<string, unknown>;
  dockerExtra: Record<string, unknown>;
  /** env entries whose value is not a string (`{secret: name}`). */
  envExtra: Record<string, unknown>;
}

export const HEALTH_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'];
export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'];
export const DOCKER_NETWORKS = ['HOST', 'BRIDGE', 'USER', 'NONE'];

/** Fields of an app's JSON that the API computes; never sent back. */
const READ_ONLY = new Set(['version', 'versionInfo', 'tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments', 'tasks',
  'lastTaskFailure', 'taskStats', 'readinessCheckResults']);

export function emptyHealthCheck(): HealthCheckRow {
  return { protocol: 'HTTP', path: '/', command: '', portIndex: '0', gracePeriodSeconds: '300', intervalSeconds: '60', timeoutSeconds: '20', maxConsecutiveFailures: '3', extra: {} };
}
export const emptyPortDefinition = (): PortDefinitionRow => ({ port: '0', protocol: 'tcp', name: '', extra: {} });
export const emptyPortMapping = (): PortMappingRow => ({ containerPort: '0', hostPort: '0', servicePort: '0', protocol: 'tcp', name: '', extra: {} });
export const emptyVolume = (): VolumeRow => ({ containerPath: '', hostPath: '', mode: 'RW', extra: {} });

/** A new app's form: Marathon's defaults, one port. */
export function newAppForm(): AppForm {
  return appToForm({ id: '', cmd: '', cpus: 0.1, mem: 128, disk: 0, instances: 1, portDefinitions: [{ port: 0, protocol: 'tcp' }] });
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function without(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

function asArray(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(asObject) : [];
}

export function appToForm(json: Record<string, unknown>): AppForm {
  const container = asObject(json.container);
  const docker = asObject(container.docker);
  const mappingsInDocker = !Array.isArray(container.portMappings) && Array.isArray(docker.portMappings);
  const env = asObject(json.env);
  const envExtra: Record<string, unknown> = {};
  const envRows: KeyValueRow[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string') envRows.push({ key, value }); else envExtra[key] = value;
  }
  const legacyPorts = Array.isArray(json.ports) && !Array.isArray(json.portDefinitions) ? (json.ports as unknown[]).map((p) => ({ port: p })) : undefined;
  return {
    id: text(json.id), cmd: text(json.cmd), cpus: text(json.cpus), mem: text(json.mem), disk: text(json.disk), instances: text(json.instances),
    containerType: container.type === 'DOCKER' || container.type === 'MESOS' ? container.type : json.container ? 'DOCKER' : '',
    hadContainer: Boolean(json.container),
    dockerImage: text(docker.image), dockerNetwork: text(docker.network), dockerPrivileged: docker.privileged === true, dockerForcePullImage: docker.forcePullImage === true,
    portMappingsIn: mappingsInDocker ? 'docker' : 'container',
    portMappings: asArray(mappingsInDocker ? docker.portMappings : container.portMappings).map((m) => ({
      containerPort: text(m.containerPort), hostPort: text(m.hostPort), servicePort: text(m.servicePort), protocol: text(m.protocol) || 'tcp', name: text(m.name),
      extra: without(m, ['containerPort', 'hostPort', 'servicePort', 'protocol', 'name']),
    })),
    volumes: asArray(container.volumes).map((v) => ({ containerPath: text(v.containerPath), hostPath: text(v.hostPath), mode: text(v.mode) || 'RW', extra: without(v, ['containerPath', 'hostPath', 'mode']) })),
    env: envRows,
    labels: Object.entries(asObject(json.labels)).map(([key, value]) => ({ key, value: text(value) })),
    healthChecks: asArray(json.healthChecks).map((h) => ({
      protocol: text(h.protocol) || 'HTTP', path: text(h.path), command: text(asObject(h.command).value), portIndex: text(h.portIndex),
      gracePeriodSeconds: text(h.gracePeriodSeconds), intervalSeconds: text(h.intervalSeconds), timeoutSeconds: text(h.timeoutSeconds),
      maxConsecutiveFailures: text(h.maxConsecutiveFailures),
      extra: without(h, ['protocol', 'path', 'command', 'portIndex', 'gracePeriodSeconds', 'intervalSeconds', 'timeoutSeconds', 'maxConsecutiveFailures']),
    })),
    portDefinitions: asArray(legacyPorts ?? json.portDefinitions).map((p) => ({ port: text(p.port), protocol: text(p.protocol) || 'tcp', name: text(p.name), extra: without(p, ['port', 'protocol', 'name']) })),
    requirePorts: json.requirePorts === true,
    constraints: (Array.isArray(json.constraints) ? json.constraints as unknown[] : []).map((c) => {
      const parts = Array.isArray(c) ? c.map(text) : [];
      return { field: parts[0] ?? '', operator: parts[1] ?? '', value: parts[2] ?? '' };
    }),
    extra: without(Object.fromEntries(Object.entries(json).filter(([k]) => !READ_ONLY.has(k))),
      ['id', 'cmd', 'cpus', 'mem', 'disk', 'instances', 'container', 'env', 'labels', 'healthChecks', 'portDefinitions', 'ports', 'requirePorts', 'constraints']),
    containerExtra: without(container, ['type', 'docker', 'volumes', 'portMappings']),
    dockerExtra: without(docker, ['image', 'network', 'privileged', 'forcePullImage', 'portMappings']),
    envExtra,
  };
}

/** A typed number as JSON: empty → left out, a number → the number, anything else → sent as typed (the API names it). */
function num(s: string): number | string | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== '') obj[key] = value;
}

const pairs = (rows: KeyValueRow[]): Record<string, string> =>
  Object.fromEntries(rows.filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value]));

export function formToApp(f: AppForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  put(out, 'id', f.id.trim());
  put(out, 'cmd', f.cmd.trim() === '' ? undefined : f.cmd);
  for (const k of ['cpus', 'mem', 'disk', 'instances'] as const) put(out, k, num(f[k]));
  const bridged = f.containerType === 'DOCKER' && (f.dockerNetwork === 'BRIDGE' || f.dockerNetwork === 'USER');
  if (f.containerType) {
    const mappings = f.portMappings.map((m) => {
      const o: Record<string, unknown> = { ...m.extra };
      put(o, 'containerPort', num(m.containerPort));
      put(o, 'hostPort', num(m.hostPort));
      put(o, 'servicePort', num(m.servicePort));
      put(o, 'protocol', m.protocol);
      put(o, 'name', m.name.trim());
      return o;
    });
    const container: Record<string, unknown> = { type: f.containerType, ...f.containerExtra };
    if (f.containerType === 'DOCKER') {
      const docker: Record<string, unknown> = { ...f.dockerExtra, image: f.dockerImage.trim() };
      put(docker, 'network', f.dockerNetwork);
      if (f.dockerPrivileged) docker.privileged = true;
      if (f.dockerForcePullImage) docker.forcePullImage = true;
      if (f.portMappingsIn === 'docker' && mappings.length > 0) docker.portMappings = mappings;
      container.docker = docker;
    }
    if (f.portMappingsIn === 'container' && mappings.length > 0) container.portMappings = mappings;
    container.volumes = f.volumes.map((v) => {
      const o: Record<string, unknown> = { ...v.extra, containerPath: v.containerPath };
      put(o, 'hostPath', v.hostPath);
      put(o, 'mode', v.mode);
      return o;
    });
    out.container = container;
  } else if (f.hadContainer) out.container = null;
  // Collections are always sent, empty ones too: PUT keeps any field left out, so an emptied list must say so.
  out.env = { ...pairs(f.env), ...f.envExtra };
  out.labels = pairs(f.labels);
  out.healthChecks = f.healthChecks.map((h) => {
    const o: Record<string, unknown> = { ...h.extra, protocol: h.protocol };
    if (h.protocol === 'COMMAND') o.command = { value: h.command };
    else {
      if (/HTTP/.test(h.protocol)) put(o, 'path', h.path);
      put(o, 'portIndex', num(h.portIndex));
    }
    for (const k of ['gracePeriodSeconds', 'intervalSeconds', 'timeoutSeconds', 'maxConsecutiveFailures'] as const) put(o, k, num(h[k]));
    return o;
  });
  if (!bridged) {
    out.portDefinitions = f.portDefinitions.map((p) => {
      const o: Record<string, unknown> = { ...p.extra };
      put(o, 'port', num(p.port));
      put(o, 'protocol', p.protocol);
      put(o, 'name', p.name.trim());
      return o;
    });
  }
  if (f.requirePorts) out.requirePorts = true;
  out.constraints = f.constraints.map((c) => (c.value.trim() === '' ? [c.field.trim(), c.operator] : [c.field.trim(), c.operator, c.value.trim()]));
  return { ...out, ...f.extra };
}

// ---------- 422 details → fields ----------

/** `/healthChecks(0)/path` and `/healthChecks/0/path` → `healthChecks.0.path`; aliases for the same field. */
export function fieldKey(path: string): string {
  const key = path.replace(/\((\d+)\)/g, '/$1').split('/').filter(Boolean).join('.');
  return key
    .replace(/^container\.docker\.portMappings\b/, 'container.portMappings')
    .replace(/^ports\b/, 'portDefinitions')
    .replace(/^env\..*/, 'env')
    .replace(/^labels\..*/, 'labels');
}

/** The field keys the form shows for its current rows (each input's error slot, plus one per row and section). */
export function formFieldKeys(f: AppForm): string[] {
  const keys = ['id', 'cmd', 'cpus', 'mem', 'disk', 'instances', 'container', 'container.type', 'container.docker', 'container.docker.image', 'container.docker.network',
    'env', 'labels', 'healthChecks', 'portDefinitions', 'requirePorts', 'constraints', 'container.portMappings', 'container.volumes'];
  f.portMappings.forEach((_, i) => keys.push(...['', '.containerPort', '.hostPort', '.servicePort', '.protocol', '.name'].map((s) => `container.portMappings.${i}${s}`)));
  f.volumes.forEach((_, i) => keys.push(...['', '.containerPath', '.hostPath', '.mode'].map((s) => `container.volumes.${i}${s}`)));
  f.healthChecks.forEach((_, i) => keys.push(...['', '.protocol', '.path', '.command', '.portIndex', '.gracePeriodSeconds', '.intervalSeconds', '.timeoutSeconds', '.maxConsecutiveFailures'].map((s) => `healthChecks.${i}${s}`)));
  f.portDefinitions.forEach((_, i) => keys.push(...['', '.port', '.protocol', '.name'].map((s) => `portDefinitions.${i}${s}`)));
  f.constraints.forEach((_, i) => keys.push(`constraints.${i}`));
  return keys;
}

export interface AssignedErrors { fields: Record<string, string[]>; general: string[] }

/**
 * Puts each detail on the most specific field shown (`healthChecks.0.command.value` lands on `healthChecks.0.command`);
 * details no field matches (the whole object, unknown fields) go to the general banner, with their path.
 */
export function assignErrors(details: ReadonlyArray<{ path: string; errors: string[] }>, known: readonly string[]): AssignedErrors {
  const knownSet = new Set(known);
  const out: AssignedErrors = { fields: {}, general: [] };
  for (const d of details) {
    let key = fieldKey(d.path);
    while (key && !knownSet.has(key)) key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
    if (key) out.fields[key] = [...(out.fields[key] ?? []), ...d.errors];
    else out.general.push(...d.errors.map((e) => (d.path && d.path !== '/' ? `${d.path}: ${e}` : e)));
  }
  return out;
}
