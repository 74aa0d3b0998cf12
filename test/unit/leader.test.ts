// SoloElector: the single-node LeaderElector.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SoloElector } from '../../src/state/solo-elector.ts';
import type { LeaderElector, LeaderInfo } from '../../src/state/leader.ts';

const self: LeaderInfo = { id: 'master-1', data: { address: { hostname: 'localhost', port: 5050 } } };

describe('SoloElector', () => {
  it('is not leader before start, leads from start until stop', async () => {
    const e: LeaderElector = new SoloElector();
    assert.equal(e.isLeader(), false);
    assert.equal(e.leader(), undefined);
    await e.start(self);
    assert.equal(e.isLeader(), true);
    assert.deepEqual(e.leader(), self);
    await e.stop();
    assert.equal(e.isLeader(), false);
    assert.equal(e.leader(), undefined);
  });

  it('notifies listeners synchronously inside start() and stop()', async () => {
    const e = new SoloElector();
    const seen: Array<[string | undefined, boolean]> = [];
    e.onChange((l, isSelf) => seen.push([l?.id, isSelf]));
    const started = e.start(self);
    assert.deepEqual(seen, [['master-1', true]], 'before start() resolves');
    await started;
    const stopped = e.stop();
    assert.deepEqual(seen, [['master-1', true], [undefined, false]]);
    await stopped;
  });

  it('does not replay the current state to late subscribers; leader() tells it', async () => {
    const e = new SoloElector();
    await e.start(self);
    const seen: boolean[] = [];
    e.onChange((_l, isSelf) => seen.push(isSelf));
    assert.deepEqual(seen, []);
    assert.equal(e.leader()?.id, 'master-1');
    await e.stop();
    assert.deepEqual(seen, [false]);
  });

  it('unsubscribes, also from inside a listener', async () => {
    const e = new SoloElector();
    const a: boolean[] = [];
    const b: boolean[] = [];
    const offA = e.onChange((_l, s) => { a.push(s); offA(); });
    const offB = e.onChange((_l, s) => b.push(s));
    const fn = (_l: LeaderInfo | undefined, s: boolean) => b.push(s);
    const offC1 = e.onChange(fn);
    e.onChange(fn); // the same function twice: two subscriptions
    await e.start(self);
    offB();
    offC1();
    offC1(); // idempotent
    await e.stop();
    assert.deepEqual(a, [true]);
    assert.deepEqual(b, [true, true, true, false]);
  });

  it('stop() is idempotent and silent when not leading; restart works', async () => {
    const e = new SoloElector();
    const seen: boolean[] = [];
    e.onChange((_l, s) => seen.push(s));
    await e.stop();
    assert.deepEqual(seen, []);
    await e.start(self);
    await assert.rejects(e.start({ id: 'other', data: null }), /already started as 'master-1'/);
    assert.equal(e.leader()?.id, 'master-1');
    await e.stop();
    await e.stop();
    await e.start({ id: 'master-2', data: null });
    assert.equal(e.leader()?.id, 'master-2');
    assert.deepEqual(seen, [true, false, true]);
  });

  it('a throwing listener does not stop the others nor the change; start() reports it', async () => {
    const e = new SoloElector();
    const seen: boolean[] = [];
    e.onChange(() => { throw new Error('boom'); });
    e.onChange((_l, s) => seen.push(s));
    await assert.rejects(e.start(self), /boom/);
    assert.equal(e.isLeader(), true);
    assert.deepEqual(seen, [true]);
    e.onChange(() => { throw new Error('bang'); });
    await assert.rejects(e.stop(), (err: unknown) => err instanceof AggregateError && err.errors.length === 2);
    assert.equal(e.isLeader(), false);
    assert.deepEqual(seen, [true, false]);
  });
});
