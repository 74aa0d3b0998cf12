// The cluster at a glance: agents, frameworks and task counts, resources (used / offered / free), and every task.
// Counts and tasks come from the event stream; cpus/mem/disk numbers from /metrics/snapshot, refreshed after
// events (debounced) and every 10 s, because offers change without events.
import { useMemo } from 'react';
import { Link } from 'react-router';
import { rangesSize } from '../../../src/common/resources.ts';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { useApi } from '../../shared/useApi.ts';
import { useRefresh } from '../../shared/useRefresh.ts';
import { useCluster } from '../cluster.tsx';
import { isTerminal } from '../model.ts';
import { ResourceBars, type ResourceNumbers } from '../components/ResourceBars.tsx';
import { TaskTable } from '../components/TaskTable.tsx';

type Metrics = Record<string, number>;

function fromMetrics(m: Metrics | undefined, name: string): ResourceNumbers {
  const total = m?.[`master/${name}_total`] ?? 0;
  const used = m?.[`master/${name}_used`] ?? 0;
  const busy = m?.[`allocator/mesos/resources/${name}/offered_or_allocated`];
  return { total, used, ...(busy !== undefined ? { offered: Math.max(0, busy - used) } : {}) };
}

export function Overview() {
  const { model, version, ready } = useCluster();
  const metrics = useApi<Metrics>('/metrics/snapshot');
  useRefresh(metrics.reload, version, { delayMs: 1000, everyMs: 10_000 });

  const stats = useMemo(() => {
    let activeAgents = 0; let portsTotal = 0; let portsUsed = 0; let activeTasks = 0; let completedTasks = 0;
    for (const a of model.agents.values()) { if (a.raw.active) activeAgents++; portsTotal += rangesSize(a.total.ranges('ports')); }
    for (const t of model.tasks.values()) {
      if (isTerminal(t.state)) completedTasks++;
      else { activeTasks++; portsUsed += rangesSize(t.resources.ranges('ports')); }
    }
    let fwActive = 0; let fwInactive = 0; let fwCompleted = 0;
    for (const f of model.frameworks.values()) { if (f.completed) fwCompleted++; else if (f.raw.active) fwActive++; else fwInactive++; }
    return { activeAgents, portsTotal, portsUsed, activeTasks, completedTasks, fwActive, fwInactive, fwCompleted };
  }, [model, version]);
  const tasks = useMemo(() => [...model.tasks.values()], [model, version]);

  if (!ready) return <><h1>Cluster</h1><Loading /></>;
  return (
    <>
      <h1>Cluster</h1>
      <div className="cards">
        <Link className="card" to="/agents"><div className="label">Agents</div><div className="value" data-testid="agent-count">{model.agents.size}</div>
          <div className="muted small">{stats.activeAgents} active</div></Link>
        <Link className="card" to="/frameworks"><div className="label">Active frameworks</div><div className="value" data-testid="framework-count">{stats.fwActive}</div>
          <div className="muted small">{stats.fwInactive} inactive · {stats.fwCompleted} completed</div></Link>
        <div className="card"><div className="label">Active tasks</div><div className="value" data-testid="active-task-count">{stats.activeTasks}</div></div>
        <div className="card"><div className="label">Completed tasks</div><div className="value" data-testid="completed-task-count">{stats.completedTasks}</div></div>
      </div>
      <h2>Resources</h2>
      <ErrorBanner error={metrics.error} />
      <ResourceBars cpus={fromMetrics(metrics.data, 'cpus')} mem={fromMetrics(metrics.data, 'mem')} disk={fromMetrics(metrics.data, 'disk')}
        ports={{ total: stats.portsTotal, used: stats.portsUsed }} />
      <h2>Tasks</h2>
      <TaskTable model={model} version={version} tasks={tasks} label="Tasks" />
    </>
  );
}

