// A task's sandbox: its directory listing (browse into subdirectories) and a viewer that live-tails the chosen
// file (stdout by default). Everything goes through the master's /agents/:id/files/* proxy; the agent refuses
// paths outside its sandboxes. Where you are is kept in the URL (?dir=…&file=…), so it can be linked to.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorBanner, Loading } from '../../shared/Shell.tsx';
import { useApi } from '../../shared/useApi.ts';
import { formatMem } from '../../shared/format.ts';
import { DownloadLink } from '../../shared/DownloadLink.tsx';
import { filesUrl, useFileTail } from './useFileTail.ts';

interface FileEntry { path: string; size: number; mtime: number; mode: string }

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);
const formatBytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : formatMem(n / 1024 / 1024));

/** `live`: the task still runs, so its files may grow (followed); a finished task's files are read once. */
export function Sandbox({ agentId, root, taskLabel, live }: { agentId: string; root: string; taskLabel: string; live: boolean }) {
  const [params, setParams] = useSearchParams();
  const dir = (params.get('dir') ?? '').replace(/^\/+|\/+$/g, '');
  const file = params.get('file') ?? 'stdout';
  const listing = useApi<FileEntry[]>(filesUrl(agentId, 'browse', dir ? `${root}/${dir}` : root));
  const go = (next: { dir?: string; file?: string }): void => {
    const p = new URLSearchParams(params);
    if (next.dir !== undefined) { if (next.dir) p.set('dir', next.dir); else p.delete('dir'); }
    if (next.file !== undefined) p.set('file', next.file);
    setParams(p, { replace: true });
  };
  const crumbs = dir ? dir.split('/') : [];
  const entries = listing.data ?? [];
  return (
    <section aria-label="Sandbox" className="sandbox">
      <h2>Sandbox</h2>
      <nav aria-label="Sandbox path" className="crumbs">
        <button type="button" className="link" onClick={() => go({ dir: '' })}>sandbox</button>
        {crumbs.map((c, i) => (
          <span key={i}> / <button type="button" className="link" onClick={() => go({ dir: crumbs.slice(0, i + 1).join('/') })}>{c}</button></span>
        ))}
        <button type="button" className="refresh" onClick={listing.reload} aria-label="Refresh file list">↻</button>
      </nav>
      <ErrorBanner error={listing.error} />
      {listing.loading && !listing.data ? <Loading /> : (
        <table className="files" aria-label="Sandbox files">
          <thead><tr><th>Name</th><th>Size</th><th className="wide">Mode</th><th className="wide">Modified</th><th><span className="visually-hidden">Download</span></th></tr></thead>
          <tbody>
            {entries.length === 0 && <tr><td colSpan={5} className="muted">Empty directory.</td></tr>}
            {entries.map((e) => {
              const name = e.path.slice(e.path.lastIndexOf('/') + 1);
              const isDir = e.mode.startsWith('d');
              const rel = join(dir, name);
              return (
                <tr key={e.path} aria-current={!isDir && rel === file ? 'true' : undefined}>
                  <td>{isDir
                    ? <button type="button" className="link" onClick={() => go({ dir: rel })}>{name}/</button>
                    : <button type="button" className="link" onClick={() => go({ file: rel })}>{name}</button>}</td>
                  <td>{isDir ? '' : formatBytes(e.size)}</td>
                  <td className="mono wide">{e.mode}</td>
                  <td className="wide">{new Date(e.mtime * 1000).toLocaleString()}</td>
                  <td>{!isDir && <DownloadLink href={filesUrl(agentId, 'download', `${root}/${rel}`)} filename={name} label={`Download ${name}`}>download</DownloadLink>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="toolbar tail-switch" role="group" aria-label="Quick files">
        {['stdout', 'stderr'].map((f) => <button key={f} type="button" aria-pressed={file === f} onClick={() => go({ file: f })}>{f}</button>)}
      </div>
      <FileViewer agentId={agentId} path={`${root}/${file}`} name={file} taskLabel={taskLabel} live={live} />
    </section>
  );
}

function FileViewer({ agentId, path, name, taskLabel, live }: { agentId: string; path: string; name: string; taskLabel: string; live: boolean }) {
  const [follow, setFollow] = useState(true);
  const tail = useFileTail(agentId, path, follow && live);
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  useEffect(() => { atBottom.current = true; }, [path]);
  // Keep the newest line in view while following, unless the reader scrolled up to read something.
  useLayoutEffect(() => {
    const el = pre.current;
    if (el && follow && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [tail.text, follow]);
  return (
    <div className="viewer">
      <div className="viewer-head">
        <h3>{name}</h3>
        {live && <label className="inline"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>}
        <DownloadLink href={filesUrl(agentId, 'download', path)} filename={name.slice(name.lastIndexOf('/') + 1)}>Download</DownloadLink>
      </div>
      <ErrorBanner error={tail.error} />
      {tail.dropped && <p className="muted small">Showing the end of the file; download it for the whole.</p>}
      <pre ref={pre} className="log" tabIndex={0} aria-label={`${name} of ${taskLabel}`} data-testid="file-content"
        onScroll={(e) => { const el = e.currentTarget; atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24; }}>
        {tail.loading ? 'Loading…' : tail.text || <span className="muted">(empty)</span>}
      </pre>
    </div>
  );
}
