// Pure part of the fetcher: what a CommandInfo.URI means (where it comes from, the file it becomes in the sandbox,
// whether and how it is extracted), following Mesos' fetcher.

export interface FetchUri { value: string; executable?: boolean; extract?: boolean; cache?: boolean; output_file?: string }

export type ArchiveKind = 'tar' | 'zip' | 'gzip';

export interface FetchStep {
  uri: string;
  source: { kind: 'http'; url: string } | { kind: 'file'; path: string };
  /** File name inside the sandbox. */
  name: string;
  executable: boolean;
  extract?: ArchiveKind;
  cache: boolean;
}

const TAR_SUFFIXES = ['.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tar.xz', '.txz'];

export function archiveKind(name: string): ArchiveKind | undefined {
  const lower = name.toLowerCase();
  if (TAR_SUFFIXES.some((s) => lower.endsWith(s))) return 'tar';
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.gz')) return 'gzip';
  return undefined;
}

function lastSegment(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** Checks one URI and says how to fetch it; throws with the reason when it cannot be fetched. */
export function planFetch(uri: FetchUri): FetchStep {
  const value = uri.value.trim();
  if (!value) throw new Error("'value' is empty");
  let source: FetchStep['source'];
  let fromName: string;
  if (value.startsWith('/')) {
    source = { kind: 'file', path: value };
    fromName = lastSegment(value);
  } else {
    let url: URL;
    try { url = new URL(value); } catch { throw new Error('not an absolute path or a URL'); }
    if (url.protocol === 'http:' || url.protocol === 'https:') source = { kind: 'http', url: url.toString() };
    else if (url.protocol === 'file:') source = { kind: 'file', path: decodeURIComponent(url.pathname) };
    else throw new Error(`unsupported scheme '${url.protocol.replace(/:$/, '')}' (http, https, file or an absolute path)`);
    fromName = decodeURIComponent(lastSegment(url.pathname));
  }
  let name = fromName;
  if (uri.output_file !== undefined) {
    const out = uri.output_file;
    // The output file is a path inside the sandbox: nothing absolute and no step outside.
    if (!out || out.startsWith('/') || out.split('/').some((p) => p === '..')) throw new Error(`'output_file' must be a relative path inside the sandbox: '${out}'`);
    name = out;
  }
  if (!name || name === '.' || name === '..') throw new Error('cannot tell a file name from the URI; set output_file');
  const executable = uri.executable ?? false;
  // Mesos: extract defaults to true, and executables are never extracted.
  const extract = !executable && (uri.extract ?? true) ? archiveKind(name) : undefined;
  return { uri: value, source, name, executable, cache: uri.cache ?? false, ...(extract ? { extract } : {}) };
}

/** The command that unpacks an archive into a directory, as Mesos' fetcher runs it. */
export function extractCommand(kind: ArchiveKind, file: string, dir: string): [string, string[]] {
  switch (kind) {
    case 'tar': return ['tar', ['-C', dir, '-xf', file]];
    case 'zip': return ['unzip', ['-o', '-q', '-d', dir, file]];
    case 'gzip': return ['gzip', ['-d', '-k', '-f', file]];
  }
}
