// One framework: who it is (name, user, role, principal, host, web UI, failover timeout), what it uses and is
// offered right now, its outstanding offers and its tasks.
import { useMemo } from 'react';
import { useParams } from 'react-router';
import type { Resources } from '../../../src/common/resources.ts';
import { formatCpus, formatDuration, formatMem, relativeTime } from '../../shared/format.ts';
import { useApi } from '../../shared/useApi.ts';
import { useRefresh } from '../../shared/useRefresh.ts';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { useCluster } from '../cluster.tsx';
import { KeyValues } from '../components/KeyValues.tsx';
import { AgentLink } from '../components/links.tsx';
import { ActiveBadge } from '../components/StateBadge.tsx';
import { TaskTable } from '../components/TaskTable.tsx';
import { fromLegacy } from '../legacy.ts';
import { formatDate, nsToMs } from '../time.ts';

type Legacy = Record<string, number | string>;
interface LegacyFrameworks {
  frameworks: Array<{ id: string; used_resources: Legacy; offered_resources: Legacy; offers: Array<{ id: string; slave_id: string; resources: Legacy }> }>;
}

function ResourceLine({ r }: { r: Resources }) {
  const ports = r.ranges('ports');
  return <>{formatCpus(r.scalar('cpus'))} cpus · {formatMem(r.scalar('mem'))} mem · {formatMem(r.scalar('disk'))} disk{ports.length > 0 && ` · ports ${ports.map(([b, e]) => (b === e ? b : `${b}-${e}`)).join(', ')}`}</>;
}

export function FrameworkPage() {
  const { id = '' } = useParams();
  const { model, version, ready } = useCluster();
  const fw = model.frameworks.get(id);
  // Offers come and go without operator events: refreshed after events and every 10 s.
  const legacy = useApi<LegacyFrameworks>(`/master/frameworks?framework_id=${encodeURIComponent(id)}`);
  useRefresh(legacy.reload, version, { delayMs: 1000, everyMs: 10_000 });
  const tasks = useMemo(() => model.tasksOfFramework(id), [model, version, id]);
  if (!ready) return <Loading />;
  if (!fw) return <><h1>Framework</h1><p role="alert">No framework <code>{id}</code> is known to this master.</p></>;
  const info = fw.raw.framework_info;
  const live = legacy.data?.frameworks.find((f) => f.id === id);
  return (
    <>
      <h1>Framework {fw.name}</h1>
      <KeyValues label="Framework details" items={[
        ['ID', <span className="mono">{fw.id}</span>],
        ['State', <ActiveBadge active={fw.raw.active} completed={fw.completed} />],
        ['User', info.user],
        ['Role', (info.roles ?? [info.role ?? '*']).join(', ')],
        ['Principal', info.principal ?? ''],
        ['Hostname', info.hostname ?? ''],
        ['Web UI', info.webui_url ? <a href={info.webui_url} target="_blank" rel="noreferrer">{info.webui_url}</a> : ''],
        ['Failover timeout', info.failover_timeout ? formatDuration(info.failover_timeout * 1000) : '0s'],
        ['Checkpoint', info.checkpoint ? 'yes' : 'no'],
        ['Registered', <span title={formatDate(nsToMs(fw.raw.registered_time))}>{relativeTime(nsToMs(fw.raw.registered_time))}</span>],
      ]} />
      <h2>Resources</h2>
      <ErrorBanner error={legacy.error} />
      <KeyValues label="Framework resources" items={[
        ['Used', live ? <ResourceLine r={fromLegacy(live.used_resources)} /> : ''],
        ['Offered', live ? <ResourceLine r={fromLegacy(live.offered_resources)} /> : ''],
      ]} />
      <h2>Outstanding offers</h2>
      {!live || live.offers.length === 0 ? <p className="muted">No outstanding offers.</p> : (
        <table className="plain" aria-label="Outstanding offers">
          <thead><tr><th>Offer</th><th>Agent</th><th>Resources</th></tr></thead>
          <tbody>{live.offers.map((o) => (
            <tr key={o.id}><td className="mono small">{o.id}</td><td><AgentLink model={model} id={o.slave_id} /></td><td><ResourceLine r={fromLegacy(o.resources)} /></td></tr>
          ))}</tbody>
        </table>
      )}
      <h2>Tasks</h2>
      <TaskTable model={model} version={version} tasks={tasks} label="Tasks of this framework" fixedFramework={id} />
    </>
  );
}
