// `trireme task kill` on Chronos tasks (Chronos kills per job) and `trireme task logs --tail`: the pure parts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chronosJobOf, decideChronosKill } from '../../../src/cli/ops/chronos-kill.ts';
import { byteOffsetOf, lastLinesStart, tailOffset } from '../../../src/cli/ops/tail.ts';

describe('task kill on a Chronos task', () => {
  const id = 'ct:1700000000000:0:nightly:';
  it('the job name comes from the ct:<due>:<attempt>:<job>:<args> id; other ids are not Chronos tasks', () => {
    assert.equal(chronosJobOf(id), 'nightly');
    assert.equal(chronosJobOf('ct:1700000000000:2:etl.load:--day%202024'), 'etl.load');
    assert.equal(chronosJobOf('web.0a1b2c'), undefined);
  });
  it('the only active task of its job: killed through the job', () => {
    assert.deepEqual(decideChronosKill(id, 'nightly', [id], false), { kill: true, job: 'nightly', others: [] });
  });
  it('other active tasks in the job: refused in one line naming --job, unless --job is given', () => {
    const other = 'ct:1700000060000:0:nightly:';
    const refused = decideChronosKill(id, 'nightly', [id, other], false);
    assert.equal(refused.kill, false);
    if (!refused.kill) {
      assert.equal(refused.error.kind, 'usage');
      assert.equal(refused.error.message, `task '${id}': Chronos kills a job's tasks together and job 'nightly' has 1 other active task; add --job to kill all 2`);
    }
    assert.deepEqual(decideChronosKill(id, 'nightly', [id, other], true), { kill: true, job: 'nightly', others: [other] });
  });
  it('a task that is no longer active: not found, nothing killed', () => {
    const gone = decideChronosKill(id, 'nightly', ['ct:1700000060000:0:nightly:'], true);
    assert.equal(gone.kill, false);
    if (!gone.kill) assert.equal(gone.error.kind, 'not-found');
  });
});

describe('task logs --tail', () => {
  it('finds where the last N lines start; a final newline does not count as a line', () => {
    assert.equal(lastLinesStart('a\nb\nc\n', 2), 2);
    assert.equal(lastLinesStart('a\nb\nc', 2), 2);
    assert.equal(lastLinesStart('a\nb\nc\n', 3), undefined);
    assert.equal(lastLinesStart('a\nb\nc\n', 0), 6);
    assert.equal(lastLinesStart('\n\nx\n', 2), 1);
  });
  it('byte offsets count multi-byte characters, and stray continuation bytes at a page start as one byte each', () => {
    assert.equal(byteOffsetOf('é\nx', 2, 10), 13);
    // A page starting inside "€" (3 bytes) decodes its last 2 bytes as two U+FFFD.
    assert.equal(byteOffsetOf('\uFFFD\uFFFD\nx', 3, 10), 13);
  });
  it('reads further back until the window holds enough lines, and the byte offset is exact', async () => {
    const file = Buffer.from(Array.from({ length: 100 }, (_, i) => `ligne-${i} é€\n`).join(''));
    const reads: number[] = [];
    const read = async (offset: number, length: number) => { reads.push(length); return file.subarray(offset, offset + length).toString('utf8'); };
    const start = await tailOffset(file.length, 30, 64, 1 << 20, read);
    assert.equal(file.subarray(start).toString('utf8'), Array.from({ length: 30 }, (_, i) => `ligne-${70 + i} é€\n`).join(''));
    assert.ok(reads.length > 1, 'a 64-byte window does not hold 30 lines');
    assert.equal(await tailOffset(file.length, 500, 64, 1 << 20, read), 0);
    assert.equal(await tailOffset(file.length, 0, 64, 1 << 20, read), file.length);
  });
});
