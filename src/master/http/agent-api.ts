// POST /api/v1/agent — the internal agent protocol (see src/proto/agent.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { RecordIOStream } from '../../common/event-stream.ts';
import { textError } from '../../common/http.ts';
import { streamBufferBytes } from '../../security/http-limits.ts';
import { AGENT_API_PATH, AGENT_PROTOCOL_VERSION, agentCallSchema, type AgentCall } from '../../proto/agent.ts';
import { CallError, type Master } from '../master.ts';
import { parseJsonCall, redirectIfNotLeader } from './scheduler-api.ts';

export function registerAgentApi(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined): void {
  app.post(AGENT_API_PATH, async (req, reply) => {
    if (redirectIfNotLeader(master, leaderAddress, req, reply)) return reply;
    const call = parseJsonCall<AgentCall>(req, reply, agentCallSchema);
    if (!call) return reply;
    if (call.version !== undefined && call.version > AGENT_PROTOCOL_VERSION) {
      return textError(reply, 400, `Agent protocol version ${call.version} is newer than this master's (${AGENT_PROTOCOL_VERSION})`);
    }
    const header = req.headers['mesos-stream-id'];
    const streamId = Array.isArray(header) ? header[0] : header;
    if (call.type === 'SUBSCRIBE') {
      const newStreamId = randomUUID();
      reply.hijack();
      // No per-client cap here: an agent holds one stream (a new one replaces it) and many agents may share an address.
      const stream = new RecordIOStream(reply.raw, { 'Mesos-Stream-Id': newStreamId }, undefined, { maxBufferedBytes: streamBufferBytes(req) });
      try {
        await master.subscribeAgent(call, stream, newStreamId);
      } catch (err) {
        req.log.error({ err }, 'agent registration failed');
        stream.send({ type: 'ERROR', error: { message: `Registration failed: ${(err as Error).message}` } });
        stream.close();
      }
      return reply;
    }
    try {
      master.handleAgentCall(call, streamId);
    } catch (err) {
      if (err instanceof CallError) return textError(reply, err.status, err.message);
      throw err;
    }
    return reply.code(202).send();
  });
}
