// The Mesos master console (port 5050): overview, agents, frameworks and tasks, live from the operator event stream.
import { Navigate, Route, Routes, useParams } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { Shell } from '../shared/Shell.tsx';
import { ClusterProvider, LiveBadge } from './cluster.tsx';
import { Overview } from './pages/Overview.tsx';
import { Agents } from './pages/Agents.tsx';
import { AgentPage } from './pages/AgentPage.tsx';
import { Frameworks } from './pages/Frameworks.tsx';
import { FrameworkPage } from './pages/FrameworkPage.tsx';
import { TaskPage } from './pages/TaskPage.tsx';
import './master.css';

function NotFound() {
  return <><h1>Not found</h1><p>This page does not exist. <a href="#/">Back to the overview</a>.</p></>;
}

function ExecutorRedirect() {
  const { frameworkId = '', executorId = '' } = useParams();
  return <Navigate replace to={`/frameworks/${encodeURIComponent(frameworkId)}/tasks/${encodeURIComponent(executorId)}`} />;
}

mount(
  <ClusterProvider>
    <Shell role="master" nav={[{ to: '/', label: 'Overview' }, { to: '/agents', label: 'Agents' }, { to: '/frameworks', label: 'Frameworks' }]} extra={<LiveBadge />}>
      <Routes>
        <Route path="/" element={<Overview />} />
        <Route path="/agents" element={<Agents />} />
        <Route path="/agents/:id" element={<AgentPage />} />
        <Route path="/frameworks" element={<Frameworks />} />
        <Route path="/frameworks/:id" element={<FrameworkPage />} />
        <Route path="/frameworks/:frameworkId/tasks/:taskId" element={<TaskPage />} />
        {/* The Mesos UI's executor page address (what Marathon's console links to): for command tasks the executor is the task. */}
        <Route path="/agents/:agentId/frameworks/:frameworkId/executors/:executorId" element={<ExecutorRedirect />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Shell>
  </ClusterProvider>,
);
