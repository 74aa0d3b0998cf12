// A RecordIO event stream written to an HTTP response that the server keeps open.
import type { ServerResponse } from 'node:http';
import { encodeRecord } from './recordio.ts';

export interface EventSink {
  send(event: unknown): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Writes to a long-lived response unless the client has stopped reading: with more than `maxBufferedBytes` still
 * queued (in the response and its socket) from earlier writes, the connection is destroyed, so a stalled subscriber
 * costs bounded memory (the bound plus one message). One message larger than the bound is still sent: the first
 * event of a stream (a whole cluster's state at 10,000 agents) can be tens of MB. False when dropped.
 */
export function writeBounded(res: ServerResponse, chunk: string | Buffer, maxBufferedBytes: number): boolean {
  if (res.destroyed) return false;
  if (res.writableLength > maxBufferedBytes) {
    res.destroy(); // no error argument: nothing listens for one on a response
    return false;
  }
  res.write(chunk);
  return true;
}

export interface RecordIOStreamOptions {
  /** See writeBounded; default unbounded (internal streams whose peers are trusted). */
  maxBufferedBytes?: number;
}

export class RecordIOStream implements EventSink {
  private closeListeners: Array<() => void> = [];
  closed = false;
  private readonly maxBufferedBytes: number;

  constructor(private readonly res: ServerResponse, headers: Record<string, string> = {}, contentType = 'application/json', opts: RecordIOStreamOptions = {}) {
    this.maxBufferedBytes = opts.maxBufferedBytes ?? Infinity;
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache', Connection: 'close', ...headers });
    res.flushHeaders();
    // The socket going away (client closed, network failure) is how a subscriber disconnects.
    res.on('close', () => this.markClosed());
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true, 10_000);
  }

  send(event: unknown): void {
    if (this.closed) return;
    if (!writeBounded(this.res, encodeRecord(event), this.maxBufferedBytes)) this.markClosed();
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
