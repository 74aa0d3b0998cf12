// A non-leading Chronos proxies requests to the leader (Chronos' RedirectFilter). Two instances in this process
// with an injected elector that names the first as leader; no master is needed for the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { LeaderElector, LeaderInfo, LeaderListener } from '../../src/state/leader.ts';
import { startChronos, type ChronosConfig } from '../../src/chronos/server.ts';
import { call, postJob } from '../helpers/chronos.ts';

/** An election decided in advance: `leads` says whether this contender wins, `leader` who leads. */
class FixedElector implements LeaderElector {
  private self?: LeaderInfo;
  private readonly listeners = new Set<LeaderListener>();
  constructor(private readonly leads: boolean, private readonly other?: () => LeaderInfo) {}
  async start(self: LeaderInfo): Promise<void> { this.self = self; for (const l of this.listeners) l(this.leader(), this.leads); }
  isLeader(): boolean { return this.leads && this.self !== undefined; }
  leader(): LeaderInfo | undefined { return this.leads ? this.self : this.other?.(); }
  onChange(l: LeaderListener): () => void { this.listeners.add(l); return () => this.listeners.delete(l); }
  async stop(): Promise<void> { this.self = undefined; }
}

const config = (): ChronosConfig => ({
  master: '127.0.53.1:9', httpAddress: '127.0.0.1', httpPort: 0, hostname: '127.0.0.1', workDir: '/nonexistent', frameworkName: 'chronos',
  role: '*', user: 'root', failoverTimeoutSeconds: 60, taskEpsilonMs: 60_000, failureRetryMs: 1000, historyLimit: 10, declineOfferSeconds: 1,
  defaults: { cpus: 0.1, mem: 128, disk: 256 },
});

test('a non-leading instance proxies reads and writes to the leader', async (t) => {
  const logger = pino({ level: 'silent' });
  const leaderElector = new FixedElector(true);
  const leader = await startChronos(config(), logger, { store: new MemoryStore(), elector: leaderElector });
  t.after(() => leader.close());
  const follower = await startChronos(config(), logger, { store: new MemoryStore(), elector: new FixedElector(false, () => leaderElector.leader()!) });
  t.after(() => follower.close());

  await postJob(follower.url, { name: 'via-follower', command: 'true', schedule: 'R0//PT1H' });
  assert.equal(leader.scheduler.job('via-follower')?.command, 'true', 'the job landed on the leader');
  assert.equal(follower.scheduler.job('via-follower'), undefined, 'the follower keeps no state of its own');
  const listed = (await call(follower.url, 'GET', '/v1/scheduler/jobs')).json() as Array<{ name: string }>;
  assert.deepEqual(listed.map((j) => j.name), ['via-follower']);
  const bad = await call(follower.url, 'POST', '/v1/scheduler/iso8601', { name: 'x', schedule: 'nope' });
  assert.equal(bad.status, 400, 'errors come back from the leader as they are');
  assert.deepEqual((await call(follower.url, 'GET', '/v1/scheduler/leader')).json(), { leader: new URL(leader.url).host });
});
