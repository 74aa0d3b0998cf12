// An app's versions: the list, one version's configuration, and rolling back to it (PUT {"version": v}).
import { useEffect, useState } from 'react';
import { api } from '../../shared/api.ts';
import { ConfirmButton } from '../../shared/ConfirmButton.tsx';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { relativeTime } from '../../shared/format.ts';
import { useApi } from '../../shared/useApi.ts';
import { appPath } from '../lib/store.ts';

export function VersionsPanel({ appId, current, onRolledBack }: { appId: string; current: string | undefined; onRolledBack(): void }) {
  const versions = useApi<{ versions: string[] }>(`${appPath(appId)}/versions`);
  const [selected, setSelected] = useState<string>();
  const [config, setConfig] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const { reload } = versions;
  useEffect(() => { reload(); }, [current, reload]);
  useEffect(() => {
    if (!selected) return;
    setConfig(undefined);
    api(`${appPath(appId)}/versions/${encodeURIComponent(selected)}`).then(setConfig, setError);
  }, [appId, selected]);
  const rollBack = async (version: string) => {
    try {
      await api(appPath(appId), { method: 'PUT', body: { version } });
      onRolledBack();
    } catch (err) { setError(err); }
  };
  if (versions.error) return <ErrorBanner error={versions.error} />;
  if (!versions.data) return <Loading />;
  return (
    <div className="versions">
      <ErrorBanner error={error} />
      <ul className="version-list" aria-label="Versions">
        {versions.data.versions.map((v) => (
          <li key={v} className={v === selected ? 'selected' : undefined}>
            <button type="button" className="link mono" aria-pressed={v === selected} onClick={() => setSelected(v)}>{v}</button>
            <span className="muted"> {relativeTime(v)}</span>
            {v === current && <span className="badge ok">current</span>}
          </li>
        ))}
      </ul>
      {selected && (
        <div className="version-config">
          <div className="toolbar">
            <h3>Version {selected}</h3>
            {selected !== current && <ConfirmButton label="Roll back to this version" title={`Roll back ${appId} to ${selected}?`} body="Starts a deployment that replaces the running tasks with this configuration." confirmLabel="Roll back" onConfirm={() => rollBack(selected)} />}
          </div>
          {config ? <pre className="json">{JSON.stringify(config, null, 2)}</pre> : <Loading />}
        </div>
      )}
    </div>
  );
}
