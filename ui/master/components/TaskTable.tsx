// Active or completed tasks in a virtualised table with a search box and filters (state, framework, agent).
// Filtering runs in memory on each change; at 10,000 tasks that is a few milliseconds. `version` is the model's
// (see useCluster), so derived lists refresh when it changes.
import { useDeferredValue, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { formatCpus, formatMem, relativeTime } from '../../shared/format.ts';
import { filterTasks, isTerminal, lastTime, type ClusterModel, type TaskEntry } from '../model.ts';
import { AgentLink, FrameworkLink, taskHref } from './links.tsx';
import { StateBadge } from './StateBadge.tsx';

const ACTIVE_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE'];
const DONE_STATES = ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'];

export function TaskTable({ model, version, tasks, label, fixedFramework, fixedAgent }: {
  model: ClusterModel; version: number; tasks: readonly TaskEntry[]; label: string; fixedFramework?: string; fixedAgent?: string;
}) {
  const [completed, setCompleted] = useState(false);
  const [text, setText] = useState('');
  const [state, setState] = useState('');
  const [frameworkId, setFrameworkId] = useState('');
  const [agentText, setAgentText] = useState('');
  const query = useDeferredValue(text);
  const agentQuery = useDeferredValue(agentText).trim().toLowerCase();

  const all = tasks;
  const counts = useMemo(() => {
    let done = 0;
    for (const t of all) if (isTerminal(t.state)) done++;
    return { active: all.length - done, completed: done };
  }, [all]);
  const rows = useMemo(() => {
    const byAgent = agentQuery
      ? all.filter((t) => t.agentId.toLowerCase().includes(agentQuery) || (model.agents.get(t.agentId)?.hostname ?? '').toLowerCase().includes(agentQuery))
      : all;
    return filterTasks(byAgent, { text: query, completed, ...(state ? { states: new Set([state]) } : {}), ...(frameworkId ? { frameworkId } : {}) });
  }, [all, query, completed, state, frameworkId, agentQuery, model]);
  const frameworks = useMemo(() => [...model.frameworks.values()].sort((a, b) => a.name.localeCompare(b.name)),
    [model, version]);

  const columns: Column<TaskEntry>[] = [
    { key: 'id', header: 'Task', width: 'minmax(160px, 2fr)', render: (t) => <Link to={taskHref(t.frameworkId, t.id)}>{t.id}</Link> },
    { key: 'name', header: 'Name', width: 'minmax(100px, 1.2fr)', render: (t) => t.name },
    { key: 'state', header: 'State', width: '110px', render: (t) => <StateBadge state={t.state} /> },
    ...(fixedFramework ? [] : [{ key: 'fw', header: 'Framework', width: 'minmax(100px, 1fr)', render: (t: TaskEntry) => <FrameworkLink model={model} id={t.frameworkId} /> }]),
    ...(fixedAgent ? [] : [{ key: 'agent', header: 'Agent', width: 'minmax(100px, 1fr)', render: (t: TaskEntry) => <AgentLink model={model} id={t.agentId} /> }]),
    { key: 'cpus', header: 'CPUs', width: '60px', render: (t) => formatCpus(t.resources.scalar('cpus')) },
    { key: 'mem', header: 'Mem', width: '80px', render: (t) => formatMem(t.resources.scalar('mem')) },
    { key: 'updated', header: 'Updated', width: '100px', render: (t) => <time dateTime={new Date(lastTime(t) * 1000).toISOString()}>{relativeTime(lastTime(t) * 1000)}</time> },
  ];

  return (
    <section aria-label={label}>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Which tasks">
          <button type="button" aria-pressed={!completed} onClick={() => { setCompleted(false); setState(''); }}>Active <span className="count">{counts.active}</span></button>
          <button type="button" aria-pressed={completed} onClick={() => { setCompleted(true); setState(''); }}>Completed <span className="count">{counts.completed}</span></button>
        </div>
        <input type="search" aria-label={`Search ${label.toLowerCase()}`} placeholder="Search id, name, framework, host…" value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Filter by state" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">All states</option>
          {(completed ? DONE_STATES : ACTIVE_STATES).map((s) => <option key={s} value={s}>{s.replace(/^TASK_/, '').toLowerCase()}</option>)}
        </select>
        {!fixedFramework && (
          <select aria-label="Filter by framework" value={frameworkId} onChange={(e) => setFrameworkId(e.target.value)}>
            <option value="">All frameworks</option>
            {frameworks.map((f) => <option key={f.id} value={f.id}>{f.name || f.id}</option>)}
          </select>
        )}
        {!fixedAgent && <input type="search" className="narrow" aria-label="Filter by agent" placeholder="Agent host or id" value={agentText} onChange={(e) => setAgentText(e.target.value)} />}
        <span className="muted" aria-live="polite">{rows.length} shown</span>
      </div>
      <VirtualTable rows={rows} columns={columns} rowKey={(t) => t.key} label={label}
        empty={completed ? 'No completed tasks match.' : 'No active tasks match.'} />
    </section>
  );
}
