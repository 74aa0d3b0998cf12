// Marathon app health check definitions: the JSON fields with Marathon's defaults, validation with Marathon's
// rules and messages, and normalisation (defaults filled in, portIndex 0 when no port is given).

export const HEALTH_CHECK_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'] as const;
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];

/** Checks Marathon itself runs against the task's host and port. */
export const MARATHON_PROTOCOLS: readonly HealthCheckProtocol[] = ['HTTP', 'HTTPS', 'TCP'];
/** Checks the agent runs (TaskInfo.health_check), reported back through TaskStatus.healthy. */
export const MESOS_PROTOCOLS: readonly HealthCheckProtocol[] = ['COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'];

export interface HealthCheckDefinition {
  protocol: HealthCheckProtocol;
  /** HTTP paths only; "/" when not given. */
  path?: string;
  /** Index into the task's host ports. Exclusive with `port`; defaults to 0 for every protocol but COMMAND. */
  portIndex?: number;
  /** A fixed port to probe. */
  port?: number;
  /** COMMAND only: run by /bin/sh -c in the task's sandbox; exit 0 = healthy. */
  command?: { value: string };
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** 0 = never kill. */
  maxConsecutiveFailures: number;
  ignoreHttp1xx: boolean;
  /** Mesos checks only: wait before the first check. */
  delaySeconds: number;
  ipProtocol?: 'IPv4' | 'IPv6';
}

export const HEALTH_CHECK_DEFAULTS = {
  protocol: 'HTTP' as HealthCheckProtocol,
  gracePeriodSeconds: 300,
  intervalSeconds: 60,
  timeoutSeconds: 20,
  maxConsecutiveFailures: 3,
  ignoreHttp1xx: false,
  delaySeconds: 15,
} as const;

export type ValidationDetail = { path: string; errors: string[] };

export interface HealthCheckValidationContext {
  /** How many host ports the app declares (portDefinitions or container port mappings); enables the portIndex rule. */
  portCount?: number;
  /** The app runs in a Docker container (IPv6 is allowed for MESOS_* checks only then). */
  docker?: boolean;
}

// Messages: play-json's keys for type errors (as Marathon's generated RAML readers report them) and Marathon's
// own sentences for its rules (core/health/HealthCheck.scala, api/v2/validation/AppValidation.scala).
export const HEALTH_MESSAGES = {
  object: 'error.expected.jsobject',
  array: 'error.expected.jsarray',
  string: 'error.expected.jsstring',
  number: 'error.expected.jsnumber',
  integer: 'error.expected.int',
  boolean: 'error.expected.jsboolean',
  enumValue: 'error.expected.validenumvalue',
  min: 'error.min',
  max: 'error.max',
  unknown: 'error.unknown.property',
  portOrIndex: 'HealthCheck must specify either a port or a portIndex',
  portIndexRange: 'Health check port indices must address an element of the ports array or container port mappings.',
  atMostOneMesos: 'AppDefinition can contain at most one Mesos health check',
  ipv6: 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks',
  commandRequired: 'command is required for protocol COMMAND',
  commandOnlyForCommand: 'command is only allowed for protocol COMMAND',
} as const;

const KNOWN_FIELDS = new Set(['protocol', 'path', 'portIndex', 'port', 'command', 'gracePeriodSeconds', 'intervalSeconds', 'timeoutSeconds',
  'maxConsecutiveFailures', 'ignoreHttp1xx', 'delaySeconds', 'ipProtocol', 'portName']);
const INT32_MAX = 2147483647;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateOne(raw: unknown, path: string, ctx: HealthCheckValidationContext): ValidationDetail[] {
  if (!isObject(raw)) return [{ path, errors: [HEALTH_MESSAGES.object] }];
  const out: ValidationDetail[] = [];
  const add = (field: string, error: string) => {
    const p = field ? `${path}/${field}` : path;
    const existing = out.find((d) => d.path === p);
    if (existing) existing.errors.push(error); else out.push({ path: p, errors: [error] });
  };
  for (const key of Object.keys(raw)) if (!KNOWN_FIELDS.has(key)) add(key, HEALTH_MESSAGES.unknown);

  const int = (field: string, min: number, max = INT32_MAX): boolean => {
    const v = raw[field];
    if (v === undefined || v === null) return true;
    if (typeof v !== 'number' || !Number.isFinite(v)) { add(field, HEALTH_MESSAGES.number); return false; }
    if (!Number.isInteger(v)) { add(field, HEALTH_MESSAGES.integer); return false; }
    if (v < min) { add(field, HEALTH_MESSAGES.min); return false; }
    if (v > max) { add(field, HEALTH_MESSAGES.max); return false; }
    return true;
  };
  for (const f of ['gracePeriodSeconds', 'intervalSeconds', 'timeoutSeconds', 'maxConsecutiveFailures', 'delaySeconds']) int(f, 0);
  const portOk = int('port', 0, 65535);
  const indexOk = int('portIndex', 0, 65535);

  let protocol: HealthCheckProtocol = HEALTH_CHECK_DEFAULTS.protocol;
  if (raw.protocol !== undefined && raw.protocol !== null) {
    if (typeof raw.protocol !== 'string') add('protocol', HEALTH_MESSAGES.string);
    else if (!(HEALTH_CHECK_PROTOCOLS as readonly string[]).includes(raw.protocol)) add('protocol', HEALTH_MESSAGES.enumValue);
    else protocol = raw.protocol as HealthCheckProtocol;
  }
  if (raw.path !== undefined && raw.path !== null && typeof raw.path !== 'string') add('path', HEALTH_MESSAGES.string);
  if (raw.portName !== undefined && typeof raw.portName !== 'string') add('portName', HEALTH_MESSAGES.string);
  if (raw.ignoreHttp1xx !== undefined && raw.ignoreHttp1xx !== null && typeof raw.ignoreHttp1xx !== 'boolean') add('ignoreHttp1xx', HEALTH_MESSAGES.boolean);
  let ipv6 = false;
  if (raw.ipProtocol !== undefined && raw.ipProtocol !== null) {
    if (raw.ipProtocol !== 'IPv4' && raw.ipProtocol !== 'IPv6') add('ipProtocol', HEALTH_MESSAGES.enumValue);
    else ipv6 = raw.ipProtocol === 'IPv6';
  }
  const command = raw.command;
  const hasCommand = command !== undefined && command !== null;
  if (hasCommand) {
    if (!isObject(command)) add('command', HEALTH_MESSAGES.object);
    else if (typeof command.value !== 'string') add('command/value', HEALTH_MESSAGES.string);
    else for (const key of Object.keys(command)) if (key !== 'value') add(`command/${key}`, HEALTH_MESSAGES.unknown);
  }

  if (ipv6 && !(ctx.docker && MESOS_PROTOCOLS.includes(protocol) && protocol !== 'COMMAND')) add('', HEALTH_MESSAGES.ipv6);
  if (protocol === 'COMMAND') {
    if (!hasCommand) add('command', HEALTH_MESSAGES.commandRequired);
    return out; // Marathon accepts and ignores a port or portIndex on command checks.
  }
  if (hasCommand) add('command', HEALTH_MESSAGES.commandOnlyForCommand);
  const hasPort = raw.port !== undefined && raw.port !== null;
  const hasIndex = raw.portIndex !== undefined && raw.portIndex !== null;
  if (hasPort && hasIndex) add('', HEALTH_MESSAGES.portOrIndex);
  else if (portOk && indexOk && ctx.portCount !== undefined && MARATHON_PROTOCOLS.includes(protocol)) {
    const inRange = hasIndex ? (raw.portIndex as number) < ctx.portCount : hasPort || ctx.portCount >= 1;
    if (!inRange) add('', HEALTH_MESSAGES.portIndexRange);
  }
  return out;
}

/**
 * Marathon's rules for an app's `healthChecks`: field types and ranges, port vs portIndex, COMMAND needs a command,
 * at most one MESOS_* check besides command checks. Problems of check i are reported at `<path>(i)[/field]`;
 * the app-level rule at the parent of `path` ("/" for the default).
 */
export function validateHealthChecks(raw: unknown, path = '/healthChecks', ctx: HealthCheckValidationContext = {}): ValidationDetail[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return [{ path, errors: [HEALTH_MESSAGES.array] }];
  const details = raw.flatMap((hc, i) => validateOne(hc, `${path}(${i})`, ctx));
  const mesosNonCommand = raw.filter((hc) => isObject(hc) && (hc.command === undefined || hc.command === null)
    && typeof hc.protocol === 'string' && MESOS_PROTOCOLS.includes(hc.protocol as HealthCheckProtocol)).length;
  if (mesosNonCommand > 1) {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    details.push({ path: parent, errors: [HEALTH_MESSAGES.atMostOneMesos] });
  }
  return details;
}

/** A valid raw health check with Marathon's defaults filled in (call after validateHealthChecks found nothing). */
export function normalizeHealthCheck(raw: Record<string, unknown>): HealthCheckDefinition {
  const protocol = (raw.protocol as HealthCheckProtocol | undefined) ?? HEALTH_CHECK_DEFAULTS.protocol;
  const num = (k: keyof typeof HEALTH_CHECK_DEFAULTS) => (typeof raw[k] === 'number' ? raw[k] as number : HEALTH_CHECK_DEFAULTS[k] as number);
  const def: HealthCheckDefinition = {
    protocol,
    gracePeriodSeconds: num('gracePeriodSeconds'),
    intervalSeconds: num('intervalSeconds'),
    timeoutSeconds: num('timeoutSeconds'),
    maxConsecutiveFailures: num('maxConsecutiveFailures'),
    ignoreHttp1xx: typeof raw.ignoreHttp1xx === 'boolean' ? raw.ignoreHttp1xx : HEALTH_CHECK_DEFAULTS.ignoreHttp1xx,
    delaySeconds: num('delaySeconds'),
  };
  if (protocol === 'COMMAND') {
    def.command = { value: String((raw.command as { value?: unknown } | undefined)?.value ?? '') };
    return def;
  }
  if (protocol === 'HTTP' || protocol === 'HTTPS' || protocol === 'MESOS_HTTP' || protocol === 'MESOS_HTTPS') def.path = typeof raw.path === 'string' ? raw.path : '/';
  if (typeof raw.port === 'number') def.port = raw.port;
  else def.portIndex = typeof raw.portIndex === 'number' ? raw.portIndex : 0;
  if (MESOS_PROTOCOLS.includes(protocol)) def.ipProtocol = raw.ipProtocol === 'IPv6' ? 'IPv6' : 'IPv4';
  return def;
}

/** The port a check probes for a task with these host ports, or undefined when the index does not resolve. */
export function effectivePort(def: Pick<HealthCheckDefinition, 'port' | 'portIndex'>, hostPorts: readonly number[]): number | undefined {
  if (def.port !== undefined) return def.port;
  const p = hostPorts[def.portIndex ?? 0];
  return p === undefined || p === 0 ? undefined : p;
}
