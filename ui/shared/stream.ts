// Server-sent events over fetch (EventSource cannot send an Authorization header), reconnecting with backoff.
import { useEffect, useRef } from 'react';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { apiFetch } from './api.ts';

export interface SseOptions {
  /** Called for every event; `event.event` is the SSE event type. */
  onEvent(event: EventSourceMessage): void;
  /** Called after each (re)connect, so the caller can refetch what it may have missed. */
  onOpen?(): void;
}

export function useEventStream(path: string | undefined, options: SseOptions): void {
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (!path) return;
    const abort = new AbortController();
    let delay = 500;
    const run = async (): Promise<void> => {
      while (!abort.signal.aborted) {
        try {
          const res = await apiFetch(path, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
          if (res.ok && res.body) {
            delay = 500;
            latest.current.onOpen?.();
            const parser = createParser({ onEvent: (e) => latest.current.onEvent(e) });
            const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              parser.feed(value);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    };
    void run();
    return () => abort.abort();
  }, [path]);
}
