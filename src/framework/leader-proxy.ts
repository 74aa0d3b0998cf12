// Standby Marathon and Chronos instances forward API requests to their leader (as Marathon's LeaderProxyFilter
// and Chronos' RedirectFilter do), so clients can use any instance. Responses stream through, so a standby
// serves the leader's /v2/events SSE stream too. Without a reachable leader, reads are answered from this
// instance's own (possibly stale) state and writes get 503 with a message.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClientTls, describeTlsError, type Scheme } from '../security/tls.ts';

export interface LeaderProxyOptions {
  /** Whether this instance leads now. */
  isLeader(): boolean;
  /** host:port of the leader as this instance knows it, or undefined. */
  leaderAddress(): string | undefined;
  /** This instance's own host:port (a stale election entry may still name it). */
  selfAddress(): string;
  /** Paths (without query) every instance answers itself, e.g. /ping, /metrics, /v2/leader. */
  local: ReadonlySet<string>;
  /** Further paths answered locally, by test (e.g. the web console's page and assets: every instance has them). */
  localPath?(path: string): boolean;
  /** Body of the 503 answer; the role's error format. */
  unavailable(message: string): Record<string, unknown>;
  /** How to reach the leader: its scheme (the one this instance serves; instances are configured alike) and CA. */
  tls?: { scheme: Scheme; client: ClientTls };
}

// Hop-by-hop headers and those fetch recomputes or undoes (it decompresses bodies). Authorization is kept on
// purpose: the leader authenticates the request again and applies the user's permissions.
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'expect']);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** Marks a proxied request: an instance that gets one while not leading answers itself rather than proxying
 * again, so two instances with different views of the election cannot bounce a request between them. */
const PROXIED = 'x-trireme-proxied-by';

/** Installs the proxy as a preHandler hook (bodies are raw strings by then, see createHttpServer). */
export function installLeaderProxy(app: FastifyInstance, o: LeaderProxyOptions): void {
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (o.isLeader()) return;
    const path = req.url.split('?')[0]!;
    if (o.local.has(path) || o.localPath?.(path)) return;
    const leader = o.leaderAddress();
    if (!leader || leader === o.selfAddress() || req.headers[PROXIED] !== undefined) {
      if (isRead(req.method)) return; // reads keep answering from local state
      return unavailable(reply, o, 'no leader is elected right now (is a ZooKeeper quorum up?); retry later');
    }
    const abort = new AbortController();
    // The client went away (e.g. closed an SSE stream): stop reading from the leader. (The request's own 'close'
    // fires as soon as its body was read, so the response's is the one to watch.)
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!DROP_REQUEST.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    headers['x-forwarded-for'] = req.ip;
    headers[PROXIED] = o.selfAddress();
    let res: Response;
    try {
      res = await (o.tls?.client ?? ClientTls.none).fetch(`${o.tls?.scheme ?? 'http'}://${leader}${req.url}`, {
        method: req.method, headers, redirect: 'manual', signal: abort.signal,
        ...(!isRead(req.method) && typeof req.body === 'string' ? { body: req.body } : {}),
      });
    } catch (err) {
      // The leader just went away and the election has not noticed yet: answer reads ourselves.
      if (isRead(req.method)) return;
      const tlsReason = describeTlsError(err);
      if (tlsReason) return unavailable(reply, o, `cannot reach the leader ${leader}: ${tlsReason}`);
      return unavailable(reply, o, `the leader ${leader} did not answer (${(err as Error).message}); leadership may be changing, retry later`);
    }
    reply.code(res.status);
    res.headers.forEach((value, key) => { if (!DROP_RESPONSE.has(key)) reply.header(key, value); });
    return reply.send(res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : '');
  });
}

function unavailable(reply: FastifyReply, o: LeaderProxyOptions, message: string): FastifyReply {
  return reply.code(503).type('application/json').send(JSON.stringify(o.unavailable(message)));
}
