// The Chronos job: wire schema (zod), defaults, validation and the JSON Chronos clients read back. Pure.
import { z } from 'zod';
import { CONSTRAINT_OPERATORS, constraintError, type Constraint } from './constraints.ts';
import { formatIsoDuration, formatSchedule, parseIsoDuration, parseSchedule } from './schedule.ts';

export interface FetchUri { uri: string; output_file: string; executable: boolean; cache: boolean; extract: boolean }
export interface EnvironmentVariable { name: string; value: string }

/** What a user defines. Exactly one of `schedule` / `parents` is set. */
export interface JobDefinition {
  name: string;
  command: string;
  shell: boolean;
  arguments: string[];
  /** Canonical ISO8601 repeating interval; its start is the next due instant (Chronos rewrites it as runs happen). */
  schedule?: string;
  scheduleTimeZone: string;
  parents?: string[];
  epsilon: string;
  retries: number;
  async: boolean;
  cpus: number;
  mem: number;
  disk: number;
  disabled: boolean;
  softError: boolean;
  concurrent: boolean;
  highPriority: boolean;
  owner: string;
  ownerName: string;
  description: string;
  runAsUser: string;
  environmentVariables: EnvironmentVariable[];
  uris: string[];
  fetch: FetchUri[];
  container: Record<string, unknown> | null;
  constraints: Constraint[];
  executor: string;
  executorFlags: string;
  taskInfoData: string;
  dataProcessingJobType: boolean;
  maxCompletionTime: number;
}

/** Maintained by the scheduler; accepted on input as Chronos does. */
export interface JobCounters {
  successCount: number;
  errorCount: number;
  lastSuccess: string;
  lastError: string;
  errorsSinceLastSuccess: number;
}

export type Job = JobDefinition & JobCounters;

export interface JobDefaults {
  epsilonMs: number;
  cpus: number;
  mem: number;
  disk: number;
  user: string;
}

export const NAME_PATTERN = /^[\w.-]+$/;

const str = z.string();
const nonNegative = z.number().finite().nonnegative();
const fetchSchema = z.object({
  uri: z.string().min(1),
  output_file: z.string().optional(),
  executable: z.boolean().optional(),
  cache: z.boolean().optional(),
  extract: z.boolean().optional(),
});

/** Every field optional: Chronos fills defaults; unknown fields are dropped (zod strips them). */
const jobInput = z.object({
  name: z.string({ error: 'is required' }).regex(NAME_PATTERN, 'must contain only letters, digits, "_", "." and "-"'),
  command: str.optional(),
  shell: z.boolean().optional(),
  arguments: z.array(str).optional(),
  schedule: str.optional(),
  scheduleTimeZone: str.optional(),
  parents: z.array(z.string().regex(NAME_PATTERN, 'must be job names')).optional(),
  epsilon: str.optional(),
  retries: z.number().int().nonnegative().optional(),
  async: z.boolean().optional(),
  cpus: nonNegative.optional(),
  mem: nonNegative.optional(),
  disk: nonNegative.optional(),
  disabled: z.boolean().optional(),
  softError: z.boolean().optional(),
  concurrent: z.boolean().optional(),
  highPriority: z.boolean().optional(),
  owner: str.optional(),
  ownerName: str.optional(),
  description: str.optional(),
  runAsUser: str.optional(),
  environmentVariables: z.array(z.object({ name: z.string().min(1), value: str })).optional(),
  uris: z.array(str).optional(),
  fetch: z.array(fetchSchema).optional(),
  container: z.looseObject({}).optional(),
  constraints: z.array(z.array(str).length(3, 'must be [attribute, operator, value]')).optional(),
  executor: str.optional(),
  executorFlags: str.optional(),
  taskInfoData: str.optional(),
  dataProcessingJobType: z.boolean().optional(),
  maxCompletionTime: z.number().int().nonnegative().optional(),
  successCount: z.number().int().nonnegative().optional(),
  errorCount: z.number().int().nonnegative().optional(),
  lastSuccess: str.optional(),
  lastError: str.optional(),
  errorsSinceLastSuccess: z.number().int().nonnegative().optional(),
});
export type JobInput = z.infer<typeof jobInput>;

export type JobKind = 'schedule' | 'dependency';
export type Validated = { ok: true; job: Job; given: Set<string> } | { ok: false; message: string };

/**
 * Reads a job body as POSTed to /scheduler/iso8601 (`kind` schedule) or /scheduler/dependency. Nulls count as
 * absent; `now` fills an empty schedule start. Returns the message Chronos clients get with a 400 otherwise.
 */
export function parseJob(body: unknown, kind: JobKind, defaults: JobDefaults, now: number): Validated {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'the request body must be a JSON object (a Chronos job)' };
  const cleaned = Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([, v]) => v !== null));
  const parsed = jobInput.safeParse(cleaned);
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ') };
  }
  const j = parsed.data;
  const given = new Set(Object.keys(cleaned));
  if ((j.uris?.length ?? 0) > 0 && (j.fetch?.length ?? 0) > 0) return { ok: false, message: `job '${j.name}': set either 'uris' or 'fetch', not both` };
  const epsilonMs = j.epsilon === undefined ? defaults.epsilonMs : parseIsoDuration(j.epsilon);
  if (epsilonMs === undefined) return { ok: false, message: `epsilon: '${j.epsilon}' is not an ISO8601 duration (e.g. PT60S)` };
  const constraints: Constraint[] = [];
  for (const c of j.constraints ?? []) {
    const constraint = c as Constraint;
    if (!(CONSTRAINT_OPERATORS as readonly string[]).includes(constraint[1])) continue; // Chronos drops unknown operators
    const err = constraintError(constraint);
    if (err) return { ok: false, message: err };
    constraints.push(constraint);
  }
  const tz = j.scheduleTimeZone ?? '';
  let schedule: string | undefined;
  let parents: string[] | undefined;
  if (kind === 'dependency') {
    parents = [...new Set(j.parents ?? [])];
    if (parents.length === 0) return { ok: false, message: `parents: a dependent job needs at least one parent (job '${j.name}')` };
  } else {
    if (j.schedule === undefined && (j.parents?.length ?? 0) > 0) return { ok: false, message: `schedule: job '${j.name}' has parents but no schedule; POST it to /scheduler/dependency` };
    // Chronos: a job without schedule nor parents runs once, now.
    const parsedSchedule = parseSchedule(j.schedule ?? 'R1//PT24H', now, tz);
    if (!parsedSchedule.ok) return { ok: false, message: parsedSchedule.message };
    schedule = formatSchedule(parsedSchedule.schedule);
  }
  const orDefault = (v: number | undefined, d: number) => (v === undefined || v === 0 ? d : v);
  const job: Job = {
    name: j.name,
    command: j.command ?? '',
    shell: j.shell ?? true,
    arguments: j.arguments ?? [],
    ...(schedule !== undefined ? { schedule } : {}),
    scheduleTimeZone: tz,
    ...(parents !== undefined ? { parents } : {}),
    epsilon: formatIsoDuration(epsilonMs),
    retries: j.retries ?? 2,
    async: j.async ?? false,
    cpus: orDefault(j.cpus, defaults.cpus),
    mem: orDefault(j.mem, defaults.mem),
    disk: orDefault(j.disk, defaults.disk),
    disabled: j.disabled ?? false,
    softError: j.softError ?? false,
    concurrent: j.concurrent ?? false,
    highPriority: j.highPriority ?? false,
    owner: j.owner ?? '',
    ownerName: j.ownerName ?? '',
    description: j.description ?? '',
    runAsUser: j.runAsUser ?? defaults.user,
    environmentVariables: j.environmentVariables ?? [],
    uris: j.uris ?? [],
    fetch: (j.fetch ?? []).map((f) => ({ uri: f.uri, output_file: f.output_file ?? '', executable: f.executable ?? false, cache: f.cache ?? false, extract: f.extract ?? true })),
    // Chronos only reads a container that names an image.
    container: j.container && typeof j.container.image === 'string' ? j.container : null,
    constraints,
    executor: j.executor ?? '',
    executorFlags: j.executorFlags ?? '',
    taskInfoData: j.taskInfoData ?? '',
    dataProcessingJobType: j.dataProcessingJobType ?? false,
    maxCompletionTime: j.maxCompletionTime ?? 0,
    successCount: j.successCount ?? 0,
    errorCount: j.errorCount ?? 0,
    lastSuccess: j.lastSuccess ?? '',
    lastError: j.lastError ?? '',
    errorsSinceLastSuccess: j.errorsSinceLastSuccess ?? 0,
  };
  return { ok: true, job, given };
}

const COUNTERS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

/** A replacement keeps the old job's counters unless the body set them (GET-edit-POST scripts send them back). */
export function keepCounters(next: Job, given: Set<string>, previous: Job | undefined): Job {
  if (!previous) return next;
  const out = { ...next } as Record<string, unknown>;
  for (const k of COUNTERS) if (!given.has(k)) out[k] = previous[k];
  return out as unknown as Job;
}

/** The job as Chronos serialises it: `schedule` + `scheduleTimeZone` for scheduled jobs, `parents` for dependent ones. */
export function jobJson(job: Job): Record<string, unknown> {
  const { schedule, parents, scheduleTimeZone, container, ...rest } = job;
  return {
    ...rest,
    ...(container ? { container } : {}),
    ...(parents !== undefined ? { parents } : { schedule, scheduleTimeZone }),
  };
}

/** GET /scheduler/jobs mirrors uris and fetch for old and new clients alike (only in that listing). */
export function jobListingJson(job: Job): Record<string, unknown> {
  const out = jobJson(job);
  if (job.fetch.length === 0) out.fetch = job.uris.map((uri) => ({ uri, output_file: '', executable: false, cache: false, extract: true }));
  else out.uris = job.fetch.map((f) => f.uri);
  return out;
}
