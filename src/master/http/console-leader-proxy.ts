// A standby master serves the web console too: the console's API calls (marked by X-Requested-With, which every
// console request carries) are forwarded to the current leader instead of answered with a cross-origin 307 the
// browser could not follow (no CORS). The console therefore keeps one origin, and when the leader dies its event
// stream breaks, reconnects to the same master and reaches the newly elected leader (docs/decisions/0160-console-
// follows-the-leader.md). Other clients (schedulers, the CLI, curl) still get Mesos' 307 redirects.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { textError } from '../../common/http.ts';
import { ClientTls } from '../../security/tls.ts';
import type { Master } from '../master.ts';
import { fetchForCaller, sendProxied } from './proxied-response.ts';

/** The leader-only data the console reads; the page itself, its assets and /master/redirect stay local. */
const LEADER_PATHS = /^\/(api\/v1\/?(\?|$)|agents\/|master\/(?!redirect|health)|metrics\/snapshot(\?|$)|(state|state\.json|state-summary|frameworks|slaves|tasks|roles)(\?|$))/;
/** Set on forwarded requests, so a master that is not the leader either (stale view) redirects instead of forwarding again. */
export const FORWARDED_HEADER = 'x-trireme-forwarded-by';
const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'x-requested-with', 'last-event-id'];
const PASSED_BACK = ['content-type', 'content-disposition', 'content-length', 'last-modified', 'cache-control', 'www-authenticate'];
const CONNECT_TIMEOUT_MS = 15_000;

/** Pure: whether a request is the console's call for leader data that this (non-leading) master should forward. */
export function forwardsToLeader(req: { url: string; headers: Record<string, string | string[] | undefined> }): boolean {
  return req.headers['x-requested-with'] === 'XMLHttpRequest' && req.headers[FORWARDED_HEADER] === undefined && LEADER_PATHS.test(req.url);
}

export function registerConsoleLeaderProxy(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined, tls: ClientTls = ClientTls.none): void {
  // preHandler: after authentication (the standby checks credentials like the leader) and body parsing.
  app.addHook('preHandler', async (req, reply) => {
    if (master.leader || !forwardsToLeader(req)) return;
    const leader = leaderAddress();
    if (!leader) { textError(reply, 503, 'No leader elected'); return reply; }
    await forward(req, reply, `${tls.defaultScheme}://${leader}${req.url}`, `${master.opts.hostname}:${master.opts.port}`, tls);
    return reply;
  });
}

async function forward(req: FastifyRequest, reply: FastifyReply, target: string, self: string, tls: ClientTls): Promise<void> {
  const headers: Record<string, string> = { [FORWARDED_HEADER]: self };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  const body = req.method === 'GET' || req.method === 'HEAD' || req.body === undefined ? undefined
    : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  // The console closing its stream (tab closed, page left) ends the leader's stream too; a stream that breaks (the
  // leader died) ends this response with an error, and the console reconnects here.
  const res = await fetchForCaller(reply, tls, target, { method: req.method, headers, ...(body !== undefined ? { body } : {}) }, CONNECT_TIMEOUT_MS,
    (err) => `The leading master at ${new URL(target).host} did not answer: ${err.message}`);
  if (res) sendProxied(reply, res, PASSED_BACK);
}
