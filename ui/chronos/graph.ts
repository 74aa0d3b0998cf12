// Which jobs the dependency picture shows: every job linked to another (or, focused, the jobs connected to one),
// coloured by what it is doing and how it last went. Pure.
import type { DagEdge, DagNode } from '../shared/dag-layout.ts';
import { activity } from './status.ts';
import type { JobSummary } from './types.ts';

export interface GraphSelection { nodes: DagNode[]; edges: DagEdge[]; unlinked: number; total: number }

export function nodeClass(j: JobSummary): string {
  const a = activity(j);
  if (a === 'running' || a === 'queued') return a;
  if (a === 'disabled') return 'disabled';
  return j.state;
}

export function selectGraph(jobs: readonly JobSummary[], focus?: string): GraphSelection {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const edges: DagEdge[] = [];
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => { (neighbours.get(a) ?? neighbours.set(a, []).get(a)!).push(b); };
  for (const j of jobs) for (const p of j.parents) if (byName.has(p)) { edges.push({ from: p, to: j.name }); link(p, j.name); link(j.name, p); }
  let names: Set<string>;
  if (focus !== undefined && byName.has(focus)) {
    names = new Set([focus]);
    const stack = [focus];
    while (stack.length) for (const n of neighbours.get(stack.pop()!) ?? []) if (!names.has(n)) { names.add(n); stack.push(n); }
  } else {
    names = new Set(neighbours.keys());
  }
  const nodes = [...names].sort().map((n) => {
    const j = byName.get(n)!;
    return { id: n, label: n, className: nodeClass(j), href: `#/jobs/${encodeURIComponent(n)}`, title: `${n}: ${activity(j)}, last run ${j.state === 'fresh' ? 'never' : j.state === 'success' ? 'succeeded' : 'failed'}` };
  });
  return { nodes, edges: edges.filter((e) => names.has(e.from) && names.has(e.to)), unlinked: jobs.length - neighbours.size, total: jobs.length };
}
