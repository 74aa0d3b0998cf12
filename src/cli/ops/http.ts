// The one HTTP helper every API client uses: JSON in and out, and API errors turned into one clear line.
import { ClientTls, describeConnectionError } from '../../security/tls.ts';

/** What went wrong, as a script needs to know it (mapped to exit codes by the CLI). */
export type FailureKind = 'usage' | 'api' | 'not-found' | 'unreachable' | 'failed' | 'timeout' | 'auth';

export class CliError extends Error {
  constructor(readonly kind: FailureKind, message: string) { super(message); }
}

/** Flattens an error body to one line: Marathon's 422 `details` become "cpus: must be >= 0; mem: ...". */
export function flattenApiError(status: number, body: string): string {
  let parsed: unknown;
  try { parsed = JSON.parse(body); } catch { parsed = undefined; }
  if (parsed && typeof parsed === 'object') {
    const o = parsed as { message?: unknown; details?: unknown; deployments?: unknown };
    const details = Array.isArray(o.details) ? o.details.flatMap(detailLines) : [];
    const message = typeof o.message === 'string' ? o.message : '';
    if (details.length > 0) return details.join('; ');
    if (Array.isArray(o.deployments) && o.deployments.length > 0) {
      const ids = o.deployments.map((d) => (d as { id?: string }).id).filter(Boolean).join(', ');
      return `${message || 'locked'} (deployments: ${ids}; use --force to override)`;
    }
    if (message) return message;
  }
  const text = body.trim().split('\n')[0] ?? '';
  return text || `HTTP ${status}`;
}

function detailLines(d: unknown): string[] {
  const { path, errors } = (d ?? {}) as { path?: unknown; errors?: unknown };
  const where = typeof path === 'string' ? path.replace(/^\//, '').replace(/\//g, '.') : '';
  const list = Array.isArray(errors) ? errors.map(String) : [];
  return list.map((e) => (where ? `${where}: ${e}` : e));
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Whether an unknown resource answers 400 with a "not found" message (Chronos does). */
  notFoundOn400?: boolean;
}

export function withQuery(url: string, query: RequestOptions['query']): string {
  if (!query) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.append(k, String(v));
  return u.toString();
}

/** Headers that authenticate a request to a URL (set once per run from the CLI's credentials, see credentials.ts). */
let authHeadersFor: (url: string) => Record<string, string> = () => ({});

export function setAuthHeaders(provider: (url: string) => Record<string, string>): void {
  authHeadersFor = provider;
}

/** The Authorization header (if any) for a request to `url`, for callers that use fetch directly (event streams). */
export function requestAuthHeaders(url: string): Record<string, string> {
  return authHeadersFor(url);
}

/** 401 and 403 as one line that says what to do; both exit with the 'auth' code. */
export function authFailure(status: number, host: string, message: string, sentCredentials: boolean): CliError {
  if (status === 403) return new CliError('auth', `${host}: forbidden (HTTP 403): ${message}`);
  if (!sentCredentials) {
    return new CliError('auth', `${host} needs credentials (HTTP 401): set TRIREME_USER and TRIREME_PASSWORD, or TRIREME_TOKEN, or put them in ~/.config/trireme/config.json`);
  }
  return new CliError('auth', `${host}: authentication failed (HTTP 401): ${message}`);
}

/** Sends a request; returns the parsed JSON (or text, or undefined for an empty body). Throws CliError. */
export async function request<T = unknown>(url: string, opts: RequestOptions = {}): Promise<T> {
  const target = withQuery(url, opts.query);
  const auth = authHeadersFor(target);
  let res: Response;
  try {
    res = await clientTls.fetch(target, {
      method: opts.method ?? 'GET',
      headers: { Accept: 'application/json', ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...auth },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new CliError('unreachable', `cannot reach ${new URL(target).host}: ${describeConnectionError(err) ?? reason(err)}`);
  }
  const text = await res.text();
  if (!res.ok) {
    const message = flattenApiError(res.status, text);
    if (res.status === 401 || res.status === 403) throw authFailure(res.status, new URL(target).host, message, auth.Authorization !== undefined);
    const notFound = res.status === 404 || (opts.notFoundOn400 === true && res.status === 400 && /not (be )?found|does not exist/i.test(message));
    throw new CliError(notFound ? 'not-found' : 'api', message);
  }
  if (text === '') return undefined as T;
  try { return JSON.parse(text) as T; } catch { return text as T; }
}

function reason(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; name?: string; message?: string };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** "host:port" or a URL → "http://host:port" (https with a CA file: see useClientTls), no trailing slash. */
export function baseUrl(address: string): string {
  return clientTls.baseUrl(address);
}

/** How this CLI process talks HTTPS (set once from --ca-file / $TRIREME_CA_FILE); plain HTTP by default. */
let clientTls = ClientTls.none;
export function useClientTls(tls: ClientTls): void { clientTls = tls; }
export function cliTls(): ClientTls { return clientTls; }
