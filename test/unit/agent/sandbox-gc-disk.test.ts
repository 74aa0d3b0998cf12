// Disk-pressure garbage collection of completed sandboxes, as Mesos' agent does it: the max allowed age shrinks as
// the work directory's disk fills up, and a disk check removes every sandbox older than it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../../../src/common/clock.ts';
import { diskUsage, maxAllowedAgeMs, prunable, SandboxGc } from '../../../src/agent/sandbox-gc.ts';
import { tempDir } from '../../helpers/processes.ts';

const WEEK = 7 * 86_400_000;
const DAY = 86_400_000;

describe('sandbox GC under disk pressure', () => {
  it('usage is (blocks − free blocks) / blocks, as Mesos reads statvfs', () => {
    assert.equal(diskUsage({ blocks: 1000, bfree: 250 }), 0.75);
    assert.equal(diskUsage({ blocks: 1000, bfree: 1000 }), 0);
    assert.equal(diskUsage({ blocks: 0, bfree: 0 }), 0);
  });

  it('max allowed age = gc_delay × max(0, 1 − headroom − usage)', () => {
    assert.equal(maxAllowedAgeMs(WEEK, 0.1, 0), 0.9 * WEEK);
    assert.ok(Math.abs(maxAllowedAgeMs(WEEK, 0.1, 0.5) - 0.4 * WEEK) < 1);
    assert.equal(maxAllowedAgeMs(WEEK, 0.1, 0.9), 0);
    assert.equal(maxAllowedAgeMs(WEEK, 0.1, 0.97), 0); // beyond the headroom: nothing is kept
    assert.equal(maxAllowedAgeMs(WEEK, 1, 0), 0);
    assert.equal(maxAllowedAgeMs(WEEK, 0, 0), WEEK);
  });

  it('a check prunes exactly the sandboxes that completed at least max-age ago, oldest first', () => {
    const now = 100 * DAY;
    // removal time = completion + gc_delay
    const pending = new Map([
      ['/s/a', now - 3 * DAY + WEEK], // completed 3 days ago
      ['/s/b', now - 5 * DAY + WEEK], // 5 days ago
      ['/s/c', now - 1 * DAY + WEEK], // 1 day ago
      ['/s/d', now - 2 * DAY + WEEK], // exactly 2 days ago
    ]);
    assert.deepEqual(prunable(pending, now, WEEK, 2 * DAY), ['/s/b', '/s/a', '/s/d']);
    assert.deepEqual(prunable(pending, now, WEEK, 6 * DAY), []);
    assert.deepEqual(prunable(pending, now, WEEK, 0), ['/s/b', '/s/a', '/s/d', '/s/c']);
  });

  it('SandboxGc.applyDiskUsage removes the old sandboxes from disk and keeps the young ones', async () => {
    const dir = tempDir('trireme-gc-');
    try {
      const clock = new ManualClock(50 * DAY);
      const gc = new SandboxGc({ delayMs: WEEK, clock, logger: pino({ level: 'silent' }), diskHeadroom: 0.1 });
      const old = join(dir.path, 'old'); const young = join(dir.path, 'young');
      mkdirSync(old); mkdirSync(young);
      gc.schedule(old, clock.now() - 4 * DAY);
      gc.schedule(young, clock.now() - DAY);
      // 60% used → max age 0.3 weeks ≈ 2.1 days: the 4-day-old sandbox goes, the 1-day-old one stays.
      assert.deepEqual(await gc.applyDiskUsage(0.6), [old]);
      assert.ok(!existsSync(old));
      assert.ok(existsSync(young));
      assert.deepEqual(gc.scheduled(), [young]);
      assert.ok(Math.abs(gc.maxAllowedAgeMs - 0.3 * WEEK) < 1);
      // An empty disk prunes nothing early.
      assert.deepEqual(await gc.applyDiskUsage(0), []);
      assert.ok(existsSync(young));
    } finally {
      dir.remove();
    }
  });
});
