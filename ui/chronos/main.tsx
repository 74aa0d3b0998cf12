// The Chronos console (port 4400): jobs list, job pages, the create/edit form and the dependency graph, live
// from Chronos' event stream.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { Loading, Shell } from '../shared/Shell.tsx';
import { JobsProvider } from './jobs-store.tsx';
import { JobFormPage } from './pages/JobFormPage.tsx';
import { JobPage } from './pages/JobPage.tsx';
import { JobsPage } from './pages/JobsPage.tsx';
import './chronos.css';

// The graph brings the layout library (dagre): loaded when the page is first opened, not with the jobs list.
const GraphPage = lazy(() => import('./pages/GraphPage.tsx').then((m) => ({ default: m.GraphPage })));

function NotFound() {
  return <><h1>Not found</h1><p><a href="#/">Back to the jobs</a></p></>;
}

mount(
  <Shell role="chronos" nav={[{ to: '/', label: 'Jobs' }, { to: '/graph', label: 'Graph' }, { to: '/new', label: 'New job' }]}>
    <JobsProvider>
      <Routes>
        <Route path="/" element={<JobsPage />} />
        <Route path="/new" element={<JobFormPage />} />
        <Route path="/jobs/:name" element={<JobPage />} />
        <Route path="/jobs/:name/edit" element={<JobFormPage />} />
        <Route path="/graph" element={<Suspense fallback={<Loading />}><GraphPage /></Suspense>} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </JobsProvider>
  </Shell>,
);
