// One agent: where it is, since when, its attributes, its resources (total / used / offered / free) and its tasks.
import { useMemo } from 'react';
import { useParams } from 'react-router';
import { relativeTime } from '../../shared/format.ts';
import { useApi } from '../../shared/useApi.ts';
import { useRefresh } from '../../shared/useRefresh.ts';
import { Loading } from '../../shared/Shell.tsx';
import { useCluster } from '../cluster.tsx';
import { KeyValues } from '../components/KeyValues.tsx';
import { numbers, ResourceBars } from '../components/ResourceBars.tsx';
import { TaskTable } from '../components/TaskTable.tsx';
import { agentAddress } from '../address.ts';
import { fromLegacy } from '../legacy.ts';
import { formatDate, nsToMs } from '../time.ts';

interface LegacySlaves { slaves: Array<{ id: string; offered_resources: Record<string, number | string> }> }

export function AgentPage() {
  const { id = '' } = useParams();
  const { model, version, ready } = useCluster();
  const agent = model.agents.get(id);
  const slaves = useApi<LegacySlaves>(`/master/slaves?slave_id=${encodeURIComponent(id)}`);
  useRefresh(slaves.reload, version, { delayMs: 1000, everyMs: 10_000 });
  const tasks = useMemo(() => model.tasksOfAgent(id), [model, version, id]);
  const used = useMemo(() => model.usedOnAgent(id), [model, version, id]);
  if (!ready) return <Loading />;
  if (!agent) return <><h1>Agent</h1><p role="alert">No agent <code>{id}</code> is registered with this master (it may have been removed).</p></>;
  const offered = fromLegacy(slaves.data?.slaves[0]?.offered_resources);
  const info = agent.raw.agent_info;
  const attributes = info.attributes ?? [];
  return (
    <>
      <h1>Agent {agent.hostname}</h1>
      <KeyValues label="Agent details" items={[
        ['ID', <span className="mono">{agent.id}</span>],
        ['Address', agentAddress(agent.raw.pid) ?? `${info.hostname}:${info.port ?? ''}`],
        ['State', agent.raw.active ? <span className="badge ok">active</span> : <span className="badge warn">disconnected</span>],
        ['Registered', <span title={formatDate(nsToMs(agent.raw.registered_time))}>{relativeTime(nsToMs(agent.raw.registered_time))}</span>],
        ...(agent.raw.reregistered_time ? [['Re-registered', relativeTime(nsToMs(agent.raw.reregistered_time))] as [string, string]] : []),
        ['Version', agent.raw.version ?? ''],
      ]} />
      <h2>Resources</h2>
      <ResourceBars cpus={numbers('cpus', agent.total, used, offered)} mem={numbers('mem', agent.total, used, offered)}
        disk={numbers('disk', agent.total, used, offered)} ports={numbers('ports', agent.total, used, offered)} />
      <h2>Attributes</h2>
      {attributes.length === 0 ? <p className="muted">No attributes.</p> : (
        <KeyValues label="Attributes" items={attributes.map((a) => [a.name, a.text?.value ?? a.scalar?.value ?? a.set?.item.join(', ') ?? a.ranges?.range.map((r) => `${r.begin}-${r.end}`).join(', ')])} />
      )}
      <h2>Tasks</h2>
      <TaskTable model={model} version={version} tasks={tasks} label="Tasks on this agent" fixedAgent={id} />
    </>
  );
}
