// Marathon's app definition: the wire schema (zod, strict: unknown fields are errors), Marathon 1.x defaults, the
// cross-field rules, and the 422 error shape `{message: "Object is not valid", details: [{path, errors}]}`.
import { z } from 'zod';
import { ID_RULE, resolvePathId } from './path-id.ts';
import { normalizeConstraints, validateConstraints, type Constraint } from './constraints.ts';
import { normalizeHealthCheck, validateHealthChecks, type HealthCheckDefinition } from './health/index.ts';

const nonNegative = (what: string) => z.number({ error: `${what} must be a number` }).nonnegative(`${what} must be greater than or equal to 0`);
const stringMap = z.record(z.string(), z.string({ error: 'must be a string' }));

const portDefinitionSchema = z.strictObject({
  port: z.number().int().min(0).max(65535),
  protocol: z.enum(['tcp', 'udp', 'udp,tcp', 'tcp,udp']).default('tcp'),
  name: z.string().regex(/^[a-z0-9-]+$/, 'port names must match ^[a-z0-9-]+$').optional(),
  labels: stringMap.default({}),
});

const portMappingSchema = z.strictObject({
  containerPort: z.number().int().min(0).max(65535).default(0),
  hostPort: z.number().int().min(0).max(65535).optional(),
  servicePort: z.number().int().min(0).max(65535).default(0),
  protocol: z.enum(['tcp', 'udp', 'udp,tcp', 'tcp,udp']).default('tcp'),
  name: z.string().regex(/^[a-z0-9-]+$/, 'port names must match ^[a-z0-9-]+$').optional(),
  labels: stringMap.default({}),
  networkNames: z.array(z.string()).optional(),
});

const volumeSchema = z.strictObject({
  containerPath: z.string().min(1),
  hostPath: z.string().optional(),
  mode: z.enum(['RO', 'RW']).default('RW'),
  persistent: z.strictObject({ size: z.number().int().positive(), type: z.enum(['root', 'path', 'mount']).optional() }).optional(),
  external: z.looseObject({ name: z.string(), provider: z.string() }).optional(),
});

const dockerSchema = z.strictObject({
  image: z.string().min(1, 'docker image must not be empty'),
  network: z.enum(['HOST', 'BRIDGE', 'USER', 'NONE']).optional(),
  portMappings: z.array(portMappingSchema).optional(),
  privileged: z.boolean().default(false),
  parameters: z.array(z.strictObject({ key: z.string().min(1), value: z.string() })).default([]),
  forcePullImage: z.boolean().default(false),
  credential: z.strictObject({ principal: z.string(), secret: z.string().optional() }).optional(),
  pullConfig: z.looseObject({}).optional(),
});

const containerSchema = z.strictObject({
  type: z.enum(['DOCKER', 'MESOS']).default('DOCKER'),
  docker: dockerSchema.optional(),
  volumes: z.array(volumeSchema).default([]),
  portMappings: z.array(portMappingSchema).optional(),
});

const readinessCheckSchema = z.strictObject({
  name: z.string().default('readinessCheck'),
  protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
  path: z.string().default('/'),
  portName: z.string().default('http-api'),
  intervalSeconds: z.number().int().positive().default(30),
  timeoutSeconds: z.number().int().positive().default(10),
  httpStatusCodesForReady: z.array(z.number().int()).default([200]),
  preserveLastResponse: z.boolean().default(false),
});

const fetchSchema = z.strictObject({
  uri: z.string().min(1),
  executable: z.boolean().default(false),
  extract: z.boolean().default(true),
  cache: z.boolean().default(false),
  outputFile: z.string().optional(),
  destPath: z.string().optional(),
});

const unreachableSchema = z.union([
  z.literal('disabled'),
  z.strictObject({ inactiveAfterSeconds: z.number().nonnegative().default(300), expungeAfterSeconds: z.number().nonnegative().default(600) }),
]);

/** What a client may send. Read-only fields of the app JSON are accepted (so a GET can be PUT back) and dropped. */
export const appSchema = z.strictObject({
  id: z.string({ error: 'id is required and must be a string' }),
  cmd: z.string().min(1, 'cmd must not be empty').optional().nullable(),
  args: z.array(z.string()).optional().nullable(),
  user: z.string().optional().nullable(),
  env: z.record(z.string(), z.union([z.string(), z.strictObject({ secret: z.string() })], { error: 'env values must be strings or {"secret": name}' })).default({}),
  instances: z.number({ error: 'instances must be a number' }).int('instances must be an integer').nonnegative('instances must be greater than or equal to 0').default(1),
  cpus: nonNegative('cpus').default(1),
  mem: nonNegative('mem').default(128),
  disk: nonNegative('disk').default(0),
  gpus: z.number().int().nonnegative().default(0),
  executor: z.string().regex(/^(|\/\/cmd|\/?[^/]+(\/[^/]+)*)$/, 'executor must be "", "//cmd" or a path').default(''),
  // Checked by validateConstraints / validateHealthChecks (Marathon's own rules and messages).
  constraints: z.unknown().optional(),
  acceptedResourceRoles: z.array(z.string().min(1)).min(1, 'acceptedResourceRoles must not be empty when given').optional().nullable(),
  container: containerSchema.optional().nullable(),
  portDefinitions: z.array(portDefinitionSchema).optional(),
  ports: z.array(z.number().int().min(0).max(65535)).optional(),
  requirePorts: z.boolean().default(false),
  healthChecks: z.unknown().optional(),
  readinessChecks: z.array(readinessCheckSchema).default([]),
  dependencies: z.array(z.string()).default([]),
  labels: stringMap.default({}),
  fetch: z.array(fetchSchema).optional(),
  uris: z.array(z.string()).optional(),
  storeUrls: z.array(z.string()).default([]),
  backoffSeconds: nonNegative('backoffSeconds').default(1),
  backoffFactor: z.number().min(1, 'backoffFactor must be greater than or equal to 1').default(1.15),
  maxLaunchDelaySeconds: nonNegative('maxLaunchDelaySeconds').default(3600),
  upgradeStrategy: z.strictObject({
    minimumHealthCapacity: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(1),
    maximumOverCapacity: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(1),
  }).default({ minimumHealthCapacity: 1, maximumOverCapacity: 1 }),
  killSelection: z.enum(['YOUNGEST_FIRST', 'OLDEST_FIRST']).default('YOUNGEST_FIRST'),
  unreachableStrategy: unreachableSchema.default({ inactiveAfterSeconds: 300, expungeAfterSeconds: 600 }),
  taskKillGracePeriodSeconds: z.number().positive().optional().nullable(),
  ipAddress: z.looseObject({}).optional().nullable(),
  networks: z.array(z.strictObject({ mode: z.enum(['host', 'container', 'container/bridge']).default('host'), name: z.string().optional(), labels: stringMap.optional() })).optional(),
  residency: z.looseObject({}).optional().nullable(),
  secrets: z.record(z.string(), z.strictObject({ source: z.string() })).default({}),
  // Read-only fields (ignored on input).
  version: z.string().optional(),
  versionInfo: z.unknown().optional(),
  tasksStaged: z.unknown().optional(),
  tasksRunning: z.unknown().optional(),
  tasksHealthy: z.unknown().optional(),
  tasksUnhealthy: z.unknown().optional(),
  deployments: z.unknown().optional(),
  tasks: z.unknown().optional(),
  lastTaskFailure: z.unknown().optional(),
  taskStats: z.unknown().optional(),
  readinessCheckResults: z.unknown().optional(),
});

export type AppInput = z.input<typeof appSchema>;
type ParsedApp = z.output<typeof appSchema>;
export type PortDefinition = z.output<typeof portDefinitionSchema>;
export type PortMapping = z.output<typeof portMappingSchema>;
export type Container = z.output<typeof containerSchema>;

/** An app as Marathon stores and shows it: every field present, absolute id, versions set. */
export interface AppDefinition {
  id: string;
  cmd: string | null;
  args: string[] | null;
  user: string | null;
  env: Record<string, string | { secret: string }>;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  executor: string;
  constraints: Constraint[];
  uris: string[];
  fetch: Array<z.output<typeof fetchSchema>>;
  storeUrls: string[];
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  container: Container | null;
  healthChecks: HealthCheckDefinition[];
  readinessChecks: Array<z.output<typeof readinessCheckSchema>>;
  dependencies: string[];
  upgradeStrategy: { minimumHealthCapacity: number; maximumOverCapacity: number };
  labels: Record<string, string>;
  acceptedResourceRoles: string[] | null;
  ipAddress: Record<string, unknown> | null;
  /** Marathon 1.5+ shows the network mode always: host, or derived from a legacy docker.network. */
  networks: NonNullable<ParsedApp['networks']>;
  residency: Record<string, unknown> | null;
  secrets: Record<string, { source: string }>;
  taskKillGracePeriodSeconds: number | null;
  unreachableStrategy: 'disabled' | { inactiveAfterSeconds: number; expungeAfterSeconds: number };
  killSelection: 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  version: string;
  versionInfo: { lastScalingAt: string; lastConfigChangeAt: string };
}

export interface ValidationDetail { path: string; errors: string[] }

export class AppValidationError extends Error {
  constructor(readonly details: ValidationDetail[]) {
    super('Object is not valid');
  }
  toJSON(): { message: string; details: ValidationDetail[] } {
    return { message: this.message, details: this.details };
  }
}

/** zod issues as Marathon's details, one entry per path (unknown keys each get their own path). */
export function detailsOf(err: z.ZodError): ValidationDetail[] {
  const byPath = new Map<string, string[]>();
  for (const issue of err.issues) {
    const paths = issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => [...issue.path, k])
      : [issue.path];
    for (const p of paths) {
      const path = `/${p.map(String).join('/')}`;
      const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
      byPath.set(path, [...(byPath.get(path) ?? []), message]);
    }
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

const HOST_NETWORK_TYPES = new Set(['BRIDGE', 'USER']);

/**
 * Validates a client's app JSON and applies Marathon's defaults; `baseGroup` resolves relative ids. Versions are
 * left empty: the caller stamps them. Throws AppValidationError with every problem found.
 */
export function parseApp(body: unknown, baseGroup = '/'): AppDefinition {
  const parsed = appSchema.safeParse(body);
  if (!parsed.success) {
    // Report a bad id along with the schema's problems, so a form can mark every wrong field at once.
    const details = detailsOf(parsed.error);
    const rawId = (body as { id?: unknown } | null)?.id;
    if (typeof rawId === 'string' && !details.some((d) => d.path === '/id') && !resolvePathId(rawId, baseGroup)) {
      details.push({ path: '/id', errors: [rawId === '' ? 'id must not be empty' : `'${rawId}' is not a valid app id: ${ID_RULE}`] });
    }
    throw new AppValidationError(details);
  }
  const a = parsed.data;
  const problems: ValidationDetail[] = [];
  const fail = (path: string, error: string) => problems.push({ path, errors: [error] });

  const id = resolvePathId(a.id, baseGroup);
  if (!id) fail('/id', a.id === '' ? 'id must not be empty' : `'${a.id}' is not a valid app id: ${ID_RULE}`);

  const cmd = a.cmd ?? null;
  const args = a.args ?? null;
  const container = a.container ?? null;
  if (cmd !== null && args !== null) fail('/', 'AppDefinition must either contain one of \'cmd\' or \'args\', not both');
  if (cmd === null && args === null && container === null) fail('/', 'AppDefinition must either contain one of \'cmd\' or \'args\', and/or a \'container\'');
  if (container?.type === 'DOCKER' && !container.docker) fail('/container/docker', 'a DOCKER container needs docker.image');

  problems.push(...validateConstraints(a.constraints, '/constraints'));

  // Ports: portDefinitions, or the legacy `ports`, or none when a bridged container maps its own ports.
  let portDefinitions: PortDefinition[];
  const bridged = container?.docker?.network !== undefined && HOST_NETWORK_TYPES.has(container.docker.network);
  if (a.portDefinitions !== undefined && a.ports !== undefined) {
    const same = a.portDefinitions.length === a.ports.length && a.portDefinitions.every((p, i) => p.port === a.ports![i]);
    if (!same) fail('/ports', 'ports and portDefinitions must not both be given');
  }
  if (a.portDefinitions !== undefined) portDefinitions = a.portDefinitions;
  else if (a.ports !== undefined) portDefinitions = a.ports.map((port) => ({ port, protocol: 'tcp', labels: {} }));
  else if (bridged || (container?.portMappings?.length ?? 0) > 0) portDefinitions = [];
  else portDefinitions = [{ port: 0, protocol: 'tcp', labels: {} }];
  if (bridged && portDefinitions.length > 0) fail('/portDefinitions', 'portDefinitions are not allowed with a BRIDGE or USER network; use portMappings');
  const fixed = portDefinitions.map((p) => p.port).filter((p) => p !== 0);
  if (new Set(fixed).size !== fixed.length) fail('/portDefinitions', 'ports must be unique');
  const names = portDefinitions.flatMap((p) => (p.name ? [p.name] : []));
  if (new Set(names).size !== names.length) fail('/portDefinitions', 'port names must be unique');
  if (a.requirePorts && portDefinitions.some((p) => p.port === 0) && !bridged) {
    // Marathon allows it (service ports get assigned and required); keep it, as Marathon does.
  }
  const unreachable = a.unreachableStrategy;
  if (unreachable !== 'disabled' && unreachable.expungeAfterSeconds < unreachable.inactiveAfterSeconds) {
    fail('/unreachableStrategy/expungeAfterSeconds', 'expungeAfterSeconds must be greater than or equal to inactiveAfterSeconds');
  }
  const mappings = container?.portMappings ?? container?.docker?.portMappings;
  const portCount = mappings && mappings.length > 0 ? mappings.length : portDefinitions.length;
  problems.push(...validateHealthChecks(a.healthChecks, '/healthChecks', { portCount, docker: container?.type === 'DOCKER' }));
  // A readiness check probes the task port carrying its portName, so that name must exist.
  const portNames = mappings && mappings.length > 0 ? mappings.map((m) => m.name) : portDefinitions.map((p) => p.name);
  a.readinessChecks.forEach((c, i) => {
    if (!portNames.includes(c.portName)) fail(`/readinessChecks(${i})/portName`, `no port named '${c.portName}' in ${mappings && mappings.length > 0 ? 'portMappings' : 'portDefinitions'}`);
  });
  const dependencies: string[] = [];
  for (const [i, d] of a.dependencies.entries()) {
    const dep = id ? resolvePathId(d, id.slice(0, id.lastIndexOf('/')) || '/') : undefined;
    if (!dep) fail(`/dependencies/${i}`, `'${d}' is not a valid app id`);
    else dependencies.push(dep);
  }
  if (problems.length > 0) throw new AppValidationError(problems);

  const fetch = a.fetch ?? (a.uris ?? []).map((uri) => ({ uri, executable: false, extract: /\.(tgz|tar\.gz|tbz2|tar\.bz2|txz|tar\.xz|zip)$/.test(uri), cache: false }));
  return {
    id: id!, cmd, args, user: a.user ?? null, env: a.env, instances: a.instances, cpus: a.cpus, mem: a.mem, disk: a.disk, gpus: a.gpus,
    executor: a.executor, constraints: normalizeConstraints((a.constraints ?? []) as string[][]), uris: a.uris ?? fetch.map((f) => f.uri), fetch, storeUrls: a.storeUrls,
    backoffSeconds: a.backoffSeconds, backoffFactor: a.backoffFactor, maxLaunchDelaySeconds: a.maxLaunchDelaySeconds,
    container, healthChecks: ((a.healthChecks ?? []) as Array<Record<string, unknown>>).map(normalizeHealthCheck),
    readinessChecks: a.readinessChecks, dependencies, upgradeStrategy: a.upgradeStrategy, labels: a.labels,
    acceptedResourceRoles: a.acceptedResourceRoles ?? null, ipAddress: a.ipAddress ?? null, networks: a.networks ?? defaultNetworks(container),
    residency: a.residency ?? null, secrets: a.secrets, taskKillGracePeriodSeconds: a.taskKillGracePeriodSeconds ?? null,
    unreachableStrategy: unreachable, killSelection: a.killSelection, portDefinitions, requirePorts: a.requirePorts,
    version: '', versionInfo: { lastScalingAt: '', lastConfigChangeAt: '' },
  };
}

function defaultNetworks(container: Container | null): NonNullable<ParsedApp['networks']> {
  const legacy = container?.docker?.network;
  if (legacy === 'BRIDGE') return [{ mode: 'container/bridge' }];
  if (legacy === 'USER') return [{ mode: 'container' }];
  return [{ mode: 'host' }];
}

/** Fields a client sent that are not read-only: what a partial update (PUT/PATCH) overrides. */
export const READ_ONLY_FIELDS = ['version', 'versionInfo', 'tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments', 'tasks', 'lastTaskFailure', 'taskStats', 'readinessCheckResults'] as const;

/**
 * A partial update as Marathon 1.x applies PUT (partialUpdate=true) and PATCH: the fields sent replace those of the
 * current app, the rest stay. Legacy `ports`/`uris` replace their modern forms.
 */
export function mergeUpdate(current: AppDefinition, update: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { ...current };
  for (const f of READ_ONLY_FIELDS) delete base[f];
  if ('ports' in update) delete base.portDefinitions;
  if ('portDefinitions' in update) delete base.ports;
  if ('uris' in update) delete base.fetch;
  if ('fetch' in update) delete base.uris;
  else delete base.uris;
  // A new container without networks re-derives the default network mode from it.
  if ('container' in update && !('networks' in update)) delete base.networks;
  if ('cmd' in update && update.cmd != null) base.args = null;
  if ('args' in update && update.args != null) base.cmd = null;
  // Stored nulls mean "absent" on input.
  for (const [k, v] of Object.entries(base)) if (v === null) delete base[k];
  const merged = { ...base, ...update };
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  return merged;
}

/** Whether two definitions differ in anything but instances and versions (a config change restarts tasks). */
export function isConfigChange(a: AppDefinition, b: AppDefinition): boolean {
  const strip = (x: AppDefinition) => JSON.stringify({ ...x, instances: 0, version: '', versionInfo: null });
  return strip(a) !== strip(b);
}
