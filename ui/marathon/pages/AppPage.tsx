// One app: status and actions (scale, restart, suspend, destroy), the waiting explanation when instances are
// queued, and tabs for its tasks, configuration and versions. Live: the store refetches the app on its events.
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { Tabs } from '../../shared/Tabs.tsx';
import { formatCpus, formatMem, relativeTime } from '../../shared/format.ts';
import { appToForm, formToApp } from '../lib/appForm.ts';
import { masterUiBase } from '../lib/links.ts';
import { appStatus } from '../lib/status.ts';
import { appPath } from '../lib/store.ts';
import { GroupCrumbs } from '../components/GroupCrumbs.tsx';
import { HealthSummary, StatusBadge } from '../components/StatusBadge.tsx';
import { ScaleDialog } from '../components/ScaleDialog.tsx';
import { TasksTable } from '../components/TasksTable.tsx';
import { VersionsPanel } from '../components/VersionsPanel.tsx';
import { WaitingPanel } from '../components/WaitingPanel.tsx';
import { currentGroupTree, store, useMarathon } from '../live.tsx';
import { nearestExisting } from '../lib/groups.ts';
import { editHref, groupHref, idFromSplat } from '../routes.ts';

export function AppPage() {
  const id = idFromSplat(useParams()['*']);
  const navigate = useNavigate();
  const { apps, queue, info, loaded } = useMarathon();
  const [error, setError] = useState<unknown>();
  useEffect(() => store.watch(id), [id]);
  const app = apps.get(id);
  const entry = queue.get(id);
  if (!app) return loaded ? <><h1 className="mono">{id}</h1><p>This application does not exist (any more). <Link to="/">Back to the applications</Link>.</p></> : <Loading />;

  const status = appStatus(app, entry);
  const refresh = () => store.touch([id]);
  const act = async (method: string, path: string, body?: unknown) => {
    setError(undefined);
    try { await api(path, { method, ...(body !== undefined ? { body } : {}) }); refresh(); } catch (err) { setError(err); }
  };
  const destroy = async () => {
    setError(undefined);
    try { await api(appPath(id), { method: 'DELETE' }); } catch (err) { setError(err); return; }
    // Back to its group, or the nearest one above that still exists without it.
    await store.refreshNow([id], { groups: true });
    navigate(groupHref(nearestExisting(currentGroupTree(), id)));
  };
  const tasks = app.tasks ?? [];
  const image = (app.container as { docker?: { image?: string } } | null | undefined)?.docker?.image;

  return (
    <>
      <GroupCrumbs id={id} />
      <div className="page-head">
        <h1 className="mono">{id}</h1>
        <StatusBadge status={status} />
        <div className="actions" role="group" aria-label="App actions">
          <ScaleDialog appId={id} instances={app.instances} onDone={refresh} />
          <Link className="button" to={editHref(id)}>Edit</Link>
          <ConfirmButton label="Restart" title={`Restart ${id}?`} body="Replaces every task with a new one, keeping the upgrade strategy's capacity." confirmLabel="Restart" onConfirm={() => act('POST', `${appPath(id)}/restart`)} />
          <ConfirmButton label="Suspend" title={`Suspend ${id}?`} body="Scales the app to 0 instances; its configuration stays, scale it up to resume." confirmLabel="Suspend" disabled={app.instances === 0} onConfirm={() => act('PUT', appPath(id), { instances: 0 })} />
          <ConfirmButton label="Destroy" title={`Destroy ${id}?`} body={<>Kills all tasks and deletes <strong className="mono">{id}</strong> with its versions. This cannot be undone.</>} confirmLabel="Destroy" danger onConfirm={destroy} />
        </div>
      </div>
      <ErrorBanner error={error} />
      <div className="cards">
        <div className="card"><div className="label">Instances</div><div className="value" data-testid="instances">{app.tasksRunning ?? 0} / {app.instances}</div><div className="muted">running / wanted{app.tasksStaged ? ` · ${app.tasksStaged} staging` : ''}</div></div>
        <div className="card"><div className="label">Health</div><div className="value"><HealthSummary healthy={app.tasksHealthy} unhealthy={app.tasksUnhealthy} /></div></div>
        <div className="card"><div className="label">Resources per instance</div><div className="value">{formatCpus(app.cpus)} CPU · {formatMem(app.mem)}</div><div className="muted">disk {formatMem(app.disk)}</div></div>
        <div className="card"><div className="label">Last change</div><div className="value">{relativeTime(app.version)}</div><div className="muted mono small">{app.version ?? '–'}</div></div>
      </div>
      {entry && entry.count > 0 && (status === 'waiting' || status === 'delayed' || (entry.processedOffersSummary?.processedOffersCount ?? 0) > 0) && <WaitingPanel app={app} entry={entry} />}
      {app.lastTaskFailure?.message && (
        <p className="panel last-failure"><strong>Last task failure</strong> ({app.lastTaskFailure.state?.replace(/^TASK_/, '').toLowerCase()}, {relativeTime(app.lastTaskFailure.timestamp)}{app.lastTaskFailure.host ? ` on ${app.lastTaskFailure.host}` : ''}): {app.lastTaskFailure.message}</p>
      )}
      <Tabs label="App details" tabs={[
        { id: 'tasks', label: `Tasks (${tasks.length})`, content: <TasksTable appId={id} tasks={tasks} masterBase={masterUiBase(info)} frameworkId={info?.frameworkId} onChanged={refresh} onError={setError} /> },
        {
          id: 'config', label: 'Configuration', content: (
            <div className="config">
              <dl className="summary">
                <dt>Command</dt><dd className="mono">{app.cmd ?? '–'}</dd>
                {image && <><dt>Docker image</dt><dd className="mono">{image}</dd></>}
                <dt>Constraints</dt><dd className="mono">{(app.constraints ?? []).map((c) => c.join(' ')).join(', ') || '–'}</dd>
                <dt>Labels</dt><dd className="mono">{Object.entries(app.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '–'}</dd>
              </dl>
              <pre className="json" aria-label="App definition">{JSON.stringify(formToApp(appToForm(app)), null, 2)}</pre>
            </div>
          ),
        },
        { id: 'versions', label: 'Versions', content: <VersionsPanel appId={id} current={app.version} onRolledBack={refresh} /> },
      ]} />
    </>
  );
}
