// Shared pieces of the v2 REST API: JSON bodies, boolean query flags, Marathon's error bodies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreUnavailableError } from '../../state/store.ts';
import { ValueTooLargeError } from '../../state/zookeeper-store.ts';
import { AppValidationError } from '../app-definition.ts';
import { AppLockedError, NotFoundError } from '../scheduler.ts';
import { ForbiddenError } from './access.ts';

export class BadRequestError extends Error {
  constructor(message: string, readonly details?: unknown) { super(message); }
}

/** Parses a JSON request body; malformed JSON is a 400 as in Marathon. */
export function jsonBody(req: FastifyRequest): unknown {
  const raw = typeof req.body === 'string' ? req.body : req.body === undefined ? '' : String(req.body);
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new BadRequestError('Invalid JSON', [{ path: '/', errors: [raw.trim() === '' ? 'the request body is empty' : (err as Error).message] }]);
  }
}

export function flag(req: FastifyRequest, name: string): boolean {
  const v = (req.query as Record<string, unknown>)[name];
  return v === 'true' || v === '' || v === '1';
}

export function queryList(req: FastifyRequest, name: string): string[] {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function wantsText(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/plain') && !accept.includes('application/json');
}

/** Maps the errors handlers throw to Marathon's status codes and bodies. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppValidationError) return sendJson(reply, 422, err.toJSON());
    if (err instanceof BadRequestError) return sendJson(reply, 400, { message: err.message, ...(err.details ? { details: err.details } : {}) });
    if (err instanceof AppLockedError) return sendJson(reply, 409, { message: err.message, deployments: err.deploymentIds.map((id) => ({ id })) });
    if (err instanceof NotFoundError) return sendJson(reply, 404, { message: err.message });
    if (err instanceof ForbiddenError) return sendJson(reply, 403, { message: err.message });
    if (err instanceof StoreUnavailableError) return sendJson(reply, 503, { message: `state store unavailable: ${err.message}` });
    if (err instanceof ValueTooLargeError) return sendJson(reply, 422, { message: `too large for the state store: ${err.message}` });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return sendJson(reply, status, { message: (err as Error).message });
    req.log.error({ err }, 'request failed');
    return sendJson(reply, 500, { message: (err as Error).message });
  });
  app.setNotFoundHandler((req, reply) => sendJson(reply, 404, { message: `Resource not found: ${req.method} ${req.url.split('?')[0]}` }));
}
