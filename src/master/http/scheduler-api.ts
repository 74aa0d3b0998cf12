// POST /api/v1/scheduler — the Mesos v1 Scheduler HTTP API, with Mesos' order of checks and status codes.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RecordIOStream } from '../../common/event-stream.ts';
import { acceptsJson, mediaType, textError } from '../../common/http.ts';
import { acquireStreamSlot } from '../../security/http-limits.ts';
import { formatZodError, frameworkRoles, schedulerCallSchema, type FrameworkInfo, type SchedulerCall } from '../../proto/mesos.ts';
import { CallError, type Master } from '../master.ts';
import type { ZodType } from 'zod';
import { principalOf } from '../../security/http-guard.ts';
import { forbiddenRoles } from '../../security/authorizer.ts';

/** Parses and validates a JSON call body; replies 400/415 itself and returns undefined on failure. */
export function parseJsonCall<T>(req: FastifyRequest, reply: FastifyReply, schema: ZodType<T>): T | undefined {
  const type = mediaType(req.headers['content-type']);
  if (!type) { textError(reply, 400, "Expecting 'Content-Type' to be present"); return undefined; }
  if (type === 'application/x-protobuf') { textError(reply, 415, 'Protobuf request bodies are not supported; use application/json'); return undefined; }
  if (type !== 'application/json') { textError(reply, 415, `Expecting 'Content-Type' of application/json or application/x-protobuf`); return undefined; }
  let body: unknown;
  try {
    body = JSON.parse(typeof req.body === 'string' ? req.body : '');
    // A SUBSCRIBE request lives as long as its event stream: do not keep its raw text (10,000 agents' worth).
    req.body = undefined;
  } catch (err) {
    textError(reply, 400, `Failed to parse body into JSON: ${(err as Error).message}`);
    return undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) { textError(reply, 400, `Failed to validate call: ${formatZodError(parsed.error)}`); return undefined; }
  return parsed.data;
}

/** Replies 307 to the leader (scheme-relative Location) or 503 when there is none; true when handled. */
export function redirectIfNotLeader(master: Master, leaderAddress: () => string | undefined, req: FastifyRequest, reply: FastifyReply): boolean {
  if (master.leader) return false;
  const leader = leaderAddress();
  if (!leader) { textError(reply, 503, 'No leader elected'); return true; }
  reply.code(307).header('Location', `//${leader}${req.url}`).send();
  return true;
}

export function registerSchedulerApi(app: FastifyInstance, master: Master, leaderAddress: () => string | undefined): void {
  app.all('/api/v1/scheduler', async (req, reply) => {
    if (redirectIfNotLeader(master, leaderAddress, req, reply)) return reply;
    if (req.method !== 'POST') return textError(reply, 405, `Expecting 'POST', received '${req.method}'`);
    const call = parseJsonCall<SchedulerCall>(req, reply, schedulerCallSchema);
    if (!call) return reply;
    const streamHeader = req.headers['mesos-stream-id'];
    const streamId = Array.isArray(streamHeader) ? streamHeader[0] : streamHeader;

    if (call.type === 'SUBSCRIBE') {
      if (!call.subscribe) return textError(reply, 400, "Failed to validate call: Expecting 'subscribe' to be present");
      if (streamId !== undefined) return textError(reply, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      if (!acceptsJson(req)) return textError(reply, 406, 'Expecting \'Accept\' to allow application/json');
      const info = call.subscribe.framework_info as FrameworkInfo;
      const principal = principalOf(req);
      // As Mesos' scheduler call validation: an authenticated framework must name itself in FrameworkInfo.
      if (principal !== undefined && info.principal !== principal) {
        return textError(reply, 400, `Authenticated principal '${principal}' does not match principal '${info.principal ?? ''}' set in \`FrameworkInfo\``);
      }
      try {
        master.validateSubscribe(call);
      } catch (err) {
        if (err instanceof CallError) return textError(reply, err.status, err.message);
        throw err;
      }
      const slot = acquireStreamSlot(req, reply);
      if ('refused' in slot) return textError(reply, 429, slot.refused);
      const newStreamId = randomUUID();
      reply.hijack();
      const stream = new RecordIOStream(reply.raw, { 'Mesos-Stream-Id': newStreamId }, undefined, slot);
      // As Mesos answers an unauthorized HTTP subscription: the stream opens and carries one ERROR event.
      const denied = forbiddenRoles(master.opts.acls, info.principal, frameworkRoles(info));
      if (denied.length > 0) {
        req.log.warn({ principal: info.principal, roles: denied }, 'framework not authorized to register');
        stream.send({ type: 'ERROR', error: { message: `Not authorized to use role${denied.length > 1 ? 's' : ''} ${denied.map((r) => `'${r}'`).join(', ')} (principal '${info.principal ?? ''}', register_frameworks ACL)` } });
        stream.close();
        return reply;
      }
      master.subscribeFramework(call, stream, newStreamId);
      return reply;
    }

    const field = call.type.toLowerCase() as keyof SchedulerCall;
    const needsBody = !['TEARDOWN', 'REVIVE', 'SUPPRESS', 'UNKNOWN'].includes(call.type);
    if (needsBody && call[field] === undefined) return textError(reply, 400, `Failed to validate call: Expecting '${String(field)}' to be present`);
    if (call.type === 'UNKNOWN') return textError(reply, 501, 'Received an unexpected UNKNOWN call');
    try {
      const fw = master.authorizeCall(call, streamId);
      const principal = principalOf(req);
      if (principal !== undefined && principal !== fw.info.principal) {
        throw new CallError(400, `Authenticated principal '${principal}' does not match principal '${fw.info.principal ?? ''}' used to subscribe`);
      }
      master.handleSchedulerCall(fw, call);
    } catch (err) {
      if (err instanceof CallError) return textError(reply, err.status, err.message);
      throw err;
    }
    return reply.code(call.type === 'UPDATE_FRAMEWORK' ? 200 : 202).send();
  });
}
