// The Marathon console (port 8080): applications, one app, the create/edit form and deployments.
import { Route, Routes } from 'react-router';
import { mount } from '../shared/mount.tsx';
import { Shell } from '../shared/Shell.tsx';
import { MarathonLive, useMarathon } from './live.tsx';
import { AppsPage } from './pages/AppsPage.tsx';
import { AppPage } from './pages/AppPage.tsx';
import { CreateAppPage, EditAppPage } from './pages/AppFormPage.tsx';
import { DeploymentsPage } from './pages/DeploymentsPage.tsx';
import './marathon.css';

function Console() {
  const { deployments } = useMarathon();
  return (
    <Shell role="marathon" nav={[
      { to: '/', label: 'Applications' },
      { to: '/deployments', label: deployments.length > 0 ? `Deployments (${deployments.length})` : 'Deployments' },
    ]}>
      <Routes>
        <Route path="/" element={<AppsPage />} />
        <Route path="/group/*" element={<AppsPage />} />
        <Route path="/create" element={<CreateAppPage />} />
        <Route path="/apps/*" element={<AppPage />} />
        <Route path="/edit/*" element={<EditAppPage />} />
        <Route path="/deployments" element={<DeploymentsPage />} />
      </Routes>
    </Shell>
  );
}

mount(<MarathonLive><Console /></MarathonLive>);
