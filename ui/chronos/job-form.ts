// The create/edit form's state ↔ Chronos job JSON. Pure. Fields the form does not show (executor, taskInfoData,
// maxCompletionTime, container parameters, ...) are carried over from the job being edited untouched, and so is a
// shown value the user did not change (so load → save is an identity even for values the server keeps verbatim,
// such as a lower-case network mode).
import type { MessageRule } from '../shared/fieldErrors.ts';
import { fromSchedule, nextFullHour, type ScheduleValue } from './schedule.ts';
import type { ContainerVolume, EnvironmentVariable, Job, JobContainer } from './types.ts';

/** A file fetched into the sandbox: a plain `uris` entry, or a `fetch` entry when it needs flags. */
export interface FetchRow { uri: string; outputFile: string; executable: boolean; extract: boolean; cache: boolean }
/** A placement constraint `[attribute, operator, value]`. */
export interface ConstraintRow { attribute: string; operator: string; value: string }
export interface VolumeRow { containerPath: string; hostPath: string; mode: 'RO' | 'RW' }

export interface JobForm {
  name: string;
  command: string;
  shell: boolean;
  kind: 'schedule' | 'dependency';
  schedule: ScheduleValue;
  parents: string[];
  /** Numbers as typed; blank means the server's default. */
  epsilonSeconds: string;
  retries: string;
  cpus: string;
  mem: string;
  disk: string;
  owner: string;
  ownerName: string;
  description: string;
  env: EnvironmentVariable[];
  image: string;
  concurrent: boolean;
  async: boolean;
  disabled: boolean;
  softError: boolean;
  highPriority: boolean;
  dataProcessingJobType: boolean;
  /** Blank means the server's default user (its --user). */
  runAsUser: string;
  fetch: FetchRow[];
  /** How the edited job stores its files: a job with `fetch` entries keeps them even when no row needs a flag. */
  fetchFormat: 'uris' | 'fetch';
  arguments: string[];
  constraints: ConstraintRow[];
  /** Container options, used when an image is set. */
  network: string;
  networkName: string;
  forcePullImage: boolean;
  volumes: VolumeRow[];
}

/** The fields a server message can name, as the form's field keys. */
export const FORM_FIELDS = ['name', 'command', 'arguments', 'schedule', 'parents', 'epsilon', 'retries', 'cpus', 'mem', 'disk', 'owner', 'ownerName', 'description', 'runAsUser', 'environmentVariables', 'uris', 'fetch', 'constraints', 'container'] as const;

/** Chronos messages that name a field without the "field:" prefix. */
export const FORM_MESSAGE_RULES: readonly MessageRule[] = [
  { field: 'schedule', test: /schedule|scheduleTimeZone/i },
  { field: 'parents', test: /parent|cycle/i },
  { field: 'name', test: /^job '.*' not found/i },
  { field: 'constraints', test: /^constraint /i },
  { field: 'uris', test: /'uris' or 'fetch'/ },
];

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function newForm(zone = browserZone()): JobForm {
  return {
    name: '', command: '', shell: true, kind: 'schedule',
    schedule: { mode: 'builder', fields: { start: nextFullHour(zone), timeZone: zone, repeat: undefined, every: 1, unit: 'days' }, text: '', textZone: '' },
    parents: [], epsilonSeconds: '', retries: '2', cpus: '0.1', mem: '128', disk: '256',
    owner: '', ownerName: '', description: '', env: [], image: '', concurrent: false, async: false, disabled: false,
    softError: false, highPriority: false, dataProcessingJobType: false, runAsUser: '',
    fetch: [], fetchFormat: 'uris', arguments: [], constraints: [],
    network: 'HOST', networkName: '', forcePullImage: false, volumes: [],
  };
}

/** A new row of the files list: what a plain URI means to the fetcher (extracted, not executable, not cached). */
export const newFetchRow = (): FetchRow => ({ uri: '', outputFile: '', executable: false, extract: true, cache: false });

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** The network mode the server uses for a container (HOST when absent, any case accepted). */
const networkOf = (c: JobContainer | undefined): string => text(c?.network).toUpperCase() || 'HOST';
const volumesOf = (c: JobContainer | undefined): VolumeRow[] =>
  (Array.isArray(c?.volumes) ? c.volumes : []).map((v: ContainerVolume) => ({
    containerPath: text(v.containerPath), hostPath: text(v.hostPath), mode: text(v.mode).toUpperCase() === 'RO' ? 'RO' : 'RW',
  }));
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const seconds = (iso: string): string => {
  const m = /^PT(\d+(?:\.\d+)?)S$/.exec(iso);
  return m ? String(Number(m[1])) : '';
};

export function formFromJob(job: Job): JobForm {
  const base = newForm();
  const fields = job.schedule ? fromSchedule(job.schedule, job.scheduleTimeZone ?? '') : undefined;
  return {
    ...base,
    name: job.name, command: job.command, shell: job.shell,
    kind: job.parents ? 'dependency' : 'schedule',
    schedule: fields
      ? { mode: 'builder', fields, text: job.schedule ?? '', textZone: job.scheduleTimeZone ?? '' }
      : { ...base.schedule, mode: job.schedule ? 'text' : 'builder', text: job.schedule ?? '', textZone: job.scheduleTimeZone ?? '' },
    parents: job.parents ?? [],
    epsilonSeconds: seconds(job.epsilon), retries: String(job.retries), cpus: String(job.cpus), mem: String(job.mem), disk: String(job.disk),
    owner: job.owner, ownerName: job.ownerName, description: job.description, env: job.environmentVariables.map((v) => ({ ...v })),
    image: typeof job.container?.image === 'string' ? job.container.image : '',
    concurrent: job.concurrent, async: job.async, disabled: job.disabled,
    softError: job.softError, highPriority: job.highPriority, dataProcessingJobType: job.dataProcessingJobType, runAsUser: job.runAsUser,
    fetch: job.fetch.length > 0
      ? job.fetch.map((f) => ({ uri: f.uri, outputFile: f.output_file, executable: f.executable, extract: f.extract, cache: f.cache }))
      : job.uris.map((uri) => ({ ...newFetchRow(), uri })),
    fetchFormat: job.fetch.length > 0 ? 'fetch' : 'uris',
    arguments: [...job.arguments],
    constraints: job.constraints.map(([attribute, operator, value]) => ({ attribute, operator, value })),
    network: networkOf(job.container), networkName: text(job.container?.networkName), forcePullImage: job.container?.forcePullImage === true,
    volumes: volumesOf(job.container),
  };
}

/** A number field: blank → absent (server default), a number → that number, anything else as typed (the server says why not). */
function num(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export function jobFromForm(f: JobForm, schedule: { schedule: string; scheduleTimeZone: string }, editing?: Job): Partial<Job> {
  const { schedule: _s, scheduleTimeZone: _z, parents: _p, container: oldContainer, ...kept } = editing ?? ({} as Partial<Job>);
  const out: Record<string, unknown> = {
    ...kept,
    name: f.name.trim(), command: f.command, shell: f.shell,
    owner: f.owner.trim(), ownerName: f.ownerName.trim(), description: f.description,
    environmentVariables: f.env.filter((v) => v.name.trim() !== '' || v.value !== '').map((v) => ({ name: v.name.trim(), value: v.value })),
    concurrent: f.concurrent, async: f.async, disabled: f.disabled,
  };
  if (f.kind === 'dependency') out.parents = f.parents;
  else Object.assign(out, schedule);
  const eps = num(f.epsilonSeconds);
  if (eps === undefined) delete out.epsilon; else out.epsilon = typeof eps === 'number' ? `PT${eps}S` : eps;
  for (const k of ['retries', 'cpus', 'mem', 'disk'] as const) {
    const v = num(f[k]);
    if (v === undefined) delete out[k]; else out[k] = v;
  }
  const runAs = f.runAsUser.trim();
  // Blank: the server's default user, unless the job was stored with an explicit '' (no user: the framework's).
  if (runAs) out.runAsUser = runAs; else if (editing?.runAsUser !== '') delete out.runAsUser;
  Object.assign(out, { softError: f.softError, highPriority: f.highPriority, dataProcessingJobType: f.dataProcessingJobType }, filesOf(f));
  out.arguments = [...f.arguments];
  out.constraints = f.constraints.filter((c) => c.attribute.trim() !== '' || c.value !== '').map((c) => [c.attribute.trim(), c.operator, c.value]);
  const image = f.image.trim();
  if (image) out.container = containerOf(f, image, oldContainer);
  return out as Partial<Job>;
}

/** Plain `uris` unless the job already uses `fetch` or a row needs a flag (Chronos refuses both at once). */
function filesOf(f: JobForm): { uris: string[]; fetch: Job['fetch'] } {
  const rows = f.fetch.map((r) => ({ ...r, uri: r.uri.trim(), outputFile: r.outputFile.trim() })).filter((r) => r.uri !== '');
  const plain = (r: FetchRow) => !r.executable && r.extract && !r.cache && r.outputFile === '';
  if (f.fetchFormat === 'uris' && rows.every(plain)) return { uris: rows.map((r) => r.uri), fetch: [] };
  return { uris: [], fetch: rows.map((r) => ({ uri: r.uri, output_file: r.outputFile, executable: r.executable, extract: r.extract, cache: r.cache })) };
}

/** The edited container with the form's options; an option the user left as loaded keeps its stored spelling. */
function containerOf(f: JobForm, image: string, old: JobContainer | undefined): JobContainer {
  const c: JobContainer = { ...(old ?? { type: 'DOCKER' }), image };
  if (f.network !== networkOf(old)) c.network = f.network;
  const networkName = f.networkName.trim();
  if (networkName !== text(old?.networkName)) { if (networkName) c.networkName = networkName; else delete c.networkName; }
  if (f.forcePullImage !== (old?.forcePullImage === true)) c.forcePullImage = f.forcePullImage;
  const volumes = f.volumes.map((v) => ({ ...v, containerPath: v.containerPath.trim(), hostPath: v.hostPath.trim() })).filter((v) => v.containerPath !== '' || v.hostPath !== '');
  if (!sameJson(volumes, volumesOf(old))) {
    if (volumes.length > 0) c.volumes = volumes.map((v) => ({ containerPath: v.containerPath, ...(v.hostPath ? { hostPath: v.hostPath } : {}), mode: v.mode }));
    else delete c.volumes;
  }
  return c;
}

const COUNTERS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

/** A job to POST back: without its counters, so Chronos keeps the current ones (runs may have ended meanwhile). */
export function withoutCounters(job: Partial<Job>): Partial<Job> {
  const out: Partial<Job> = { ...job };
  for (const k of COUNTERS) delete out[k];
  return out;
}

/** The constraint rows a server message quotes (Chronos names a bad one as `constraint ["rack", "LIKE", "["]: ...`). */
export function constraintRowsNamed(message: string | undefined, rows: readonly ConstraintRow[]): Set<number> {
  const named = new Set<number>();
  if (!message) return named;
  rows.forEach((r, i) => {
    if (message.includes(`[${[r.attribute.trim(), r.operator, r.value].map((x) => JSON.stringify(x)).join(', ')}]`)) named.add(i);
  });
  return named;
}
