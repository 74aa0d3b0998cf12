// Marathon-side probes (HTTP, HTTPS, TCP) against a task's host and port, each bounded by the check's timeout.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ProbeResult } from './state.ts';

export interface ProbeTarget {
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  host: string;
  port: number;
  /** HTTP(S) only. */
  path?: string;
  timeoutMs: number;
  ignoreHttp1xx?: boolean;
}

export type ProbeFn = (target: ProbeTarget) => Promise<ProbeResult>;

/** Node prints status lines as "503 Service Unavailable", as Marathon's failure causes read. */
function statusText(code: number): string {
  return `${code} ${http.STATUS_CODES[code] ?? ''}`.trim();
}

/** Marathon's verdict on an HTTP status: 200–399 healthy, 1xx ignored when asked, everything else unhealthy. */
export function classifyHttpStatus(code: number, ignoreHttp1xx: boolean): ProbeResult {
  if (code >= 200 && code <= 399) return { kind: 'healthy' };
  if (ignoreHttp1xx && code >= 100 && code <= 199) return { kind: 'ignored' };
  return { kind: 'unhealthy', cause: statusText(code) };
}

function httpProbe(t: ProbeTarget): Promise<ProbeResult> {
  const raw = t.path ?? '';
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  const lib = t.protocol === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    const req = lib.request({
      host: t.host, port: t.port, path, method: 'GET', agent: false,
      // Like Marathon: a health check trusts any certificate.
      ...(t.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      res.resume();
      done(classifyHttpStatus(res.statusCode ?? 0, t.ignoreHttp1xx ?? false));
      req.destroy();
    });
    // An informational (1xx) answer before the final one: with ignoreHttp1xx it ends the probe as "ignored",
    // otherwise the final status decides.
    req.on('information', () => { if (t.ignoreHttp1xx) { done({ kind: 'ignored' }); req.destroy(); } });
    req.on('error', (err) => done({ kind: 'unhealthy', cause: err.message }));
    const timer = setTimeout(() => {
      done({ kind: 'unhealthy', cause: `The health check did not answer within ${t.timeoutMs} ms` });
      req.destroy();
    }, t.timeoutMs);
    req.end();
  });
}

function tcpProbe(t: ProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.host, port: t.port });
    const done = (r: ProbeResult) => { clearTimeout(timer); socket.destroy(); resolve(r); };
    const timer = setTimeout(() => done({ kind: 'unhealthy', cause: `connect timed out after ${t.timeoutMs} ms` }), t.timeoutMs);
    socket.once('connect', () => done({ kind: 'healthy' }));
    socket.once('error', (err) => done({ kind: 'unhealthy', cause: `${err.name}: ${err.message}` }));
  });
}

/** The real probe: a GET for HTTP(S), a connect for TCP. Never rejects. */
export const defaultProbe: ProbeFn = (t) => (t.protocol === 'TCP' ? tcpProbe(t) : httpProbe(t));
