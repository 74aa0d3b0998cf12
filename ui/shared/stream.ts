// Server-sent events over fetch (EventSource cannot send an Authorization header), reconnecting with backoff.
import { useEffect, useRef } from 'react';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { apiFetch } from './api.ts';
import { runReconnectingStream } from './reconnecting-stream.ts';

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
    void runReconnectingStream({
      open: (signal) => apiFetch(path, { headers: { accept: 'text/event-stream' }, signal }),
      connected: () => {
        latest.current.onOpen?.();
        const parser = createParser({ onEvent: (e) => latest.current.onEvent(e) });
        const text = new TextDecoder();
        return (chunk) => parser.feed(text.decode(chunk, { stream: true }));
      },
    }, abort.signal);
    return () => abort.abort();
  }, [path]);
}
