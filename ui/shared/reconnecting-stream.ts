// The loop both event-stream hooks share: open a long-lived response (the caller's request), hand its bytes to the
// caller, and re-open it with backoff (0.5 s, doubling to 10 s) whenever it ends or fails, until aborted.
export interface ReconnectingStream {
  /** Starts one connection (the caller's request; fetch with `signal`). */
  open(signal: AbortSignal): Promise<Response>;
  /** A connection answered OK: returns what consumes its bytes. */
  connected(): (chunk: Uint8Array) => void;
  /** A connection ended or failed; a new one follows after the backoff. */
  disconnected?(): void;
  /**
   * Re-open when nothing (not even a heartbeat) arrived for this long: a connection that died without closing
   * (a sleeping laptop, a dropped NAT entry) would otherwise look open forever.
   */
  idleTimeoutMs?(): number | undefined;
}

export async function runReconnectingStream(s: ReconnectingStream, abort: AbortSignal): Promise<void> {
  let delay = 500;
  while (!abort.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    abort.addEventListener('abort', stop);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(idle);
      const ms = s.idleTimeoutMs?.();
      if (ms) idle = setTimeout(stop, ms);
    };
    try {
      alive();
      const res = await s.open(connection.signal);
      if (res.ok && res.body) {
        delay = 500;
        const consume = s.connected();
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          alive();
          consume(value);
        }
      }
    } catch {
      if (abort.aborted) return;
    } finally {
      clearTimeout(idle);
      abort.removeEventListener('abort', stop);
    }
    s.disconnected?.();
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}
