// One forwarded HTTP exchange, as the master's proxies (agent files, the console's calls to the leader) make it: the
// upstream request is aborted when the caller goes away or nothing answers in time, and the answer is streamed back
// with the chosen headers only (hop-by-hop ones stay behind).
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { FastifyReply } from 'fastify';
import { textError } from '../../common/http.ts';
import type { ClientTls } from '../../security/tls.ts';

/**
 * Fetches `target` for the caller behind `reply`; on no answer sends 502 with `unreachable(err)` and resolves
 * undefined. The caller closing its connection (closed tab, stopped tail) aborts the upstream transfer too.
 */
export async function fetchForCaller(reply: FastifyReply, tls: ClientTls, target: string, init: RequestInit, timeoutMs: number, unreachable: (err: Error) => string): Promise<Response | undefined> {
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await tls.fetch(target, { ...init, signal: abort.signal });
  } catch (err) {
    textError(reply, 502, unreachable(err as Error));
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends the upstream answer: its status, the `passedBack` headers it has, and its body streamed. */
export function sendProxied(reply: FastifyReply, res: Response, passedBack: readonly string[]): FastifyReply {
  reply.code(res.status);
  for (const name of passedBack) {
    const value = res.headers.get(name);
    if (value) reply.header(name, value);
  }
  // A body that breaks (the upstream died) ends this response with an error.
  return res.body ? reply.send(Readable.fromWeb(res.body as ReadableStream)) : reply.send();
}
