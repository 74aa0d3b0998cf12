// A job's runs: the ones queued or running now, then finished ones newest first, with durations and a link to
// each task's sandbox in the master console.
import { formatDuration } from '../../shared/format.ts';
import { sandboxUrl } from '../sandbox.ts';
import type { ActiveTask, FrameworkInfo, RunStat } from '../types.ts';
import { When } from './When.tsx';

const RESULT = { success: 'badge ok', fail: 'badge bad', killed: 'badge warn' } as const;

function SandboxLink({ fw, task }: { fw: FrameworkInfo | undefined; task: { taskId: string; slaveId: string } }) {
  const url = task.slaveId ? sandboxUrl(fw, task) : undefined;
  return url ? <a href={url} target="_blank" rel="noreferrer" aria-label={`Sandbox of ${task.taskId}`}>sandbox</a> : <span className="muted">–</span>;
}

export function RunHistory({ runs, active, fw, now }: { runs: RunStat[]; active: ActiveTask[]; fw: FrameworkInfo | undefined; now: number }) {
  if (runs.length === 0 && active.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table" aria-label="Run history">
        <thead>
          <tr><th scope="col">Result</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Host</th><th scope="col">Attempt</th><th scope="col">Details</th><th scope="col">Sandbox</th></tr>
        </thead>
        <tbody>
          {active.map((t) => (
            <tr key={t.taskId} data-testid="run-active">
              <td><span className={t.state === 'queued' ? 'badge warn' : 'badge info'}>{t.state}</span></td>
              <td>{t.startedAt ? <When at={t.startedAt} now={now} /> : <span className="muted">due <When at={t.dueAt} now={now} /></span>}</td>
              <td>{t.startedAt ? `${formatDuration(now - Date.parse(t.startedAt))} so far` : '–'}</td>
              <td>{t.host || '–'}</td>
              <td>{t.attempt + 1}</td>
              <td className="mono small" title={t.taskId}>{t.taskId}</td>
              <td><SandboxLink fw={fw} task={t} /></td>
            </tr>
          ))}
          {runs.map((r) => (
            <tr key={r.taskId} data-testid="run">
              <td><span className={RESULT[r.status]}>{r.status === 'fail' ? 'failed' : r.status === 'success' ? 'succeeded' : 'killed'}</span></td>
              <td><When at={r.startedAt} now={now} /></td>
              <td>{r.durationMs !== undefined ? formatDuration(r.durationMs) : '–'}</td>
              <td>{r.host || '–'}</td>
              <td>{r.attempt + 1}</td>
              <td className="small" title={r.taskId}>{r.exitStatus !== undefined ? `exit ${r.exitStatus}` : r.taskState}{r.message ? <span className="muted"> · {r.message}</span> : null}</td>
              <td><SandboxLink fw={fw} task={r} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
