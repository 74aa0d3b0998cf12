// HTTP authentication of Marathon's and Chronos' APIs (decision 0095): HTTP Basic as Marathon's basic-auth plugin
// answers it (401 + `WWW-Authenticate: Basic realm="…"`) and bearer tokens. `authenticateHeader` is the pure
// decision; `installHttpAuth` is the fastify onRequest hook that carries it out before anything else (including
// the standby's leader proxy, which forwards the Authorization header so the leader can authorize the principal).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { HttpCredentialSet } from './http-auth-credentials.ts';

export type HttpAuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; principal: string; scheme: 'basic' | 'bearer' }
  | { kind: 'failed'; reason: 'malformed' | 'wrong-credentials' | 'unknown-token' | 'unsupported-scheme'; message: string };

/** Compares secrets in constant time (hashed first, so their lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** What an Authorization header proves against the configured credentials. */
export function authenticateHeader(header: string | undefined, set: HttpCredentialSet): HttpAuthOutcome {
  if (header === undefined || header.trim() === '') return { kind: 'anonymous' };
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (!value || colon <= 0) return { kind: 'failed', reason: 'malformed', message: 'Malformed Authorization header: expected Basic base64(user:password)' };
    const principal = decoded.slice(0, colon);
    const known = set.credentials.find((c) => c.principal === principal);
    // Same answer for an unknown user and a wrong password: which users exist is not told.
    if (!known || !sameSecret(known.secret, decoded.slice(colon + 1))) return { kind: 'failed', reason: 'wrong-credentials', message: 'Invalid username or password' };
    return { kind: 'authenticated', principal, scheme: 'basic' };
  }
  if (scheme === 'bearer') {
    if (!value) return { kind: 'failed', reason: 'malformed', message: 'Malformed Authorization header: expected Bearer <token>' };
    const known = set.tokens.find((t) => sameSecret(t.token, value));
    if (!known) return { kind: 'failed', reason: 'unknown-token', message: 'Invalid bearer token' };
    return { kind: 'authenticated', principal: known.principal, scheme: 'bearer' };
  }
  return { kind: 'failed', reason: 'unsupported-scheme', message: `Unsupported authentication scheme '${scheme}': use Basic or Bearer` };
}

/**
 * Whether a request needs credentials. Open: `openPaths` (/ping: load balancers and health probes), CORS
 * preflights (browsers never send credentials on them), and GET/HEAD outside the API (`apiPrefixes`): the web
 * UI's pages and assets hold no data, and the UI asks for a login itself, so no browser Basic popup on `/`.
 */
export function needsAuthentication(method: string, url: string, openPaths: ReadonlySet<string>, apiPrefixes: readonly string[]): boolean {
  const path = url.split('?')[0]!.split('#')[0]!;
  if (openPaths.has(path) || method === 'OPTIONS') return false;
  if (method !== 'GET' && method !== 'HEAD') return true;
  return apiPrefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

export interface HttpAuthOptions {
  credentials: HttpCredentialSet;
  /** The Basic realm named in the challenge (Marathon's --http-realm, default "Mesosphere"). */
  realm: string;
  openPaths: ReadonlySet<string>;
  apiPrefixes: readonly string[];
  /** The role's error body for a 401. */
  errorBody(message: string): Record<string, unknown>;
  registry?: Registry;
  /** Prefix of the failure counter, e.g. "marathon" → marathon_http_auth_failures_total. */
  metricPrefix: string;
}

const principals = new WeakMap<FastifyRequest, string>();

/** The authenticated principal of a request; undefined when authentication is off or the path is open. */
export function principalOf(req: FastifyRequest): string | undefined {
  return principals.get(req);
}

export function installHttpAuth(app: FastifyInstance, o: HttpAuthOptions): void {
  const failures = new Counter({
    name: `${o.metricPrefix}_http_auth_failures_total`, help: 'HTTP requests refused with 401 (no, malformed or wrong credentials)',
    labelNames: ['reason'], registers: o.registry ? [o.registry] : [],
  });
  const challenge = `Basic realm="${o.realm.replace(/["\\]/g, '')}"`;
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization;
    const outcome = authenticateHeader(header, o.credentials);
    if (outcome.kind === 'authenticated') { principals.set(req, outcome.principal); return; }
    if (!needsAuthentication(req.method, req.url, o.openPaths, o.apiPrefixes)) return;
    const message = outcome.kind === 'failed' ? outcome.message : 'Authentication required: send HTTP Basic credentials or a bearer token';
    failures.inc({ reason: outcome.kind === 'failed' ? outcome.reason : 'missing' });
    // A script (X-Requested-With: XMLHttpRequest, as the web UI sends) gets no challenge, so browsers show the
    // UI's own login form rather than their Basic popup.
    if (req.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('WWW-Authenticate', challenge);
    return reply.code(401).type('application/json; charset=utf-8').send(JSON.stringify(o.errorBody(message)));
  });
}
