// Limits that keep one hostile or broken client from hurting others: request body size, header size and time,
// whole-request time, idle keep-alive time, event streams per client address and bytes queued per event stream.
import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ClientStreamLimiter } from './stream-limiter.ts';

export interface HttpLimits {
  /** Largest request body accepted (413 above it). */
  bodyLimitBytes: number;
  /** Largest request head (request line + headers) accepted (431 above it). */
  maxHeaderBytes: number;
  /** Time a client has to send the complete request head, counted from the connection or the previous request. */
  headersTimeoutMs: number;
  /** Time a client has to send the complete request (head and body); responses, event streams included, are not limited. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open event streams one client address may hold on this server (429 above it). */
  maxStreamsPerClient: number;
  /** Bytes an event stream may have queued for a client that does not read before it is dropped. */
  streamBufferBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  bodyLimitBytes: 16 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxStreamsPerClient: 16,
  streamBufferBytes: 16 * 1024 * 1024,
};

/** Fastify and node:http server options carrying the limits (node checks the timeouts every checking interval). */
export function fastifyLimitOptions(limits: HttpLimits): FastifyServerOptions {
  const checkEveryMs = Math.max(100, Math.min(5_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  return {
    bodyLimit: limits.bodyLimitBytes,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  } as FastifyServerOptions;
}

interface ServerLimits { limits: HttpLimits; streams: ClientStreamLimiter }
const byServer = new WeakMap<Server, ServerLimits>();

/**
 * Enforces the limits that need more than server options: an early 413 naming the limit when Content-Length is too
 * large (thrown, so each role's error handler renders it in its API's format), and the per-client stream cap.
 */
export function installHttpLimits(app: FastifyInstance, limits: HttpLimits): void {
  byServer.set(app.server, { limits, streams: new ClientStreamLimiter(limits.maxStreamsPerClient) });
  app.addHook('onRequest', async (req) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > limits.bodyLimitBytes) {
      throw Object.assign(new Error(`Request body of ${length} bytes is larger than the limit of ${limits.bodyLimitBytes} bytes (--http-body-limit)`), { statusCode: 413 });
    }
  });
}

export interface StreamSlot {
  /** Bytes the stream may queue for this client before it is dropped. */
  maxBufferedBytes: number;
}

/**
 * Takes one of the client's event-stream slots on this server, released when the response closes; or, at the cap,
 * the message of the 429 the caller sends in its API's format.
 */
export function acquireStreamSlot(req: FastifyRequest, reply: FastifyReply): StreamSlot | { refused: string } {
  const entry = serverLimits(req);
  const client = req.ip;
  const release = entry.streams.tryAcquire(client);
  if (!release) {
    req.log.warn({ client, open: entry.streams.openFor(client) }, 'event stream refused: client at its stream cap');
    return { refused: `Too many open event streams from ${client}: at most ${entry.limits.maxStreamsPerClient} per client (--max-event-streams-per-client)` };
  }
  // The response closing (ended, or its connection gone) frees the slot.
  reply.raw.once('close', release);
  return { maxBufferedBytes: entry.limits.streamBufferBytes };
}

/** Bytes a stream that takes no slot (agents' own protocol stream) may queue for its reader. */
export function streamBufferBytes(req: FastifyRequest): number {
  return serverLimits(req).limits.streamBufferBytes;
}

function serverLimits(req: FastifyRequest): ServerLimits {
  let entry = byServer.get(req.server.server);
  if (!entry) {
    entry = { limits: DEFAULT_HTTP_LIMITS, streams: new ClientStreamLimiter(DEFAULT_HTTP_LIMITS.maxStreamsPerClient) };
    byServer.set(req.server.server, entry);
  }
  return entry;
}

/** Open event streams on this server, for metrics. */
export function openStreams(app: FastifyInstance): number {
  return byServer.get(app.server)?.streams.total ?? 0;
}

/** Marathon and Chronos take app and job definitions, far smaller than a master's or agent's biggest calls. */
export const FRAMEWORK_HTTP_LIMITS: HttpLimits = { ...DEFAULT_HTTP_LIMITS, bodyLimitBytes: 4 * 1024 * 1024 };
