// Every agent in a virtualised, searchable table (hostname, id, attributes), with what its tasks use.
import { useDeferredValue, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { formatCpus, formatMem, relativeTime } from '../../shared/format.ts';
import { useCluster } from '../cluster.tsx';
import { isTerminal, type AgentEntry } from '../model.ts';
import { agentHref } from '../components/links.tsx';
import { nsToMs } from '../time.ts';

export function Agents() {
  const { model, version } = useCluster();
  const [text, setText] = useState('');
  const query = useDeferredValue(text).trim().toLowerCase();
  const rows = useMemo(() => {
    const all = [...model.agents.values()].filter((a) => !query || a.haystack.includes(query));
    return all.sort((a, b) => a.hostname.localeCompare(b.hostname, undefined, { numeric: true }));
  }, [model, version, query]);
  const columns: Column<AgentEntry>[] = [
    { key: 'host', header: 'Host', width: 'minmax(140px, 1.5fr)', render: (a) => <Link to={agentHref(a.id)}>{a.hostname}</Link> },
    { key: 'id', header: 'ID', width: 'minmax(140px, 2fr)', render: (a) => <span className="mono small">{a.id}</span> },
    { key: 'state', header: 'State', width: '90px', render: (a) => a.raw.active ? <span className="badge ok">active</span> : <span className="badge warn">disconnected</span> },
    { key: 'tasks', header: 'Tasks', width: '60px', render: (a) => model.tasksOfAgent(a.id).filter((t) => !isTerminal(t.state)).length },
    { key: 'cpus', header: 'CPUs used', width: '100px', render: (a) => `${formatCpus(model.usedOnAgent(a.id).scalar('cpus'))} / ${formatCpus(a.total.scalar('cpus'))}` },
    { key: 'mem', header: 'Mem used', width: '150px', render: (a) => `${formatMem(model.usedOnAgent(a.id).scalar('mem'))} / ${formatMem(a.total.scalar('mem'))}` },
    { key: 'since', header: 'Registered', width: '110px', render: (a) => relativeTime(nsToMs(a.raw.registered_time)) },
  ];
  return (
    <>
      <h1>Agents</h1>
      <div className="toolbar">
        <input type="search" aria-label="Search agents" placeholder="Search host, id, attribute…" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted" aria-live="polite">{rows.length} of {model.agents.size}</span>
      </div>
      <VirtualTable rows={rows} columns={columns} rowKey={(a) => a.id} label="Agents" empty="No agents match." />
    </>
  );
}
