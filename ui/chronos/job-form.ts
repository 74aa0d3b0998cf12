// The create/edit form's state ↔ Chronos job JSON. Pure. Fields the form does not show (uris, fetch, constraints,
// arguments, ...) are carried over from the job being edited untouched.
import { fromSchedule, nextFullHour, type ScheduleValue } from './schedule.ts';
import type { EnvironmentVariable, Job } from './types.ts';

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
}

/** The fields a server message can name, as the form's field keys. */
export const FORM_FIELDS = ['name', 'command', 'schedule', 'parents', 'epsilon', 'retries', 'cpus', 'mem', 'disk', 'owner', 'ownerName', 'description', 'environmentVariables', 'container'] as const;

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function newForm(zone = browserZone()): JobForm {
  return {
    name: '', command: '', shell: true, kind: 'schedule',
    schedule: { mode: 'builder', fields: { start: nextFullHour(zone), timeZone: zone, repeat: undefined, every: 1, unit: 'days' }, text: '', textZone: '' },
    parents: [], epsilonSeconds: '', retries: '2', cpus: '0.1', mem: '128', disk: '256',
    owner: '', ownerName: '', description: '', env: [], image: '', concurrent: false, async: false, disabled: false,
  };
}

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
  const image = f.image.trim();
  if (image) out.container = { ...(oldContainer ?? { type: 'DOCKER' }), image };
  return out as Partial<Job>;
}

const COUNTERS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

/** A job to POST back: without its counters, so Chronos keeps the current ones (runs may have ended meanwhile). */
export function withoutCounters(job: Partial<Job>): Partial<Job> {
  const out: Partial<Job> = { ...job };
  for (const k of COUNTERS) delete out[k];
  return out;
}
