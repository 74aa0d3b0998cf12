// Pure views over API answers: what `cluster status`, `agent list`, `task list`, `job graph` and the deployment
// progress line show. No I/O here, so each is unit-tested on plain objects.
import type { LegacyTask, MasterState } from './mesos-client.ts';

const SCALARS = ['cpus', 'mem', 'disk', 'gpus'] as const;

function scalar(r: Record<string, number | string> | undefined, name: string): number {
  const v = r?.[name];
  return typeof v === 'number' ? v : 0;
}

/** Counts the ports in Mesos' range text "[31000-31002, 31005-31005]". */
export function portCount(ranges: unknown): number {
  if (typeof ranges !== 'string') return 0;
  let n = 0;
  for (const m of ranges.matchAll(/(\d+)-(\d+)/g)) n += Number(m[2]) - Number(m[1]) + 1;
  return n;
}

/** "[31000-31001, 31005-31005]" → [31000, 31001, 31005]. */
export function portList(ranges: unknown): number[] {
  if (typeof ranges !== 'string') return [];
  const out: number[] = [];
  for (const m of ranges.matchAll(/(\d+)-(\d+)/g)) for (let p = Number(m[1]); p <= Number(m[2]) && out.length < 100; p++) out.push(p);
  return out;
}

export interface ResourceLine { name: string; total: number; used: number; offered: number }
export interface ClusterSummary {
  leader: string; version: string; cluster: string;
  agents: { active: number; total: number };
  resources: ResourceLine[];
  frameworks: { id: string; name: string; active: boolean; tasks: number }[];
  tasks: Record<string, number>;
}

export function clusterSummary(state: MasterState): ClusterSummary {
  const resources: ResourceLine[] = [...SCALARS, 'ports'].map((name) => {
    const pick = (r: Record<string, number | string>) => (name === 'ports' ? portCount(r[name]) : scalar(r, name));
    let total = 0; let used = 0; let offered = 0;
    for (const a of state.slaves) { total += pick(a.resources); used += pick(a.used_resources); offered += pick(a.offered_resources); }
    return { name, total, used, offered };
  }).filter((r) => r.name !== 'gpus' || r.total > 0);
  const tasks: Record<string, number> = {};
  for (const t of allTasks(state)) tasks[t.state] = (tasks[t.state] ?? 0) + 1;
  return {
    leader: state.leader_info ? `${state.leader_info.hostname}:${state.leader_info.port}` : state.leader ?? '',
    version: state.trireme_version ? `${state.trireme_version} (Mesos ${state.version})` : state.version, cluster: state.cluster ?? '',
    agents: { active: state.slaves.filter((a) => a.active).length, total: state.slaves.length },
    resources,
    frameworks: state.frameworks.map((f) => ({ id: f.id, name: f.name, active: f.active, tasks: f.tasks.length })),
    tasks,
  };
}

/** Every task the master knows: active, unreachable and completed, of running and completed frameworks. */
export function allTasks(state: MasterState): LegacyTask[] {
  return [...state.frameworks, ...state.completed_frameworks].flatMap((f) => [...f.tasks, ...(f.unreachable_tasks ?? []), ...f.completed_tasks]);
}

export interface AgentRow {
  id: string; host: string; active: boolean; attributes: string; tasks: number;
  cpus: { used: number; total: number }; mem: { used: number; total: number }; disk: { used: number; total: number };
}

export function agentRows(state: MasterState): AgentRow[] {
  const tasksOn = new Map<string, number>();
  for (const f of state.frameworks) for (const t of f.tasks) tasksOn.set(t.slave_id, (tasksOn.get(t.slave_id) ?? 0) + 1);
  const pair = (a: MasterState['slaves'][number], r: string) => ({ used: scalar(a.used_resources, r), total: scalar(a.resources, r) });
  return state.slaves.map((a) => ({
    id: a.id, host: `${a.hostname}:${a.port}`, active: a.active, tasks: tasksOn.get(a.id) ?? 0,
    attributes: Object.entries(a.attributes ?? {}).map(([k, v]) => `${k}:${v}`).join(';'),
    cpus: pair(a, 'cpus'), mem: pair(a, 'mem'), disk: pair(a, 'disk'),
  })).sort((x, y) => (x.host < y.host ? -1 : x.host > y.host ? 1 : 0));
}

export interface TaskRow { id: string; name: string; framework: string; state: string; host: string; ports: number[]; agentId: string; frameworkId: string }

export function taskRows(state: MasterState, opts: { all?: boolean } = {}): TaskRow[] {
  const hosts = new Map(state.slaves.map((a) => [a.id, a.hostname]));
  const rows: TaskRow[] = [];
  for (const f of [...state.frameworks, ...(opts.all ? state.completed_frameworks : [])]) {
    const tasks = opts.all ? [...f.tasks, ...(f.unreachable_tasks ?? []), ...f.completed_tasks] : [...f.tasks, ...(f.unreachable_tasks ?? [])];
    for (const t of tasks) {
      rows.push({ id: t.id, name: t.name, framework: f.name, frameworkId: f.id, state: t.state, host: hosts.get(t.slave_id) ?? t.slave_id, ports: portList(t.resources?.ports), agentId: t.slave_id });
    }
  }
  return rows.sort((a, b) => (a.framework + a.id < b.framework + b.id ? -1 : 1));
}

/** "127.0.0.2:31000,31001", or just the host when the task has no ports. */
export function hostPorts(row: Pick<TaskRow, 'host' | 'ports'>): string {
  return row.ports.length > 0 ? `${row.host}:${row.ports.join(',')}` : row.host;
}

export interface JobGraph { nodes: { name: string; state: string; status: string }[]; edges: { parent: string; child: string }[] }

/** Parses Chronos' /graph/csv: "node,<name>,<state>,<status>" and "link,<parent>,<child>" lines. */
export function parseGraphCsv(csv: string): JobGraph {
  const graph: JobGraph = { nodes: [], edges: [] };
  for (const line of csv.split('\n')) {
    const [kind, a, b, c] = line.trim().split(',');
    if (kind === 'node' && a) graph.nodes.push({ name: a, state: b ?? '', status: c ?? '' });
    else if (kind === 'link' && a && b) graph.edges.push({ parent: a, child: b });
  }
  return graph;
}

/** The DAG as an indented tree from each root; a job with several parents appears under each, marked the second time. */
export function renderGraph(graph: JobGraph, label: (name: string) => string = (n) => n): string[] {
  const children = new Map<string, string[]>();
  for (const e of graph.edges) children.set(e.parent, [...(children.get(e.parent) ?? []), e.child]);
  const hasParent = new Set(graph.edges.map((e) => e.child));
  const roots = graph.nodes.map((n) => n.name).filter((n) => !hasParent.has(n)).sort();
  const lines: string[] = [];
  const printed = new Set<string>();
  const walk = (name: string, prefix: string, last: boolean, depth: number) => {
    const seen = printed.has(name);
    lines.push(depth === 0 ? label(name) : `${prefix}${last ? '└── ' : '├── '}${label(name)}${seen ? ' (see above)' : ''}`);
    printed.add(name);
    if (seen) return;
    const kids = (children.get(name) ?? []).slice().sort();
    const next = depth === 0 ? '' : prefix + (last ? '    ' : '│   ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, depth + 1));
  };
  for (const r of roots) walk(r, '', true, 0);
  return lines;
}

export interface Progress { running: number; wanted: number; step: number; steps: number; elapsedMs: number; failures: number; action?: string }

/** "[########------------] 2/5 running · step 1/1 ScaleApplication · 3s" (width = bar cells). */
export function progressLine(p: Progress, width = 20): string {
  const ratio = p.wanted > 0 ? Math.min(1, p.running / p.wanted) : 1;
  const filled = Math.round(ratio * width);
  const parts = [`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.running}/${p.wanted} running`];
  if (p.steps > 0) parts.push(`step ${Math.max(1, p.step)}/${p.steps}${p.action ? ` ${p.action}` : ''}`);
  if (p.failures > 0) parts.push(`${p.failures} failed task${p.failures === 1 ? '' : 's'}`);
  parts.push(`${Math.floor(p.elapsedMs / 1000)}s`);
  return parts.join(' · ');
}
