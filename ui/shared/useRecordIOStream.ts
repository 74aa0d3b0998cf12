// A RecordIO JSON event stream opened with a POST (Mesos' operator and scheduler APIs), read over fetch with the
// console's credentials and re-opened with backoff when it ends; the first event after each (re)connect tells the
// caller the full state again, so nothing missed while disconnected stays wrong.
import { useEffect, useRef } from 'react';
import { apiFetch } from './api.ts';
import { RecordIODecoder } from './recordio.ts';
import { runReconnectingStream } from './reconnecting-stream.ts';

export interface RecordIOStreamOptions<E> {
  onEvent(event: E): void;
  /** Connected (true) or lost, waiting to reconnect (false). */
  onConnection?(connected: boolean): void;
  /**
   * Reconnect when nothing (not even a heartbeat) arrived for this long: a connection that died without closing
   * (a sleeping laptop, a dropped NAT entry) would otherwise look connected forever.
   */
  idleTimeoutMs?: number;
}

export function useRecordIOStream<E = unknown>(path: string | undefined, body: unknown, options: RecordIOStreamOptions<E>): void {
  const latest = useRef(options);
  latest.current = options;
  const payload = JSON.stringify(body);
  useEffect(() => {
    if (!path) return;
    const abort = new AbortController();
    void runReconnectingStream({
      open: (signal) => apiFetch(path, {
        method: 'POST', body: payload, signal, headers: { 'content-type': 'application/json', accept: 'application/json' },
      }),
      connected: () => {
        latest.current.onConnection?.(true);
        const decoder = new RecordIODecoder();
        return (chunk) => { for (const record of decoder.feed(chunk)) latest.current.onEvent(JSON.parse(record) as E); };
      },
      disconnected: () => latest.current.onConnection?.(false),
      idleTimeoutMs: () => latest.current.idleTimeoutMs,
    }, abort.signal);
    return () => abort.abort();
  }, [path, payload]);
}
