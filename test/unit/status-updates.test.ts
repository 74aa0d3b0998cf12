import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusUpdateManager, type PendingUpdate } from '../../src/agent/status-updates.ts';
import { isTerminalState, type TaskState } from '../../src/proto/mesos.ts';

function manager(sent: PendingUpdate[], retired: string[] = [], retryMs = 20) {
  const m = new StatusUpdateManager({
    send: async (u) => { sent.push(u); }, initialRetryMs: retryMs, maxRetryMs: 1000,
    isTerminal: (s) => isTerminalState(s.state), onTerminalAcknowledged: (_f, t) => retired.push(t),
  });
  m.resume();
  return m;
}
const status = (task: string, state: TaskState) => ({ task_id: { value: task }, state });

describe('status update manager', () => {
  it('sends one update per task at a time, in order, and moves on when the head is acknowledged', () => {
    const sent: PendingUpdate[] = []; const retired: string[] = [];
    const m = manager(sent, retired, 10_000);
    const a = m.update('f', status('t', 'TASK_STARTING'));
    m.update('f', status('t', 'TASK_RUNNING'));
    m.update('f', status('u', 'TASK_STARTING'));
    assert.deepEqual(sent.map((u) => `${u.status.task_id.value}:${u.status.state}`), ['t:TASK_STARTING', 'u:TASK_STARTING']);
    assert.equal(m.acknowledge('f', 't', 'wrong-uuid'), false);
    assert.equal(m.acknowledge('f', 't', a.status.uuid), true);
    assert.equal(sent[2]!.status.state, 'TASK_RUNNING');
    const fin = m.update('f', status('u', 'TASK_FINISHED'));
    m.acknowledge('f', 'u', sent[1]!.status.uuid);
    m.acknowledge('f', 'u', fin.status.uuid);
    assert.deepEqual(retired, ['u']);
    m.stop();
  });

  it('re-sends the unacknowledged head with backoff, and nothing while paused', async () => {
    const sent: PendingUpdate[] = [];
    const m = manager(sent);
    const u = m.update('f', status('t', 'TASK_RUNNING'));
    await new Promise((r) => setTimeout(r, 100));
    const resent = sent.filter((x) => x.status.uuid === u.status.uuid).length;
    assert.ok(resent >= 3 && resent <= 5, `sent ${resent} times in 100ms with 20ms doubling backoff`);
    m.pause();
    const before = sent.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sent.length, before);
    m.resume();
    assert.equal(sent.length, before + 1, 'resume re-sends the head at once');
    m.stop();
  });
});
