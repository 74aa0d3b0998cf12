// The applications as folders, as Marathon's UI shows them: at `#/` the top-level groups and apps, at
// `#/group/<id>` a group's child groups (with totals over everything below) then its own apps. Search by id,
// label and status filters list the matching apps below the group flat, with their full ids. Everything is
// computed on the client over the live copy (the group tree in one memoised pass over 10,000 apps, filtering
// deferred so typing stays responsive); only visible rows are rendered.
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { formatCpus, formatMem } from '../../shared/format.ts';
import { appsUnder, groupItems, nearestExisting, type GroupSummary, type GroupTree, type ListItem } from '../lib/groups.ts';
import { APP_STATUSES, filterApps, labelSuggestions, type AppRow, type AppStatus } from '../lib/status.ts';
import { groupPath } from '../lib/store.ts';
import { GroupCrumbs } from '../components/GroupCrumbs.tsx';
import { GroupScaleDialog } from '../components/GroupScaleDialog.tsx';
import { ItemName } from '../components/ItemName.tsx';
import { HealthSummary, StatusBadge } from '../components/StatusBadge.tsx';
import { currentGroupTree, store, useGroupTree, useMarathon } from '../live.tsx';
import { appHref, groupHref, idFromSplat } from '../routes.ts';

/** Float sums (0.1 × 10) shown as people write them. */
const cpus = (n: number) => formatCpus(Math.round(n * 1000) / 1000);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const appCount = (n: number) => plural(n, 'app');

// CPUs and memory are totals over the wanted instances (per instance × instances), so a group's total is the
// sum of its rows, as in Marathon's UI (docs/decisions/0175-marathon-console-groups.md).
const COLUMNS: Column<ListItem>[] = [
  {
    key: 'id', header: 'Name', width: 'minmax(180px, 3fr)', render: (it) => it.kind === 'group'
      ? <><ItemName id={it.group.id} to={groupHref(it.group.id)} folder /> <span className="muted small">{appCount(it.group.apps)}</span></>
      : <ItemName id={it.row.app.id} to={appHref(it.row.app.id)} />,
  },
  { key: 'status', header: 'Status', width: '110px', render: (it) => it.kind === 'app' ? <StatusBadge status={it.row.status} /> : it.group.status ? <StatusBadge status={it.group.status} /> : <span className="muted">empty</span> },
  {
    key: 'instances', header: 'Running', width: '90px', render: (it) => it.kind === 'app'
      ? <span title="running / wanted">{it.row.app.tasksRunning ?? 0} / {it.row.app.instances}</span>
      : <span title="running / wanted, all apps below">{it.group.running} / {it.group.instances}</span>,
  },
  { key: 'health', header: 'Health', width: 'minmax(120px, 1.2fr)', render: (it) => it.kind === 'app' ? <HealthSummary healthy={it.row.app.tasksHealthy} unhealthy={it.row.app.tasksUnhealthy} /> : <HealthSummary healthy={it.group.healthy} unhealthy={it.group.unhealthy} /> },
  {
    key: 'cpus', header: 'CPUs', width: '70px', render: (it) => it.kind === 'app'
      ? <span title={`${formatCpus(it.row.app.cpus)} × ${it.row.app.instances} instances`}>{cpus(it.row.app.cpus * it.row.app.instances)}</span>
      : <span title="total of the wanted instances below">{cpus(it.group.cpus)}</span>,
  },
  {
    key: 'mem', header: 'Memory', width: '90px', render: (it) => it.kind === 'app'
      ? <span title={`${formatMem(it.row.app.mem)} × ${it.row.app.instances} instances`}>{formatMem(it.row.app.mem * it.row.app.instances)}</span>
      : <span title="total of the wanted instances below">{formatMem(it.group.mem)}</span>,
  },
];

const itemKey = (it: ListItem) => (it.kind === 'group' ? `g:${it.group.id}` : `a:${it.row.app.id}`);

export function AppsPage() {
  const splat = useParams()['*'];
  const groupId = splat === undefined ? '/' : idFromSplat(splat);
  const { loaded, error, rows, apps, groupsLoaded } = useMarathon();
  const tree = useGroupTree();
  const [actionError, setActionError] = useState<unknown>();
  // One page instance serves every group: an action's error belongs to the group it was made on.
  useEffect(() => setActionError(undefined), [groupId]);
  // Filters live in the URL, so a filtered list can be bookmarked and Back restores it.
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const label = params.get('label') ?? '';
  const status = (params.get('status') ?? '') as AppStatus | '';
  const set = (key: string, value: string) => setParams((p) => { const n = new URLSearchParams(p); if (value) n.set(key, value); else n.delete(key); return n; }, { replace: true });
  const filter = useDeferredValue(useMemo(() => ({ search, label, status }), [search, label, status]));
  const filtering = Boolean(filter.search.trim() || filter.label.trim() || filter.status);
  const below = useMemo(() => appsUnder(rows, groupId), [rows, groupId]);
  const group = tree.get(groupId);
  const shown = useMemo<ListItem[]>(() => {
    if (filtering) return filterApps(below, filter).map((row) => ({ kind: 'app', row }));
    return group ? groupItems(group, tree) : [];
  }, [filtering, below, filter, group, tree]);
  const suggestions = useMemo(() => labelSuggestions(apps.values()), [apps]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of below) c[r.status] = (c[r.status] ?? 0) + 1;
    return c;
  }, [below]);

  if (!group && loaded && groupsLoaded) return <NoSuchGroup id={groupId} tree={tree} />;
  const shownApps = filtering ? shown.length : below.length;
  return (
    <>
      {groupId !== '/' && <GroupCrumbs id={groupId} />}
      <div className="page-head">
        <h1 className={groupId === '/' ? undefined : 'mono'}>{groupId === '/' ? 'Applications' : groupId}</h1>
        <div className="actions" role="group" aria-label={groupId === '/' ? 'Actions' : 'Group actions'}>
          <Link className="button primary" to={groupId === '/' ? '/create' : `/create?group=${encodeURIComponent(groupId)}`}>Create application</Link>
          {groupId !== '/' && group && <GroupActions id={groupId} rows={below} onError={setActionError} />}
        </div>
      </div>
      {groupId !== '/' && group && <GroupCards group={group} />}
      <ErrorBanner error={actionError ?? error} />
      <div className="toolbar" role="search">
        <input type="search" aria-label="Search applications by id" placeholder={groupId === '/' ? 'Search by id…' : `Search in ${groupId}…`} value={search} onChange={(e) => set('q', e.target.value)} />
        <input type="search" aria-label="Filter by label" placeholder="Label, e.g. tier==web" list="label-suggestions" value={label} onChange={(e) => set('label', e.target.value)} />
        <datalist id="label-suggestions">{suggestions.map((s) => <option key={s} value={s} />)}</datalist>
        <select aria-label="Filter by status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">All statuses ({below.length})</option>
          {APP_STATUSES.map((s) => <option key={s} value={s}>{s} ({counts[s] ?? 0})</option>)}
        </select>
        <span className="muted" role="status" data-testid="app-count">
          {shownApps === below.length ? appCount(below.length) : `${shownApps} of ${appCount(below.length)}`}
          {!filtering && group && group.groups.length > 0 ? ` · ${plural(group.groups.length, 'group')}` : ''}
        </span>
      </div>
      {!loaded && !error ? <Loading /> : (
        <VirtualTable label={groupId === '/' ? 'Applications' : `Applications in ${groupId}`} rows={shown} rowKey={itemKey} columns={COLUMNS} maxHeight={Math.max(320, window.innerHeight - 220)}
          empty={rows.length === 0 ? <>No applications yet. <Link to="/create">Create one</Link>.</> : filtering ? 'No application matches these filters.' : 'This group is empty.'} />
      )}
    </>
  );
}

/** A group's totals over everything below it, as the app page shows an app's. */
function GroupCards({ group }: { group: GroupSummary }) {
  return (
    <div className="cards group-cards">
      <div className="card"><div className="label">Applications</div><div className="value" data-testid="group-apps">{group.apps}</div><div className="muted">{group.groups.length === 0 ? 'no child groups' : plural(group.groups.length, 'child group')}</div></div>
      <div className="card"><div className="label">Instances</div><div className="value" data-testid="group-instances">{group.running} / {group.instances}</div><div className="muted">running / wanted{group.staged ? ` · ${group.staged} staging` : ''}</div></div>
      <div className="card"><div className="label">Health</div><div className="value"><HealthSummary healthy={group.healthy} unhealthy={group.unhealthy} /></div></div>
      <div className="card"><div className="label">Resources wanted</div><div className="value">{cpus(group.cpus)} {group.cpus === 1 ? 'CPU' : 'CPUs'}</div><div className="muted">{formatMem(group.mem)} memory</div></div>
    </div>
  );
}

function GroupActions({ id, rows, onError }: { id: string; rows: readonly AppRow[]; onError(err: unknown): void }) {
  const navigate = useNavigate();
  const ids = rows.map((r) => r.app.id);
  const refresh = () => store.touch(ids, { groups: true });
  const remove = async () => {
    onError(undefined);
    try { await api(groupPath(id), { method: 'DELETE' }); } catch (err) { onError(err); return; }
    // Then the nearest group above that still exists (groups go away with their last app).
    await store.refreshNow(ids, { groups: true });
    navigate(groupHref(nearestExisting(currentGroupTree(), id)));
  };
  return (
    <>
      <GroupScaleDialog groupId={id} rows={rows} onDone={refresh} />
      <ConfirmButton label="Delete group" title={`Delete ${id}?`} danger confirmLabel="Delete group" onConfirm={remove}
        body={<>Kills all tasks and deletes <strong className="mono">{id}</strong> with {rows.length === 0 ? 'its (empty) subgroups' : <>its {appCount(rows.length)} and subgroups</>}. This cannot be undone.</>} />
    </>
  );
}

function NoSuchGroup({ id, tree }: { id: string; tree: GroupTree }) {
  const nearest = nearestExisting(tree, id);
  return (
    <>
      <GroupCrumbs id={id} />
      <h1 className="mono">{id}</h1>
      <p role="alert">There is no such group (any more).{' '}
        <Link to={groupHref(nearest)}>{nearest === '/' ? 'Back to the applications' : `Back to ${nearest}`}</Link>.</p>
    </>
  );
}
