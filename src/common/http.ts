// HTTP helpers shared by every role's server.
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../state/store.ts';
import { DEFAULT_HTTP_LIMITS, fastifyLimitOptions, installHttpLimits, type HttpLimits } from '../security/http-limits.ts';

/**
 * A fastify instance that takes request bodies as raw text, so each API applies its own content rules. With `https`
 * (a role's --ssl-cert/--ssl-key, see src/security/tls.ts) it serves HTTPS only on its port.
 */
export function createHttpServer(logger: Logger, bodyLimit = 16 * 1024 * 1024, limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, bodyLimitBytes: bodyLimit }, https?: { cert: Buffer; key: Buffer }): FastifyInstance {
  const server = Fastify({ loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }), ...fastifyLimitOptions(limits), forceCloseConnections: true, return503OnClosing: false, ...(https ? { https } : {}) });
  // Typed as the default instance: routes never use pino-specific logger methods.
  const app = server as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  installHttpLimits(app, limits);
  return app;
}

/**
 * Mesos-style plain-text errors for roles that do not map errors themselves (master, agent). Marathon and Chronos
 * install their own handlers with their APIs' bodies; fastify allows one handler per scope, hence opt-in.
 */
export function installTextErrorHandler(app: FastifyInstance): void {
  // State that cannot be written right now (ZooKeeper without quorum, full disk) is the service being
  // unavailable, not a bug: 503 with the reason, so clients retry.
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof StoreUnavailableError) return textError(reply, 503, err.message);
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send(err);
    app.log.error({ err }, 'request failed');
    return reply.code(500).send(err);
  });
}

/** The media type of a request without parameters (e.g. "application/json"). */
export function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

export function acceptsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const t = part.split(';')[0]!.trim().toLowerCase();
    return t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/recordio';
  });
}

/** Mesos answers errors as plain text bodies. */
export function textError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(message);
}

/** Sends JSON, honouring Mesos' `?jsonp=callback` convention for GET endpoints. */
export function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const jsonp = (req.query as Record<string, string | undefined>)?.jsonp;
  if (jsonp && /^[A-Za-z_$][\w$.]*$/.test(jsonp)) return reply.type('text/javascript').send(`${jsonp}(${JSON.stringify(body)});`);
  return reply.type('application/json').send(JSON.stringify(body));
}

/**
 * Like sendJson for a body already rendered as many JSON chunks (text, or Buffers kept rendered): small strings
 * are packed into ~1 MB buffers and everything is streamed, so no string of the whole body is built and the
 * socket sees a few large writes (thousands of small ones cost more than rendering the body).
 */
export function sendJsonChunks(req: FastifyRequest, reply: FastifyReply, chunks: Array<string | Buffer>): FastifyReply {
  const jsonp = (req.query as Record<string, string | undefined>)?.jsonp;
  const wrapped = jsonp && /^[A-Za-z_$][\w$.]*$/.test(jsonp) ? [`${jsonp}(`, ...chunks, ');'] : chunks;
  const buffers: Buffer[] = [];
  let pending: Array<string | Buffer> = [];
  let size = 0;
  const flush = (): void => {
    if (pending.length > 0) buffers.push(Buffer.concat(pending.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))));
    pending = []; size = 0;
  };
  for (const c of wrapped) {
    if (typeof c !== 'string' && c.length >= 64 * 1024) { flush(); buffers.push(c); continue; }
    pending.push(c);
    size += c.length;
    if (size >= 1 << 20) flush();
  }
  flush();
  return reply.type(wrapped === chunks ? 'application/json' : 'text/javascript').send(Readable.from(buffers));
}

/** Listens and resolves to the bound port; a taken port becomes one clear error line. */
export async function listen(app: FastifyInstance, host: string, port: number, what: string): Promise<number> {
  try {
    // Node's default backlog (511) overflows when ~1,000 clients connect at once: the kernel then drops and resets
    // connections. The kernel caps this at net.core.somaxconn.
    await app.listen({ host, port, backlog: 4096 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new StartupError(`${what}: port ${port} on ${host} is already in use`);
    if (e.code === 'EADDRNOTAVAIL') throw new StartupError(`${what}: address ${host} is not available on this machine`);
    if (e.code === 'EACCES') throw new StartupError(`${what}: not allowed to listen on ${host}:${port}`);
    throw err;
  }
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** A configuration or environment problem that stops a process at start-up with one line. */
export class StartupError extends Error {}

/**
 * Query parameters with one value each: a repeated one (?a=1&a=2, which fastify parses into an array) counts with
 * its first value, as JAX-RS' @QueryParam reads it in Marathon and Chronos. Handlers can then treat values as strings.
 */
export function singleQuery(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[0] ?? '') : v === undefined ? undefined : String(v);
  return out;
}
