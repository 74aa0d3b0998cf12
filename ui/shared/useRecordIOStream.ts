// A RecordIO JSON event stream opened with a POST (Mesos' operator and scheduler APIs), read over fetch with the
// console's credentials and re-opened with backoff when it ends; the first event after each (re)connect tells the
// caller the full state again, so nothing missed while disconnected stays wrong.
import { useEffect, useRef } from 'react';
import { apiFetch } from './api.ts';
import { RecordIODecoder } from './recordio.ts';

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
    let delay = 500;
    const run = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        const connection = new AbortController();
        const stop = () => connection.abort();
        abort.signal.addEventListener('abort', stop);
        let idle: ReturnType<typeof setTimeout> | undefined;
        const alive = () => {
          clearTimeout(idle);
          if (latest.current.idleTimeoutMs) idle = setTimeout(stop, latest.current.idleTimeoutMs);
        };
        try {
          alive();
          const res = await apiFetch(path, {
            method: 'POST', body: payload, signal: connection.signal,
            headers: { 'content-type': 'application/json', accept: 'application/json' },
          });
          if (res.ok && res.body) {
            delay = 500;
            latest.current.onConnection?.(true);
            const decoder = new RecordIODecoder();
            const reader = res.body.getReader();
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              alive();
              for (const record of decoder.feed(value)) latest.current.onEvent(JSON.parse(record) as E);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        } finally {
          clearTimeout(idle);
          abort.signal.removeEventListener('abort', stop);
        }
        latest.current.onConnection?.(false);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    };
    void run();
    return () => abort.abort();
  }, [path, payload]);
}
