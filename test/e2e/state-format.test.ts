// Every role records its state format and refuses state written by a newer format, with one line naming where.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/state/sqlite-store.ts';
import { oneLine, runCli, tempDir } from '../helpers/processes.ts';

describe('state format', () => {
  for (const [role, db, key, args] of [
    ['master', 'registry.db', '/master/format', ['master', '--ip', '127.0.0.1', '--port', '0']],
    ['marathon', 'marathon.db', '/marathon/format', ['marathon', '--master', '127.0.0.1:1', '--http-address', '127.0.0.1', '--http-port', '0']],
    ['chronos', 'chronos.db', '/chronos/format', ['chronos', '--master', '127.0.0.1:1', '--http-address', '127.0.0.1', '--http-port', '0']],
  ] as const) {
    it(`${role} refuses state of a newer format and leaves it as it was`, async () => {
      const dir = tempDir();
      try {
        const store = await SqliteStore.open(dir.path, db);
        await store.put(key, { version: 99 });
        await store.close();
        const r = await runCli([...args, '--work-dir', dir.path], 30_000);
        assert.equal(r.code, 1, r.stderr);
        assert.match(oneLine(r.stderr), new RegExp(`--work-dir ${dir.path}: .*format version 99, newer than this binary understands \\(1\\)`));
        const after = await SqliteStore.open(dir.path, db);
        assert.deepEqual((await after.get(key))?.value, { version: 99 });
        await after.close();
      } finally {
        dir.remove();
      }
    });
  }
});
