// A RecordIO event stream written to an HTTP response that the server keeps open.
import type { ServerResponse } from 'node:http';
import { encodeRecord } from './recordio.ts';

export interface EventSink {
  send(event: unknown): void;
  close(): void;
  readonly closed: boolean;
}

export class RecordIOStream implements EventSink {
  private closeListeners: Array<() => void> = [];
  closed = false;

  constructor(private readonly res: ServerResponse, headers: Record<string, string> = {}, contentType = 'application/json') {
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache', Connection: 'close', ...headers });
    res.flushHeaders();
    // The socket going away (client closed, network failure) is how a subscriber disconnects.
    res.on('close', () => this.markClosed());
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true, 10_000);
  }

  send(event: unknown): void {
    if (this.closed) return;
    this.res.write(encodeRecord(event));
  }

  close(): void {
    if (this.closed) return;
    this.res.end();
    this.markClosed();
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  private markClosed(): void {
    if (this.closed && this.closeListeners.length === 0) return;
    this.closed = true;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l();
  }
}
