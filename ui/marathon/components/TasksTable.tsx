// An app's tasks: endpoints as links, health, state, age, a link to the sandbox in the master console, and kill
// (optionally lowering the instance count so the task is not replaced).
import { api } from '../../shared/api.ts';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { relativeTime } from '../../shared/format.ts';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { endpoints, sandboxUrl } from '../lib/links.ts';
import { appPath } from '../lib/store.ts';
import type { MarathonTask } from '../lib/types.ts';

function health(t: MarathonTask) {
  const results = t.healthCheckResults;
  if (!results || results.length === 0) return <span className="muted">–</span>;
  const alive = results.every((r) => r.alive);
  return <span className={`badge ${alive ? 'ok' : 'bad'}`} title={results.map((r) => r.lastFailureCause).filter(Boolean).join('; ') || undefined}>{alive ? 'healthy' : 'unhealthy'}</span>;
}

function stateBadge(state: string) {
  const tone = state === 'TASK_RUNNING' ? 'ok' : /FAILED|LOST|ERROR|GONE/.test(state) ? 'bad' : 'warn';
  return <span className={`badge ${tone}`}>{state.replace(/^TASK_/, '').toLowerCase()}</span>;
}

export function TasksTable({ appId, tasks, masterBase, frameworkId, onChanged, onError }: {
  appId: string; tasks: MarathonTask[]; masterBase: string | undefined; frameworkId: string | null | undefined; onChanged(): void; onError(e: unknown): void;
}) {
  const kill = async (t: MarathonTask, scale: boolean) => {
    try {
      await api(`${appPath(appId)}/tasks/${encodeURIComponent(t.id)}${scale ? '?scale=true' : ''}`, { method: 'DELETE' });
      onChanged();
    } catch (err) { onError(err); }
  };
  const columns: Column<MarathonTask>[] = [
    { key: 'id', header: 'Task', width: 'minmax(160px, 2fr)', render: (t) => <span className="mono" title={t.id}>{t.id}</span> },
    {
      key: 'endpoints', header: 'Endpoints', width: 'minmax(150px, 1.5fr)',
      render: (t) => (t.ports.length === 0 ? <span className="mono">{t.host}</span>
        : <span className="endpoints">{endpoints(t).map((e) => <a key={e.url} href={e.url} target="_blank" rel="noreferrer" className="mono">{e.label}</a>)}</span>),
    },
    { key: 'state', header: 'State', width: '100px', render: (t) => stateBadge(t.state) },
    { key: 'health', header: 'Health', width: '100px', render: health },
    { key: 'started', header: 'Started', width: '110px', render: (t) => <time dateTime={t.startedAt ?? t.stagedAt ?? ''} title={t.startedAt ?? t.stagedAt ?? ''}>{relativeTime(t.startedAt ?? t.stagedAt)}</time> },
    {
      key: 'logs', header: 'Logs', width: '70px',
      render: (t) => {
        const url = sandboxUrl(masterBase, frameworkId, t);
        return url ? <a href={url} target="_blank" rel="noreferrer" aria-label={`Sandbox of ${t.id}`}>sandbox</a> : <span className="muted">–</span>;
      },
    },
    {
      key: 'actions', header: 'Actions', width: '170px',
      render: (t) => (
        <span className="row-actions">
          <ConfirmButton label="Kill" title={`Kill ${t.id}?`} body="Marathon starts a replacement to keep the instance count." confirmLabel="Kill task" danger onConfirm={() => kill(t, false)} />
          <ConfirmButton label="Kill & scale" title={`Kill ${t.id} and scale down?`} body="The task is killed and the app's instance count lowered by one." confirmLabel="Kill and scale" danger onConfirm={() => kill(t, true)} />
        </span>
      ),
    },
  ];
  return <VirtualTable label="Tasks" rows={tasks} rowKey={(t) => t.id} columns={columns} rowHeight={48} maxHeight={480} empty="No tasks." />;
}
