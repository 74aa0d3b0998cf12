// Regression tests for hostile files-API requests found by fuzzing (in-process, through fastify's inject).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, installTextErrorHandler } from '../../../src/common/http.ts';
import { registerFilesRoutes } from '../../../src/agent/files.ts';
import { tempDir } from '../../helpers/processes.ts';

describe('files API against hostile paths', () => {
  const dir = tempDir();
  const root = join(dir.path, 'sandboxes');
  let app: FastifyInstance;
  before(async () => {
    mkdirSync(root);
    writeFileSync(join(root, 'stdout'), 'hello');
    mkdirSync(join(dir.path, 'sandboxes-evil'));
    writeFileSync(join(dir.path, 'sandboxes-evil', 'secret'), 'nope');
    symlinkSync(join(dir.path, 'sandboxes-evil'), join(root, 'out-link'));
    app = createHttpServer(pino({ level: 'silent' }));
    installTextErrorHandler(app);
    registerFilesRoutes(app, { roots: () => [root] });
    await app.ready();
  });
  after(async () => { await app.close(); dir.remove(); });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('a repeated path parameter is a 400 naming the parameter, not a 500', async () => {
    for (const endpoint of ['read', 'browse', 'download']) {
      const res = await get(`/files/${endpoint}?path=${encodeURIComponent(join(root, 'stdout'))}&path=/etc/passwd`);
      assert.equal(res.statusCode, 400, endpoint);
      assert.match(res.body, /one 'path' query parameter/);
    }
  });

  it('a sibling directory sharing the sandbox root as a name prefix, symlinks out and encoded .. are refused', async () => {
    assert.equal((await get(`/files/read?path=${encodeURIComponent(join(dir.path, 'sandboxes-evil', 'secret'))}`)).statusCode, 403);
    assert.equal((await get(`/files/read?path=${encodeURIComponent(join(root, 'out-link', 'secret'))}`)).statusCode, 403);
    assert.equal((await get(`/files/read?path=${root}/%2e%2e/sandboxes-evil/secret`)).statusCode, 403);
    assert.equal((await get(`/files/read?path=${encodeURIComponent(`${root}/stdout\u0000/etc/passwd`)}`)).statusCode, 404);
    const ok = await get(`/files/read?path=${encodeURIComponent(join(root, 'stdout'))}`);
    assert.equal(ok.statusCode, 200);
    assert.equal(JSON.parse(ok.body).data, 'hello');
  });
});
