// Test helpers for Marathon end-to-end tests: start `trireme marathon`, call its REST API with plain fetch, read
// its SSE stream, and clean up task processes an agent killed with SIGKILL left behind.
import { join } from 'node:path';
import { startRole, type RoleProcess } from './processes.ts';

export function startMarathonRole(masterAddress: string, workDir: string, extra: string[] = []): Promise<RoleProcess> {
  return startRole(['marathon', '--master', masterAddress, '--http-address', '127.0.0.1', '--hostname', '127.0.0.1', '--http-port', '0', '--work-dir', join(workDir, 'marathon'), ...extra], 'marathon listening');
}

export interface ApiResponse { status: number; headers: Headers; body: any; text: string }

export async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface SseEvent { type: string; data: any }

/** Reads an SSE stream (Marathon's /v2/events by default) into a list until closed. */
export async function openEvents(base: string, query = '', headers: Record<string, string> = {}, path = '/v2/events'): Promise<{ events: SseEvent[]; close(): void; attached: Promise<void> }> {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}${query}`, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let markAttached!: () => void;
  const attached = new Promise<void>((r) => { markAttached = r; });
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let sep: number;
        while ((sep = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, sep);
          buf = buf.slice(sep + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) {
            events.push({ type, data: JSON.parse(data) });
            if (type === 'event_stream_attached') markAttached();
          }
        }
      }
    } catch { /* aborted */ }
  })();
  return { events, close: () => controller.abort(), attached };
}

