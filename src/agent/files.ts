// Mesos' files API over the agent's sandboxes: /files/browse, /files/read, /files/download.
// Only paths inside the allowed roots are served; `..` and symlinks cannot escape them.
import { createReadStream, readFileSync } from 'node:fs';
import { open, readdir, realpath, lstat, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendJson, singleQuery, textError } from '../common/http.ts';

const PAGE = 4096;
const MAX_READ = 16 * PAGE;

export interface FilesOptions {
  roots: () => string[];
  /** Maps a Mesos virtual path (e.g. /frameworks/<fw>/executors/<ex>/runs/latest) to a real one. */
  virtualPaths?: (path: string) => string | undefined;
}

function idNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined) names.set(Number(id), name);
    }
  } catch { /* no passwd/group: numbers */ }
  return names;
}

const users = idNames('/etc/passwd');
const groups = idNames('/etc/group');

export function modeString(mode: number, isDir: boolean, isLink: boolean): string {
  const chars = 'rwxrwxrwx';
  let s = isDir ? 'd' : isLink ? 'l' : '-';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? chars[i] : '-';
  return s;
}

class FileAccessError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** Resolves a requested path to a real path inside the roots, or throws with the status to answer. */
async function resolvePath(requested: string | undefined, opts: FilesOptions): Promise<string> {
  if (!requested) throw new FileAccessError(400, "Expecting 'path' query parameter");
  const mapped = opts.virtualPaths?.(requested) ?? requested;
  if (!mapped.startsWith('/')) throw new FileAccessError(400, `'path' must be absolute: ${requested}`);
  // Refused before touching the disk, so answers never tell what exists outside the sandboxes. Checked on the
  // requested path too: mapping a virtual path joins (and so normalises away) its `..`.
  if (requested.split('/').includes('..') || mapped.split('/').includes('..')) throw new FileAccessError(403, `Access to '${requested}' is not allowed: '..' is not allowed in paths`);
  const roots = opts.roots().map((r) => resolve(r));
  if (!roots.some((r) => mapped === r || mapped.startsWith(r.endsWith(sep) ? r : r + sep))) {
    throw new FileAccessError(403, `Access to '${requested}' is not allowed: it is outside the agent's sandboxes`);
  }
  let real: string;
  try { real = await realpath(mapped); } catch { throw new FileAccessError(404, `No such file or directory: ${requested}`); }
  for (const root of opts.roots()) {
    let realRoot: string;
    try { realRoot = await realpath(root); } catch { continue; }
    if (real === realRoot || real.startsWith(realRoot + sep)) return real;
  }
  throw new FileAccessError(403, `Access to '${requested}' is not allowed: it is outside the agent's sandboxes`);
}

export function registerFilesRoutes(app: FastifyInstance, opts: FilesOptions): void {
  const withPath = (fn: (real: string, req: FastifyRequest, reply: FastifyReply, requested: string) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = (req.query as Record<string, unknown>).path;
      // ?path=a&path=b arrives as an array: one path per request.
      if (Array.isArray(raw)) return textError(reply, 400, `Expecting one 'path' query parameter, got ${raw.length}`);
      const requested = raw as string | undefined;
      try {
        const real = await resolvePath(requested, opts);
        return await fn(real, req, reply, requested!);
      } catch (err) {
        if (err instanceof FileAccessError) return textError(reply, err.status, err.message);
        throw err;
      }
    };

  app.get('/files/browse', withPath(async (real, req, reply, requested) => {
    const st = await stat(real);
    if (!st.isDirectory()) return textError(reply, 400, `'${requested}' is not a directory`);
    const entries = [];
    for (const name of (await readdir(real)).sort()) {
      const s = await lstat(join(real, name)).catch(() => undefined);
      if (!s) continue;
      entries.push({
        path: `${requested.replace(/\/+$/, '')}/${name}`, nlink: s.nlink, size: s.size, mtime: Math.floor(s.mtimeMs / 1000),
        mode: modeString(s.mode, s.isDirectory(), s.isSymbolicLink()), uid: users.get(s.uid) ?? String(s.uid), gid: groups.get(s.gid) ?? String(s.gid),
      });
    }
    return sendJson(req, reply, entries);
  }));

  app.get('/files/read', withPath(async (real, req, reply, requested) => {
    const q = singleQuery(req);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    const length = q.length === undefined ? undefined : Number(q.length);
    if (!Number.isInteger(offset) || offset < -1) return textError(reply, 400, "Failed to parse 'offset': must be an integer >= -1");
    if (length !== undefined && (!Number.isInteger(length) || length < 0)) return textError(reply, 400, "Failed to parse 'length': must be a non-negative integer");
    const st = await stat(real);
    if (st.isDirectory()) return textError(reply, 400, `Cannot read '${requested}': it is a directory`);
    if (offset === -1) return sendJson(req, reply, { data: '', offset: st.size });
    if (offset >= st.size) return sendJson(req, reply, { data: '', offset });
    const n = Math.min(length ?? st.size - offset, MAX_READ, st.size - offset);
    const fh = await open(real, 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, offset);
      return sendJson(req, reply, { data: buf.subarray(0, bytesRead).toString('utf8'), offset });
    } finally {
      await fh.close();
    }
  }));

  app.get('/files/download', withPath(async (real, _req, reply, requested) => {
    const st = await stat(real);
    if (st.isDirectory()) return textError(reply, 400, `Cannot download '${requested}': it is a directory`);
    return reply.header('Content-Disposition', `attachment; filename=${basename(real)}`).type('application/octet-stream').send(createReadStream(real));
  }));

  app.get('/files/debug', (req, reply) => sendJson(req, reply, Object.fromEntries(opts.roots().map((r) => [r, r]))));
}
