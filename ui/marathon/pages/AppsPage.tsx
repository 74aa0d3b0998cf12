// The applications list: every app with its status, instances, health and resources; search by id, filter by
// label and status. Filtering runs on the client over the live copy (one pass over 10,000 rows), deferred so
// typing stays responsive; only visible rows are rendered.
import { useDeferredValue, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { formatCpus, formatMem } from '../../shared/format.ts';
import { APP_STATUSES, filterApps, labelSuggestions, type AppRow, type AppStatus } from '../lib/status.ts';
import { HealthSummary, StatusBadge } from '../components/StatusBadge.tsx';
import { useMarathon } from '../live.tsx';
import { appHref } from '../routes.ts';

const COLUMNS: Column<AppRow>[] = [
  { key: 'id', header: 'Application', width: 'minmax(180px, 3fr)', render: (r) => <Link to={appHref(r.app.id)} className="mono">{r.app.id}</Link> },
  { key: 'status', header: 'Status', width: '110px', render: (r) => <StatusBadge status={r.status} /> },
  { key: 'instances', header: 'Running', width: '90px', render: (r) => <span title="running / wanted">{r.app.tasksRunning ?? 0} / {r.app.instances}</span> },
  { key: 'health', header: 'Health', width: 'minmax(120px, 1.2fr)', render: (r) => <HealthSummary healthy={r.app.tasksHealthy} unhealthy={r.app.tasksUnhealthy} /> },
  { key: 'cpus', header: 'CPUs', width: '70px', render: (r) => formatCpus(r.app.cpus) },
  { key: 'mem', header: 'Memory', width: '90px', render: (r) => formatMem(r.app.mem) },
];

const appCount = (n: number) => `${n} ${n === 1 ? 'app' : 'apps'}`;

export function AppsPage() {
  const { loaded, error, rows, apps } = useMarathon();
  // Filters live in the URL, so a filtered list can be bookmarked and Back restores it.
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const label = params.get('label') ?? '';
  const status = (params.get('status') ?? '') as AppStatus | '';
  const set = (key: string, value: string) => setParams((p) => { const n = new URLSearchParams(p); if (value) n.set(key, value); else n.delete(key); return n; }, { replace: true });
  const filter = useDeferredValue(useMemo(() => ({ search, label, status }), [search, label, status]));
  const shown = useMemo(() => filterApps(rows, filter), [rows, filter]);
  const suggestions = useMemo(() => labelSuggestions(apps.values()), [apps]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of rows) c[r.status] = (c[r.status] ?? 0) + 1;
    return c;
  }, [rows]);
  return (
    <>
      <div className="page-head">
        <h1>Applications</h1>
        <Link className="button primary" to="/create">Create application</Link>
      </div>
      <ErrorBanner error={error} />
      <div className="toolbar" role="search">
        <input type="search" aria-label="Search applications by id" placeholder="Search by id…" value={search} onChange={(e) => set('q', e.target.value)} />
        <input type="search" aria-label="Filter by label" placeholder="Label, e.g. tier==web" list="label-suggestions" value={label} onChange={(e) => set('label', e.target.value)} />
        <datalist id="label-suggestions">{suggestions.map((s) => <option key={s} value={s} />)}</datalist>
        <select aria-label="Filter by status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">All statuses ({rows.length})</option>
          {APP_STATUSES.map((s) => <option key={s} value={s}>{s} ({counts[s] ?? 0})</option>)}
        </select>
        <span className="muted" role="status" data-testid="app-count">{shown.length === rows.length ? appCount(rows.length) : `${shown.length} of ${appCount(rows.length)}`}</span>
      </div>
      {!loaded && !error ? <Loading /> : (
        <VirtualTable label="Applications" rows={shown} rowKey={(r) => r.app.id} columns={COLUMNS} maxHeight={Math.max(320, window.innerHeight - 220)}
          empty={rows.length === 0 ? <>No applications yet. <Link to="/create">Create one</Link>.</> : 'No application matches these filters.'} />
      )}
    </>
  );
}
