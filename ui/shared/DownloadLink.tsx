// A download link that works when the API needs credentials. A plain <a href> cannot send the console's
// Authorization header (it lives in memory, not a cookie), so a signed-in console fetches the file with it and
// hands the browser a Blob through an object URL; signed out, the link is an ordinary link (streamed by the
// browser, no memory cost). See docs/decisions/0161-authenticated-downloads.md.
import { useState, type MouseEvent, type ReactNode } from 'react';
import { apiFetch } from './api.ts';
import { authorizationHeader } from './auth.tsx';

/** Saves `blob` as `filename` through a temporary object URL (released once the browser has taken it). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DownloadLink({ href, filename, children, label }: { href: string; filename: string; children: ReactNode; label?: string }) {
  const [state, setState] = useState<'idle' | 'busy' | string>('idle');
  const onClick = async (e: MouseEvent<HTMLAnchorElement>): Promise<void> => {
    if (!authorizationHeader() || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    setState('busy');
    try {
      const res = await apiFetch(href);
      if (!res.ok) throw new Error((await res.text()).trim() || `HTTP ${res.status}`);
      saveBlob(await res.blob(), filename);
      setState('idle');
    } catch (err) {
      setState(`Download failed: ${(err as Error).message}`);
    }
  };
  return (
    <>
      <a href={href} download={filename} aria-label={label} aria-busy={state === 'busy' || undefined} onClick={(e) => void onClick(e)}>{children}</a>
      {state !== 'idle' && state !== 'busy' && <span role="alert" className="download-error"> {state}</span>}
    </>
  );
}
