// The jobs list: every job with what it is doing, how it last went, when it runs next; search and filters kept in
// the URL (shareable); virtualised so tens of thousands of jobs stay fast.
import { useDeferredValue, useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { VirtualTable } from '../../shared/VirtualTable.tsx';
import { ActivityBadge, StateBadge } from '../components/StatusBadges.tsx';
import { useNow } from '../components/useNow.ts';
import { When } from '../components/When.tsx';
import { useJobs } from '../jobs-store.tsx';
import { scheduleInWords } from '../schedule.ts';
import { matchesStatus, searchText, STATUS_FILTERS } from '../status.ts';
import type { JobSummary } from '../types.ts';

export function JobsPage() {
  const { jobs, error, live } = useJobs();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const owner = params.get('owner') ?? '';
  const set = (key: string, value: string) => setParams((p) => { if (value) p.set(key, value); else p.delete(key); return p; }, { replace: true });
  const now = useNow();

  // Search text is built once per job list, not per keystroke.
  const indexed = useMemo(() => (jobs ?? []).map((j) => ({ j, text: searchText(j) })), [jobs]);
  const owners = useMemo(() => [...new Set((jobs ?? []).map((j) => j.owner).filter(Boolean))].sort(), [jobs]);
  // Typing stays responsive: the list re-filters as a deferred (interruptible) render.
  const fq = useDeferredValue(q.trim().toLowerCase());
  const fStatus = useDeferredValue(status);
  const fOwner = useDeferredValue(owner);
  const shown = useMemo(() => indexed
    .filter(({ j, text }) => (!fq || text.includes(fq)) && matchesStatus(j, fStatus) && (!fOwner || j.owner === fOwner))
    .map(({ j }) => j), [indexed, fq, fStatus, fOwner]);
  // User Timing marks for bench/ui-chronos.ts: when the list first showed its rows (after the browser painted).
  const listed = jobs !== undefined;
  useEffect(() => { if (listed) requestAnimationFrame(() => performance.mark('chronos:jobs-listed')); }, [listed]);

  return (
    <>
      <div className="page-title">
        <h1>Jobs</h1>
        <span className={live ? 'badge ok' : 'badge'} title={live ? 'Updates arrive as they happen' : 'Not receiving live updates'}>{live ? 'live' : 'offline'}</span>
        <Link className="button primary" to="/new">New job</Link>
      </div>
      <ErrorBanner error={error} />
      <div className="toolbar" role="search">
        <input type="search" aria-label="Search jobs" placeholder="Search name, owner, command…" value={q} onChange={(e) => set('q', e.target.value)} />
        <select aria-label="Status" value={status} onChange={(e) => set('status', e.target.value)}>
          {STATUS_FILTERS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
        </select>
        <select aria-label="Owner" value={owner} onChange={(e) => set('owner', e.target.value)}>
          <option value="">Any owner</option>
          {owners.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        {jobs && <span className="muted" data-testid="job-count" aria-live="polite">{shown.length === jobs.length ? `${jobs.length} jobs` : `${shown.length} of ${jobs.length} jobs`}</span>}
      </div>
      {!jobs ? <Loading /> : (
        <VirtualTable<JobSummary> label="Jobs" rows={shown} rowKey={(j) => j.name} rowHeight={44} maxHeight={Math.max(360, window.innerHeight - 220)}
          empty={jobs.length === 0 ? <>No jobs yet. <Link to="/new">Create one</Link>.</> : 'No job matches.'}
          columns={[
            { key: 'name', header: 'Name', width: 'minmax(160px, 2fr)', render: (j) => <Link to={`/jobs/${encodeURIComponent(j.name)}`}>{j.name}</Link> },
            { key: 'status', header: 'Status', width: 'minmax(150px, 1.2fr)', render: (j) => <span className="badges"><ActivityBadge job={j} /> <StateBadge state={j.state} /></span> },
            { key: 'last', header: 'Last success / error', width: 'minmax(150px, 1.2fr)', render: (j) => <span><Cell label="Last success / error" /><When at={j.lastSuccess} now={now} empty="never" /> <span className="muted">/</span> {j.lastError ? <span className="bad-text"><When at={j.lastError} now={now} /></span> : <span className="muted">none</span>}</span> },
            { key: 'next', header: 'Next run', width: 'minmax(90px, 1fr)', render: (j) => <><Cell label="Next run" />{j.parents.length > 0 ? <span className="muted">after parents</span> : <When at={j.nextRun} now={now} empty={j.disabled ? 'disabled' : '–'} />}</> },
            { key: 'schedule', header: 'Schedule', width: 'minmax(140px, 1.6fr)', render: (j) => <><Cell label="Schedule" />{j.parents.length > 0 ? <span title={j.parents.join(', ')}>after {j.parents.join(', ')}</span> : <span title={j.schedule}>{scheduleInWords(j.schedule)}</span>}</> },
            { key: 'owner', header: 'Owner', width: 'minmax(100px, 1fr)', render: (j) => <><Cell label="Owner" />{j.owner || <span className="muted">–</span>}</> },
          ]} />
      )}
    </>
  );
}

/** The column name inside a cell, shown only at phone width where the table folds into cards. */
function Cell({ label }: { label: string }) {
  return <span className="cell-label" aria-hidden="true">{label}: </span>;
}
