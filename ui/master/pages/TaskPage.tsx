// One task: its state and status history, resources, agent, container, and its sandbox with live-tailed output.
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { formatCpus, formatMem } from '../../shared/format.ts';
import { Loading } from '../../shared/Shell.tsx';
import { useCluster } from '../cluster.tsx';
import { isTerminal, sandboxPath, taskKey } from '../model.ts';
import { KeyValues } from '../components/KeyValues.tsx';
import { agentHref, FrameworkLink } from '../components/links.tsx';
import { Sandbox } from '../components/Sandbox.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { formatDate } from '../time.ts';

export function TaskPage() {
  const { frameworkId = '', taskId = '' } = useParams();
  const { model, ready } = useCluster();
  if (!ready) return <Loading />;
  const task = model.tasks.get(taskKey(frameworkId, taskId));
  if (!task) return <><h1>Task</h1><p role="alert">No task <code>{taskId}</code> of framework <code>{frameworkId}</code> is known to this master.</p></>;
  const agent = model.agents.get(task.agentId);
  const ports = task.resources.ranges('ports');
  const last = task.statuses[task.statuses.length - 1];
  const ips = task.statuses.flatMap((s) => s.container_status?.network_infos ?? []).flatMap((n) => n.ip_addresses ?? []).map((a) => a.ip_address).filter(Boolean);
  return (
    <>
      <h1>Task {task.id}</h1>
      <KeyValues label="Task details" items={[
        ['State', <span data-testid="task-state"><StateBadge state={task.state} /></span>],
        ['Name', task.name],
        ['Framework', <FrameworkLink model={model} id={task.frameworkId} />],
        ['Agent', <Link to={agentHref(task.agentId)}>{agent?.hostname ?? task.agentId}</Link>],
        ['Resources', `${formatCpus(task.resources.scalar('cpus'))} cpus · ${formatMem(task.resources.scalar('mem'))} mem · ${formatMem(task.resources.scalar('disk'))} disk`],
        ['Ports', ports.map(([b, e]) => (b === e ? b : `${b}-${e}`)).join(', ')],
        ['IP addresses', [...new Set(ips)].join(', ')],
        ['Executor', task.executorId || <span className="muted">command executor</span>],
        ...(last?.message ? [['Last message', last.message] as [string, string]] : []),
        ...(task.raw.container ? [['Container', <code className="small">{JSON.stringify(task.raw.container)}</code>] as [string, ReactNode]] : []),
      ]} />
      <h2>Status history</h2>
      <table className="plain" aria-label="Status history">
        <thead><tr><th>State</th><th>Time</th><th>Source</th><th>Reason / message</th></tr></thead>
        <tbody>{[...task.statuses].reverse().map((s, i) => (
          <tr key={i}>
            <td><StateBadge state={s.state} />{s.healthy !== undefined && <span className={`badge ${s.healthy ? 'ok' : 'bad'}`}>{s.healthy ? 'healthy' : 'unhealthy'}</span>}</td>
            <td>{s.timestamp ? formatDate(s.timestamp * 1000) : ''}</td>
            <td>{(s.source ?? '').replace(/^SOURCE_/, '').toLowerCase()}</td>
            <td>{[s.reason?.replace(/^REASON_/, '').toLowerCase(), s.message].filter(Boolean).join(': ')}</td>
          </tr>
        ))}</tbody>
      </table>
      {agent
        ? <Sandbox agentId={task.agentId} root={sandboxPath(task)} taskLabel={`task ${task.id}`} live={!isTerminal(task.state)} />
        : <p className="muted">The task's agent is no longer registered, so its sandbox cannot be reached.</p>}
    </>
  );
}
