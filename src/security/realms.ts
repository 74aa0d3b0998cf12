// Which authentication realm each HTTP endpoint belongs to, as Mesos classifies its routes: read-only
// (state, metrics, files), read-write (operator API, teardown, maintenance, quota, weights...), the scheduler
// API (frameworks) and the agent protocol (agents). A few endpoints are always open, as in Mesos.
export type Realm = 'open' | 'readonly' | 'readwrite' | 'framework' | 'agent';

/** The path without query string and without Mesos' process prefix (/master/x is /x, /slave(1)/x is /x). */
export function canonicalPath(url: string): string {
  const path = url.split('?')[0]!.split('#')[0]!;
  const stripped = path.replace(/^\/(master|slave\(1\))(?=\/|$)/, '');
  return stripped === '' ? '/' : stripped.length > 1 ? stripped.replace(/\/+$/, '') : stripped;
}

const OPEN = new Set(['/', '/index.html', '/health', '/redirect', '/version', '/favicon.ico']);
const MASTER_READWRITE = new Set([
  '/api/v1', '/teardown', '/maintenance/schedule', '/machine/down', '/machine/up', '/quota', '/weights',
  '/reserve', '/unreserve', '/create-volumes', '/destroy-volumes',
]);

function isStatic(path: string): boolean {
  return path.startsWith('/static/') || path.startsWith('/assets/');
}

export function masterRealm(method: string, url: string): Realm {
  const path = canonicalPath(url);
  if (OPEN.has(path) || isStatic(path)) return 'open';
  if (path === '/api/v1/scheduler') return 'framework';
  if (path === '/api/v1/agent') return 'agent';
  // Mesos serves GET /maintenance/schedule in the read-write realm too, so reading it needs the same rights.
  if (MASTER_READWRITE.has(path)) return 'readwrite';
  void method;
  return 'readonly';
}

export function agentRealm(_method: string, url: string): Realm {
  const path = canonicalPath(url);
  if (OPEN.has(path) || isStatic(path)) return 'open';
  return 'readonly';
}

/** Endpoints the `get_endpoints` ACL governs (Mesos' authorizable endpoints, plus /metrics, the Prometheus twin of /metrics/snapshot). */
const AUTHORIZABLE_ENDPOINTS = new Set(['/metrics/snapshot', '/metrics', '/monitor/statistics', '/containers', '/files/debug', '/logging/toggle']);

export function authorizableEndpoint(url: string): string | undefined {
  const path = canonicalPath(url);
  return AUTHORIZABLE_ENDPOINTS.has(path) ? path : undefined;
}
