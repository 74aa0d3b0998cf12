// The Mesos master console (port 5050).
import { Route, Routes } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { ErrorBanner, Loading, Shell } from '../shared/Shell.tsx';
import { useApi } from '../shared/useApi.ts';

interface StateSummary { hostname: string; version: string; slaves: unknown[]; frameworks: unknown[] }

function Overview() {
  const { data, error } = useApi<StateSummary>('/master/state-summary');
  return (
    <>
      <h1>Cluster</h1>
      <ErrorBanner error={error} />
      {!data ? <Loading /> : (
        <div className="cards">
          <div className="card"><div className="label">Agents</div><div className="value" data-testid="agent-count">{data.slaves.length}</div></div>
          <div className="card"><div className="label">Frameworks</div><div className="value">{data.frameworks.length}</div></div>
        </div>
      )}
    </>
  );
}

mount(
  <Shell role="master" nav={[{ to: '/', label: 'Overview' }]}>
    <Routes>
      <Route path="/" element={<Overview />} />
    </Routes>
  </Shell>,
);
