// Every framework (active, inactive, completed) with its user, role and how many tasks it runs.
import { useDeferredValue, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { VirtualTable, type Column } from '../../shared/VirtualTable.tsx';
import { formatCpus, relativeTime } from '../../shared/format.ts';
import { useCluster } from '../cluster.tsx';
import { isTerminal, type FrameworkEntry } from '../model.ts';
import { frameworkHref } from '../components/links.tsx';
import { ActiveBadge } from '../components/StateBadge.tsx';
import { nsToMs } from '../time.ts';

export function Frameworks() {
  const { model, version } = useCluster();
  const [text, setText] = useState('');
  const query = useDeferredValue(text).trim().toLowerCase();
  const rows = useMemo(() => [...model.frameworks.values()]
    .filter((f) => !query || f.haystack.includes(query))
    // Active first, then inactive, then completed; by name within each.
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)), [model, version, query]);
  const running = (f: FrameworkEntry) => model.tasksOfFramework(f.id).filter((t) => !isTerminal(t.state));
  const columns: Column<FrameworkEntry>[] = [
    { key: 'name', header: 'Name', width: 'minmax(120px, 1.5fr)', render: (f) => <Link to={frameworkHref(f.id)}>{f.name || '(no name)'}</Link> },
    { key: 'id', header: 'ID', width: 'minmax(140px, 2fr)', render: (f) => <span className="mono small">{f.id}</span> },
    { key: 'state', header: 'State', width: '100px', render: (f) => <ActiveBadge active={f.raw.active} completed={f.completed} /> },
    { key: 'user', header: 'User', width: '90px', render: (f) => f.raw.framework_info.user },
    { key: 'role', header: 'Role', width: '90px', render: (f) => (f.raw.framework_info.roles ?? [f.raw.framework_info.role ?? '*']).join(', ') },
    { key: 'tasks', header: 'Tasks', width: '60px', render: (f) => running(f).length },
    { key: 'cpus', header: 'CPUs', width: '60px', render: (f) => formatCpus(running(f).reduce((n, t) => n + t.resources.scalar('cpus'), 0)) },
    { key: 'since', header: 'Registered', width: '110px', render: (f) => relativeTime(nsToMs(f.raw.registered_time)) },
  ];
  return (
    <>
      <h1>Frameworks</h1>
      <div className="toolbar">
        <input type="search" aria-label="Search frameworks" placeholder="Search name, id, user…" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted" aria-live="polite">{rows.length} of {model.frameworks.size}</span>
      </div>
      <VirtualTable rows={rows} columns={columns} rowKey={(f) => f.id} label="Frameworks" empty="No frameworks match." />
    </>
  );
}

function rank(f: FrameworkEntry): number {
  return f.completed ? 2 : f.raw.active ? 0 : 1;
}
