// The Chronos console (port 4400).
import { Route, Routes } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { ErrorBanner, Loading, Shell } from '../shared/Shell.tsx';
import { useApi } from '../shared/useApi.ts';
import { VirtualTable } from '../shared/VirtualTable.tsx';

interface Job { name: string; schedule?: string; parents?: string[]; disabled: boolean }

function Jobs() {
  const { data, error } = useApi<Job[]>('/v1/scheduler/jobs');
  return (
    <>
      <h1>Jobs</h1>
      <ErrorBanner error={error} />
      {!data ? <Loading /> : (
        <VirtualTable label="Jobs" rows={data} rowKey={(j) => j.name} columns={[
          { key: 'name', header: 'Name', width: '2fr', render: (j) => j.name },
          { key: 'schedule', header: 'Schedule', width: '2fr', render: (j) => j.schedule ?? `after ${(j.parents ?? []).join(', ')}` },
          { key: 'state', header: 'State', render: (j) => (j.disabled ? 'disabled' : 'enabled') },
        ]} />
      )}
    </>
  );
}

mount(
  <Shell role="chronos" nav={[{ to: '/', label: 'Jobs' }]}>
    <Routes>
      <Route path="/" element={<Jobs />} />
    </Routes>
  </Shell>,
);
