import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayStream, StatusUpdateLog } from '../../../src/agent/status-update-log.ts';
import { StatusUpdateManager, type PendingUpdate } from '../../../src/agent/status-updates.ts';
import { isTerminalState, type TaskState } from '../../../src/proto/mesos.ts';

const status = (task: string, state: TaskState) => ({ task_id: { value: task }, state });

function manager(dir: string, sent: PendingUpdate[], retired: string[] = []) {
  const m = new StatusUpdateManager({
    send: async (u) => { sent.push(u); }, initialRetryMs: 60_000, maxRetryMs: 60_000, journal: new StatusUpdateLog(dir),
    isTerminal: (s) => isTerminalState(s.state), onTerminalAcknowledged: (_f, t) => retired.push(t),
  });
  return m;
}

describe('status update log', () => {
  it('replays the updates after the last acknowledged one, skipping a torn last line and acks of anything but the head', () => {
    const u = (uuid: string, state: TaskState) => JSON.stringify({ update: { frameworkId: 'f', status: { ...status('t', state), uuid } } });
    const text = [u('a', 'TASK_STARTING'), JSON.stringify({ ack: 'b' }), JSON.stringify({ ack: 'a' }), u('b', 'TASK_RUNNING'), u('c', 'TASK_FINISHED'), '{"ack":"b'].join('\n');
    const r = replayStream(text)!;
    assert.equal(r.frameworkId, 'f');
    assert.equal(r.taskId, 't');
    assert.equal(r.acknowledged, 1, 'the torn ack of b does not count');
    assert.deepEqual(r.updates.slice(r.acknowledged).map((x) => x.status.uuid), ['b', 'c']);
    assert.equal(replayStream('{"upd'), undefined);
  });

  it('a restarted manager re-sends what was never acknowledged, with the same uuids and in order, and forgets acknowledged streams', () => {
    const dir = mkdtempSync(join(tmpdir(), 'updates-'));
    try {
      const sent: PendingUpdate[] = [];
      const first = manager(dir, sent);
      first.resume();
      const starting = first.update('f', status('t', 'TASK_STARTING'));
      const running = first.update('f', status('t', 'TASK_RUNNING'));
      const finished = first.update('f', status('t', 'TASK_FINISHED'));
      first.acknowledge('f', 't', starting.status.uuid);
      const other = first.update('f', status('u', 'TASK_RUNNING'));
      first.acknowledge('f', 'u', other.status.uuid); // acknowledged, task still running: kept compacted for its last state
      first.stop();
      appendFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!), '{"ack":'); // a write cut short by the crash

      const resent: PendingUpdate[] = []; const retired: string[] = [];
      const second = manager(dir, resent, retired);
      const log = new StatusUpdateLog(dir);
      const streams = log.replay();
      const u = streams.find((st) => st.taskId === 'u')!;
      assert.equal(u.updates.length - u.acknowledged, 0, 'nothing of u is pending');
      assert.equal(u.updates.at(-1)!.status.state, 'TASK_RUNNING', 'but its last state is known');
      second.restore(streams);
      second.resume();
      assert.deepEqual(resent.map((x) => x.status.uuid), [running.status.uuid], 'only the head goes out');
      second.acknowledge('f', 't', running.status.uuid);
      assert.deepEqual(resent.map((x) => x.status.uuid), [running.status.uuid, finished.status.uuid]);
      second.acknowledge('f', 't', finished.status.uuid);
      assert.deepEqual(retired, ['t']);
      second.stop();

      const third: PendingUpdate[] = [];
      const m3 = manager(dir, third);
      const after = new StatusUpdateLog(dir).replay();
      assert.deepEqual(after.map((st) => st.taskId), ['u'], "t's stream is gone once its terminal update was acknowledged");
      m3.restore(after);
      m3.resume();
      assert.deepEqual(third, []);
      m3.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restored updates go before ones queued meanwhile (a recovered task that ended while the agent was down)', () => {
    const sent: PendingUpdate[] = [];
    const m = new StatusUpdateManager({ send: async (u) => { sent.push(u); }, initialRetryMs: 60_000, maxRetryMs: 60_000, isTerminal: (s) => isTerminalState(s.state) });
    const finished = m.update('f', status('t', 'TASK_FINISHED'));
    const running = { frameworkId: 'f', status: { ...status('t', 'TASK_RUNNING'), uuid: 'r' } };
    m.restore([{ frameworkId: 'f', taskId: 't', updates: [running], acknowledged: 0 }]);
    m.resume();
    m.acknowledge('f', 't', 'r');
    assert.deepEqual(sent.map((u) => u.status.uuid), ['r', finished.status.uuid]);
    m.stop();
  });
});
