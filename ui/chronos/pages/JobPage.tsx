// One job: what it is, what it is doing, the actions (run now, enable/disable, edit, delete) and its runs, kept
// current by the event stream.
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { formatCpus, formatMem } from '../../shared/format.ts';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { useApi } from '../../shared/useApi.ts';
import { RunHistory } from '../components/RunHistory.tsx';
import { ActivityBadge, StateBadge } from '../components/StatusBadges.tsx';
import { useNow } from '../components/useNow.ts';
import { When } from '../components/When.tsx';
import { useJobEvents, useJobs } from '../jobs-store.tsx';
import { deleteJob, runNow, setDisabled } from '../jobs-api.ts';
import { scheduleInWords } from '../schedule.ts';
import { lastState } from '../status.ts';
import type { FrameworkInfo, Job, JobContainer, JobStat } from '../types.ts';

/** Keyed by job name: moving from one job to another starts a fresh page (no notices carried over). */
export function JobPage() {
  const name = useParams().name!;
  return <JobView key={name} name={name} />;
}

function JobView({ name }: { name: string }) {
  const enc = encodeURIComponent(name);
  const job = useApi<Job>(`/v1/scheduler/job/${enc}`);
  const stat = useApi<JobStat>(`/v1/scheduler/job/stat/${enc}`);
  const fw = useApi<FrameworkInfo>('/v1/scheduler/framework');
  const { jobs, byName } = useJobs();
  const summary = byName.get(name);
  const navigate = useNavigate();
  const now = useNow(5_000);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [deleted, setDeleted] = useState(false);

  useJobEvents(name, (e) => {
    if (e.type === 'job_deleted') { setDeleted(true); return; }
    if (e.type.startsWith('task_')) stat.reload();
    if (e.type === 'job_changed' || e.type === 'task_finished') job.reload();
  });

  const act = async (what: () => Promise<void>, done: string) => {
    setActionError(undefined); setNotice('');
    try { await what(); setNotice(done); } catch (e) { setActionError(e); }
  };

  if (deleted) return <><h1>{name}</h1><p role="status">This job was deleted. <Link to="/">Back to the jobs</Link>.</p></>;
  if (job.error && !job.data) return <><h1>{name}</h1><ErrorBanner error={job.error} /><Link to="/">Back to the jobs</Link></>;
  if (!job.data) return <Loading />;
  const j = job.data;
  const children = (jobs ?? []).filter((o) => o.parents.includes(name)).map((o) => o.name);
  // The list's live row; until the list has loaded, what the job itself says.
  const live = summary ?? { status: 'idle', disabled: j.disabled, state: lastState(j), nextRun: '' };

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/">Jobs</Link> / <span>{name}</span></nav>
      <div className="page-title">
        <h1>{name}</h1>
        <span className="badges" aria-label="Status"><ActivityBadge job={live} /> <StateBadge state={live.state} /></span>
      </div>
      {j.description && <p className="lead">{j.description}</p>}
      <div className="toolbar" role="group" aria-label="Actions">
        <button type="button" className="primary" onClick={() => void act(() => runNow(name), 'Run queued.')}>Run now</button>
        <button type="button" onClick={() => void act(() => setDisabled(j, !j.disabled), j.disabled ? 'Enabled.' : 'Disabled.')}>{j.disabled ? 'Enable' : 'Disable'}</button>
        <Link className="button" to={`/jobs/${enc}/edit`}>Edit</Link>
        <Link className="button" to={`/graph?focus=${enc}`}>Graph</Link>
        <ConfirmButton label="Delete" danger title={`Delete ${name}?`} confirmLabel="Delete job"
          body={<p>The job, its queued runs and its history are removed; running tasks are killed.{children.length > 0 ? ` Its children (${children.join(', ')}) are rewired to its parents or take over its schedule.` : ''}</p>}
          onConfirm={async () => { try { await deleteJob(name); navigate('/'); } catch (e) { setActionError(e); } }} />
        <span role="status" className="muted">{notice}</span>
      </div>
      <ErrorBanner error={actionError} />

      <section aria-labelledby="details" className="panel">
        <h2 id="details" className="visually-hidden">Details</h2>
        <dl className="details">
          <Item term="Schedule">{j.parents ? <>after {j.parents.map((p, i) => <span key={p}>{i > 0 && ', '}<Link to={`/jobs/${encodeURIComponent(p)}`}>{p}</Link></span>)}</> : <><span>{scheduleInWords(j.schedule ?? '')}</span> <code className="small">{j.schedule}</code></>}</Item>
          {!j.parents && <Item term="Time zone">{j.scheduleTimeZone || 'UTC'}</Item>}
          {!j.parents && <Item term="Next run">{j.disabled ? <span className="muted">disabled</span> : <When at={live.nextRun} now={now} />}</Item>}
          <Item term="Children">{children.length === 0 ? <span className="muted">none</span> : children.map((c, i) => <span key={c}>{i > 0 && ', '}<Link to={`/jobs/${encodeURIComponent(c)}`}>{c}</Link></span>)}</Item>
          <Item term="Command"><code className="command">{j.command || '–'}</code>{!j.shell && <span className="muted"> (no shell)</span>}</Item>
          {j.arguments.length > 0 && <Item term="Arguments">{j.arguments.map((a, i) => <code key={i} className="arg">{a}</code>)}</Item>}
          {j.container?.image && <Item term="Container"><code>{j.container.image}</code> <span className="muted">{containerNotes(j.container)}</span></Item>}
          {(j.uris.length > 0 || j.fetch.length > 0) && <Item term="Files">{fetchedFiles(j).map((f, i) => <div key={i}><code>{f.uri}</code>{f.notes && <span className="muted"> ({f.notes})</span>}</div>)}</Item>}
          {j.constraints.length > 0 && <Item term="Constraints">{j.constraints.map((c, i) => <div key={i}><code>{c.join(' ')}</code></div>)}</Item>}
          {j.runAsUser && <Item term="Runs as">{j.runAsUser}</Item>}
          <Item term="Owner">{j.owner || '–'}{j.ownerName ? ` (${j.ownerName})` : ''}</Item>
          <Item term="Last success"><When at={j.lastSuccess} now={now} empty="never" /> <span className="muted">({j.successCount} total)</span></Item>
          <Item term="Last error"><When at={j.lastError} now={now} empty="never" /> <span className="muted">({j.errorCount} total, {j.errorsSinceLastSuccess} since last success)</span></Item>
          <Item term="Resources">{formatCpus(j.cpus)} CPU · {formatMem(j.mem)} memory · {formatMem(j.disk)} disk</Item>
          <Item term="Retries / epsilon">{j.retries} · {j.epsilon}</Item>
          <Item term="Options">{[j.concurrent && 'concurrent', j.async && 'async', j.disabled && 'disabled', j.softError && 'soft error', j.highPriority && 'high priority', j.dataProcessingJobType && 'data processing'].filter(Boolean).join(', ') || <span className="muted">none</span>}</Item>
          {j.environmentVariables.length > 0 && <Item term="Environment">{j.environmentVariables.map((v) => <div key={v.name}><code>{v.name}={v.value}</code></div>)}</Item>}
        </dl>
      </section>

      <h2>Runs</h2>
      <ErrorBanner error={stat.error} />
      {!stat.data ? <Loading /> : <RunHistory runs={stat.data.taskStatHistory} active={stat.data.activeTasks ?? []} fw={fw.data} now={now} />}
    </>
  );
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return <div><dt>{term}</dt><dd>{children}</dd></div>;
}

/** A job's files with their fetch flags in words (plain uris are extracted, nothing else). */
function fetchedFiles(j: Job): { uri: string; notes: string }[] {
  if (j.fetch.length === 0) return j.uris.map((uri) => ({ uri, notes: '' }));
  return j.fetch.map((f) => ({
    uri: f.uri,
    notes: [f.output_file && `as ${f.output_file}`, !f.extract && 'not extracted', f.executable && 'executable', f.cache && 'cached'].filter(Boolean).join(', '),
  }));
}

/** The container's network, pull policy and volumes in words (the server keeps a container as given: read loosely). */
function containerNotes(c: JobContainer): string {
  const str = (v: unknown, d = '') => (typeof v === 'string' ? v : d);
  const volumes = (Array.isArray(c.volumes) ? c.volumes : []).map((v) => `${str(v.hostPath)}:${str(v.containerPath)}:${str(v.mode, 'RW').toUpperCase()}`);
  return [`${str(c.network, 'HOST').toLowerCase()} network`, c.forcePullImage === true && 'always pulled', ...volumes].filter(Boolean).join(' · ');
}
