// The job dependency DAG (edges parent → child), as pure functions over the job list: validation of new
// edges (unknown parents, cycles), who runs when a parent completes, Chronos' rewiring on delete, DOT/CSV views.

export interface GraphJob { name: string; parents?: readonly string[]; schedule?: string; scheduleTimeZone?: string }

/** The jobs by name: a Map, or a read-only view over the caller's own store of jobs. */
export interface JobLookup<J extends GraphJob = GraphJob> { has(name: string): boolean; get(name: string): J | undefined; values(): Iterable<J> }

/** Children of `name` in the order the jobs are given. */
export function childrenOf(jobs: Iterable<GraphJob>, name: string): string[] {
  const out: string[] = [];
  for (const j of jobs) if (j.parents?.includes(name)) out.push(j.name);
  return out;
}

/**
 * Why `candidate` (new or replacing the job of the same name) cannot join the graph: a parent that does not exist,
 * itself as parent, or a cycle. Undefined when it can.
 */
export function dependencyError(jobs: JobLookup, candidate: GraphJob): string | undefined {
  const parents = candidate.parents ?? [];
  for (const p of parents) {
    if (p === candidate.name) return `Job '${candidate.name}' cannot be its own parent`;
    if (!jobs.has(p)) return `Parent job '${p}' not found (job '${candidate.name}')`;
  }
  // A cycle through the candidate exists iff one of its parents descends from it.
  const parentsOf = (n: string): readonly string[] => (n === candidate.name ? parents : jobs.get(n)?.parents ?? []);
  const seen = new Set<string>();
  const stack = [...parents];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === candidate.name) return `Adding job '${candidate.name}' with parents [${parents.join(', ')}] would create a dependency cycle`;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...parentsOf(n));
  }
  return undefined;
}

export type Rewire =
  | { name: string; kind: 'parents'; parents: string[] }
  | { name: string; kind: 'schedule'; schedule: string; scheduleTimeZone: string };

/**
 * How Chronos rewires the children of a deleted job: children of a dependent job inherit its parents in its place;
 * dependent children of a scheduled job become scheduled jobs with the deleted job's schedule and time zone.
 */
export function rewireOnDelete(jobs: JobLookup, deleted: string): Rewire[] {
  const job = jobs.get(deleted);
  if (!job) return [];
  const out: Rewire[] = [];
  for (const childName of childrenOf(jobs.values(), deleted)) {
    const child = jobs.get(childName)!;
    if (job.parents && job.parents.length > 0) {
      const merged = [...new Set([...(child.parents ?? []).filter((p) => p !== deleted), ...job.parents])];
      out.push({ name: childName, kind: 'parents', parents: merged });
    } else {
      out.push({ name: childName, kind: 'schedule', schedule: job.schedule ?? '', scheduleTimeZone: job.scheduleTimeZone ?? '' });
    }
  }
  return out;
}

/**
 * A parent of `child` completed successfully: returns the parents still awaited afterwards and whether the child
 * is now due (every parent succeeded since the child's own last run). The caller resets the set when it runs.
 */
export function parentCompleted(childParents: readonly string[], doneSinceLastRun: readonly string[], parent: string): { ready: boolean; done: string[] } {
  const done = [...new Set([...doneSinceLastRun.filter((p) => childParents.includes(p)), parent])];
  const ready = childParents.every((p) => done.includes(p));
  return { ready, done: ready ? [] : done };
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz DOT as Chronos' JGraphT exporter writes it: integer vertex ids, job names as labels. */
export function toDot(jobs: readonly GraphJob[]): string {
  const ids = new Map(jobs.map((j, i) => [j.name, i + 1]));
  const lines = ['digraph G {'];
  for (const j of jobs) lines.push(`  ${ids.get(j.name)} [ label = ${dotString(j.name)} ];`);
  for (const j of jobs) for (const p of j.parents ?? []) if (ids.has(p)) lines.push(`  ${ids.get(p)} -> ${ids.get(j.name)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Chronos' CSV view: `node,<name>,<last state>,<status>` per job, then `link,<parent>,<child>` per edge. */
export function toCsv(jobs: readonly GraphJob[], stateOf: (name: string) => { lastState: string; status: string }): string {
  const lines: string[] = [];
  for (const j of jobs) { const s = stateOf(j.name); lines.push(`node,${j.name},${s.lastState},${s.status}`); }
  for (const j of jobs) for (const p of j.parents ?? []) lines.push(`link,${p},${j.name}`);
  return lines.map((l) => l + '\n').join('');
}
