// The master forwards /agents/:agentId/files/{browse,read,download} to that agent's files API, so a browser that
// only talks to the master can read sandboxes. The agent still decides what may be read: escapes stay refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

describe('master files proxy', () => {
  let cluster: TestCluster;
  let scheduler: RawScheduler;
  let base = '';
  let agentId = '';
  let sandbox = '';

  before(async () => {
    cluster = await startCluster({ agents: 2, agentIpBase: 121 });
    base = `http://${cluster.masterAddress}`;
    scheduler = new RawScheduler(cluster.masterAddress);
    await scheduler.subscribe({ user: 'root', name: 'files-proxy' });
    scheduler.autoAck();
    const [offer] = await scheduler.nextOffers();
    agentId = offer.agent_id.value;
    const res = await scheduler.call(launch([offer.id.value], [commandTask('hello', agentId, 'echo proxied-hello; echo oops >&2')]));
    assert.equal(res.status, 202, res.text);
    await scheduler.waitForUpdate('hello', 'TASK_FINISHED');
    sandbox = `/frameworks/${scheduler.frameworkId}/executors/hello/runs/latest`;
  });
  after(async () => {
    scheduler?.close();
    await cluster?.stop();
  });

  const get = (path: string) => fetch(`${base}${path}`);
  const files = (op: string, path: string, extra = '') => get(`/agents/${agentId}/files/${op}?path=${encodeURIComponent(path)}${extra}`);

  test("browse and read a task's sandbox through the master", async () => {
    const list = await files('browse', sandbox);
    assert.equal(list.status, 200);
    const names = ((await list.json()) as Array<{ path: string }>).map((e) => e.path.split('/').pop());
    assert.ok(names.includes('stdout') && names.includes('stderr'), names.join(','));
    const end = (await (await files('read', `${sandbox}/stdout`, '&offset=-1')).json()) as { offset: number };
    assert.ok(end.offset > 0);
    const read = await files('read', `${sandbox}/stdout`, '&offset=0&length=65536');
    assert.equal(read.status, 200);
    assert.match(((await read.json()) as { data: string }).data, /proxied-hello/);
    const tail = (await (await files('read', `${sandbox}/stdout`, `&offset=${end.offset}`)).json()) as { data: string; offset: number };
    assert.deepEqual(tail, { data: '', offset: end.offset }, 'reading at the end gives nothing new');
  });

  test('download passes the file and its attachment header through', async () => {
    const res = await files('download', `${sandbox}/stderr`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=stderr/);
    assert.match(await res.text(), /oops/);
  });

  test('paths outside the sandboxes stay refused, with the agent’s reason', async () => {
    for (const path of ['/etc', `${sandbox}/../../../../../../../../etc/passwd`, '/etc/passwd']) {
      const res = await files(path === '/etc' ? 'browse' : 'read', path);
      assert.equal(res.status, 403, path);
      assert.match(await res.text(), /not allowed/);
    }
    assert.equal((await files('read', `${sandbox}/missing-file`)).status, 404);
  });

  test('unknown agents and operations are 404 with a message naming them', async () => {
    const agent = await get('/agents/no-such-agent/files/browse?path=/');
    assert.equal(agent.status, 404);
    assert.match(await agent.text(), /no-such-agent/);
    const op = await get(`/agents/${agentId}/files/delete?path=/`);
    assert.equal(op.status, 404);
    assert.match(await op.text(), /'delete'/);
  });

  test('an agent that does not answer is a 502 naming it, not a hang or a 500', async () => {
    const state = (await (await get('/master/slaves')).json()) as { slaves: Array<{ id: string; hostname: string }> };
    const { id: other, hostname } = state.slaves.find((s) => s.id !== agentId)!;
    // Kill it hard, so the master still lists it (until its pings time out) but nothing answers.
    const victim = cluster.agents.find((a) => new URL(a.url).hostname === hostname)!;
    await victim.stop('SIGKILL');
    const res = await get(`/agents/${other}/files/browse?path=/`);
    assert.equal(res.status, 502);
    assert.match(await res.text(), new RegExp(other));
  });
});
