// Reads a sandbox file through the master's files proxy and keeps reading from where it stopped: the last
// TAIL_START bytes first, then whatever the task appends (one small read per second of that one file).
import { useEffect, useState } from 'react';
import { api } from '../../shared/api.ts';

const CHUNK = 64 * 1024;
const TAIL_START = 64 * 1024;
/** Text kept on screen; older output is dropped (the download link has all of it). */
const KEEP = 512 * 1024;
const POLL_MS = 1000;

export interface FileTail { text: string; error: unknown; loading: boolean; dropped: boolean }

export const filesUrl = (agentId: string, operation: 'browse' | 'read' | 'download', path: string, extra = ''): string =>
  `/agents/${encodeURIComponent(agentId)}/files/${operation}?path=${encodeURIComponent(path)}${extra}`;

export function useFileTail(agentId: string, path: string | undefined, follow: boolean): FileTail {
  const [tail, setTail] = useState<FileTail>({ text: '', error: undefined, loading: true, dropped: false });
  useEffect(() => {
    if (!path) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let offset = -1;
    let text = '';
    let dropped = false;
    setTail({ text: '', error: undefined, loading: true, dropped: false });
    const read = async (): Promise<void> => {
      try {
        if (offset < 0) {
          const { offset: size } = await api<{ offset: number }>(filesUrl(agentId, 'read', path, '&offset=-1'));
          offset = Math.max(0, size - TAIL_START);
          dropped = offset > 0;
        }
        for (;;) {
          const chunk = await api<{ data: string; offset: number }>(filesUrl(agentId, 'read', path, `&offset=${offset}&length=${CHUNK}`));
          if (stopped) return;
          const bytes = new TextEncoder().encode(chunk.data).length;
          offset += bytes;
          if (chunk.data) {
            text += chunk.data;
            if (text.length > KEEP) { text = text.slice(text.length - KEEP); dropped = true; }
          }
          setTail({ text, error: undefined, loading: false, dropped });
          if (bytes < CHUNK) break;
        }
      } catch (error) {
        if (!stopped) setTail((t) => ({ ...t, error, loading: false }));
      }
      if (!stopped && follow) timer = setTimeout(() => void read(), document.visibilityState === 'hidden' ? POLL_MS * 5 : POLL_MS);
    };
    void read();
    return () => { stopped = true; clearTimeout(timer); };
  }, [agentId, path, follow]);
  return tail;
}
