// The Marathon console (port 8080).
import { Route, Routes } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { ErrorBanner, Loading, Shell } from '../shared/Shell.tsx';
import { useApi } from '../shared/useApi.ts';
import { VirtualTable } from '../shared/VirtualTable.tsx';

interface App { id: string; instances: number; tasksRunning: number }

function Apps() {
  const { data, error } = useApi<{ apps: App[] }>('/v2/apps');
  return (
    <>
      <h1>Applications</h1>
      <ErrorBanner error={error} />
      {!data ? <Loading /> : (
        <VirtualTable label="Applications" rows={data.apps} rowKey={(a) => a.id} columns={[
          { key: 'id', header: 'ID', width: '3fr', render: (a) => a.id },
          { key: 'running', header: 'Running', render: (a) => `${a.tasksRunning} / ${a.instances}` },
        ]} />
      )}
    </>
  );
}

mount(
  <Shell role="marathon" nav={[{ to: '/', label: 'Applications' }]}>
    <Routes>
      <Route path="/" element={<Apps />} />
    </Routes>
  </Shell>,
);
