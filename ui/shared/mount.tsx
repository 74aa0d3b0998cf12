// Mounts a console: shared styles, the hash router and the login gate around the role's routes.
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { LoginGate } from './auth.tsx';
import './styles.css';

export function mount(app: ReactNode): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <HashRouter>
        <LoginGate>{app}</LoginGate>
      </HashRouter>
    </StrictMode>,
  );
}
