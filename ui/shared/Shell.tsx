// The frame every console shares: a header naming the role, navigation, the signed-in state and the page.
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { authorizationHeader, signOut } from './auth.tsx';

export interface NavItem { to: string; label: string }

export function Shell({ role, nav, children, extra }: { role: string; nav: NavItem[]; children: ReactNode; extra?: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/">Trireme <span className="role">{role}</span></a>
        <nav aria-label="Main">
          {nav.map((n) => <NavLink key={n.to} to={n.to} end={n.to === '/'}>{n.label}</NavLink>)}
        </nav>
        <div className="topbar-extra">
          {extra}
          {authorizationHeader() && <button type="button" className="link" onClick={() => { signOut(); location.reload(); }}>Sign out</button>}
        </div>
      </header>
      <main className="page">{children}</main>
    </div>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return <div role="alert" className="error-banner">{error instanceof Error ? error.message : String(error)}</div>;
}

export function Loading() {
  return <p className="muted" aria-busy="true">Loading…</p>;
}
