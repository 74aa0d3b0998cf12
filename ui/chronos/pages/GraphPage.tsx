// The dependency graph as a picture: parents on the left, children to their right, coloured by last status;
// click a job to open it. Large graphs are drawn around one job (search) so the picture stays readable.
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DagGraph } from '../../shared/DagGraph.tsx';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { selectGraph } from '../graph.ts';
import { useJobs } from '../jobs-store.tsx';

const MAX_NODES = 400;
const LEGEND = [['success', 'last run succeeded'], ['failure', 'last run failed'], ['fresh', 'never run'], ['running', 'running'], ['queued', 'queued'], ['disabled', 'disabled']] as const;

export function GraphPage() {
  const { jobs, error } = useJobs();
  const [params, setParams] = useSearchParams();
  const focus = params.get('focus') ?? undefined;
  const [find, setFind] = useState(focus ?? '');
  const selection = useMemo(() => (jobs ? selectGraph(jobs, focus) : undefined), [jobs, focus]);
  const names = useMemo(() => (jobs ?? []).filter((j) => j.parents.length > 0).slice(0, 2000).map((j) => j.name), [jobs]);

  return (
    <>
      <h1>Dependency graph</h1>
      <ErrorBanner error={error} />
      <form className="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setParams(find.trim() ? { focus: find.trim() } : {}); }}>
        <input type="search" aria-label="Show the graph around job" placeholder="Job name…" list="graph-jobs" value={find} onChange={(e) => setFind(e.target.value)} />
        <datalist id="graph-jobs">{names.map((n) => <option key={n} value={n} />)}</datalist>
        <button type="submit">Show</button>
        {focus && <button type="button" onClick={() => { setFind(''); setParams({}); }}>Show all</button>}
      </form>
      <ul className="legend" aria-label="Legend">
        {LEGEND.map(([cls, text]) => <li key={cls}><span className={`swatch ${cls}`} aria-hidden="true" /> {text}</li>)}
      </ul>
      {!selection ? <Loading /> : selection.nodes.length === 0 ? (
        <p className="muted">{focus ? `No job named ${focus} has dependencies.` : 'No job depends on another yet.'} Dependent jobs are created with parents in <Link to="/new">the job form</Link>.</p>
      ) : selection.nodes.length > MAX_NODES ? (
        <p role="status">{selection.nodes.length} linked jobs are too many for one picture: search for a job above to draw the jobs connected to it.</p>
      ) : (
        <>
          <p className="muted small">{selection.nodes.length} jobs, {selection.edges.length} {selection.edges.length === 1 ? 'dependency' : 'dependencies'}{!focus && selection.unlinked > 0 ? `; ${selection.unlinked} jobs without dependencies are not drawn` : ''}.</p>
          <DagGraph label={focus ? `Jobs connected to ${focus}` : 'Job dependencies'} nodes={selection.nodes} edges={selection.edges} highlight={focus} />
        </>
      )}
    </>
  );
}
