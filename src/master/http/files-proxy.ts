// GET /agents/:agentId/files/{browse,read,download}: the agent's files API reached through the master, so the web
// console (and anything else that only knows the master) can read sandboxes without talking to agents directly or
// agents allowing cross-origin calls. The agent still decides which paths are allowed; the master only forwards.
import { ClientTls } from '../../security/tls.ts';
import type { FastifyInstance } from 'fastify';
import { textError } from '../../common/http.ts';
import type { Master } from '../master.ts';
import { redirectIfNotLeader } from './scheduler-api.ts';
import { fetchForCaller, sendProxied } from './proxied-response.ts';

const OPERATIONS = new Set(['browse', 'read', 'download']);
/** Headers of the agent's answer the caller needs; hop-by-hop ones stay behind. */
const PASSED_BACK = ['content-type', 'content-disposition', 'content-length', 'last-modified'];
const TIMEOUT_MS = 15_000;

/** host:port of an agent from its pid (`slave(1)@10.0.0.5:5051`), or undefined. */
export function agentAddress(pid: string): string | undefined {
  const at = pid.lastIndexOf('@');
  return at >= 0 && pid.length > at + 1 ? pid.slice(at + 1) : undefined;
}

/** `tls` says how agents are reached: https with the master's --ca-file when TLS is on (see src/security/tls.ts). */
export function registerAgentFilesProxy(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined, tls: ClientTls = ClientTls.none): void {
  app.get('/agents/:agentId/files/:operation', async (req, reply) => {
    // Only the leader knows the agents.
    if (redirectIfNotLeader(master, leaderAddress, req, reply)) return reply;
    const { agentId, operation } = req.params as { agentId: string; operation: string };
    if (!OPERATIONS.has(operation)) return textError(reply, 404, `Unknown files operation '${operation}': expected browse, read or download`);
    const agent = master.agents.get(agentId);
    if (!agent) return textError(reply, 404, `No agent found with specified ID '${agentId}'`);
    const address = agentAddress(agent.pid);
    if (!address) return textError(reply, 502, `Agent '${agentId}' has no address to reach it at`);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const headers: Record<string, string> = {};
    // The caller's credentials go along: an agent that authenticates its files API checks them itself.
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const res = await fetchForCaller(reply, tls, `${tls.defaultScheme}://${address}/files/${operation}${query}`, { headers }, TIMEOUT_MS,
      (err) => `Agent '${agentId}' at ${address} did not answer: ${err.message}`);
    return res ? sendProxied(reply, res, PASSED_BACK) : reply;
  });
}
