// Credentials typed into the login form live in sessionStorage (gone when the tab closes) and go out as HTTP
// Basic or a bearer token on every API call. Any 401 shows the form; the API stays the one that decides.
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';

const KEY = 'trireme.authorization';
const listeners = new Set<() => void>();
let unauthorized = false;

function notify(): void { for (const l of listeners) l(); }

export function authorizationHeader(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function reportUnauthorized(): void {
  if (!unauthorized) { unauthorized = true; notify(); }
}

export function signIn(user: string, password: string, token: string): void {
  const value = token ? `Bearer ${token}` : `Basic ${btoa(unescape(encodeURIComponent(`${user}:${password}`)))}`;
  sessionStorage.setItem(KEY, value);
  unauthorized = false;
  notify();
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  notify();
}

function subscribe(l: () => void): () => void { listeners.add(l); return () => listeners.delete(l); }

/** Renders children, or the login form once the API has answered 401. Children remount after signing in. */
export function LoginGate({ children }: { children: ReactNode }) {
  const needsLogin = useSyncExternalStore(subscribe, () => unauthorized);
  const [generation, setGeneration] = useState(0);
  // Remount (reload every page's data) only after a sign-in, not on the first render.
  const wasLoggingIn = useRef(false);
  useEffect(() => {
    if (needsLogin) wasLoggingIn.current = true;
    else if (wasLoggingIn.current) { wasLoggingIn.current = false; setGeneration((g) => g + 1); }
  }, [needsLogin]);
  if (needsLogin) return <LoginForm />;
  return <div key={generation} className="contents">{children}</div>;
}

function LoginForm() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => { e.preventDefault(); signIn(user, password, token); };
  return (
    <main className="login">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Sign in</h1>
        <p className="muted">This cluster requires credentials.</p>
        <label>User <input name="user" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <label>or bearer token <input name="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} /></label>
        <button type="submit" className="primary">Sign in</button>
      </form>
    </main>
  );
}
