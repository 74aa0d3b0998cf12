// Serves a role's web console: the React build in dist/ui (made by `npm run build`, which `npm ci` runs through
// the `prepare` script). Each role's page is dist/ui/<role>/index.html at `/`; the hashed assets all pages share
// are under /assets/. Pages route with the URL hash, so the server needs no per-page fallback routes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export type UiRole = 'master' | 'marathon' | 'chronos';

export const UI_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'ui');

/** Paths that belong to the console rather than a role's API (standbys serve them themselves, auth lets them by). */
export function isUiPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/ui' || path === '/ui/' || path.startsWith('/assets/');
}

const NOT_BUILT = (role: UiRole) => `<!doctype html><meta charset="utf-8"><title>Trireme ${role}</title>
<p>The ${role} web console is not built. Run <code>npm run build</code> (or <code>npm ci</code>) and reload.</p>`;

export async function registerUi(app: FastifyInstance, role: UiRole, distDir = UI_DIST): Promise<void> {
  const indexFile = join(distDir, role, 'index.html');
  // Read per request when missing so a build made after start-up shows up without a restart.
  const page = (): string => (existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : NOT_BUILT(role));
  const sendPage = (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page());
  app.get('/', sendPage);
  app.get('/index.html', sendPage);
  // Marathon's console lived at /ui/; keep that address working for bookmarks.
  if (role === 'marathon') {
    app.get('/ui', (_req, reply) => reply.redirect('/ui/'));
    app.get('/ui/', sendPage);
  }
  const assets = join(distDir, 'assets');
  // Without a build there are no assets; /assets/* then answers 404 and the page above says what to run.
  if (!existsSync(assets)) return;
  // Asset names carry a content hash: cache them for good.
  await app.register(fastifyStatic, { root: assets, prefix: '/assets/', decorateReply: false, maxAge: '365d', immutable: true });
}
