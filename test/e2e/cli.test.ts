// The CLI as a person types it: bad flags fail with one clear line; `trireme dev` brings up a cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { runCli, startRole, tempDir, getJson, eventually, oneLine } from '../helpers/processes.ts';


describe('trireme CLI', () => {
  it('rejects unparsable resources naming the problem', async () => {
    const r = await runCli(['agent', '--master', '127.0.0.1:1', '--resources', 'cpus:lots']);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /--resources.*bad scalar 'lots' for 'cpus'/);
  });

  it('stops with one line when the master cannot be reached', async () => {
    const dir = tempDir();
    const r = await runCli(['agent', '--master', '127.0.0.1:1', '--ip', '127.0.0.1', '--port', '0', '--work-dir', dir.path, '--resources', 'cpus:1;mem:128']);
    dir.remove();
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /cannot reach master at 127\.0\.0\.1:1: ECONNREFUSED/);
  });

  it('stops with one line when the port is taken', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const dir = tempDir();
    try {
      const r = await runCli(['master', '--ip', '127.0.0.1', '--port', String(port), '--work-dir', dir.path]);
      assert.equal(r.code, 1);
      assert.match(oneLine(r.stderr), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      server.close();
      dir.remove();
    }
  });

  it('rejects a bad port and a bad duration', async () => {
    const r = await runCli(['master', '--port', '99999']);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /'99999' is not a port number/);
    const d = await runCli(['master', '--allocation-interval', 'soon']);
    assert.equal(d.code, 1);
    assert.match(oneLine(d.stderr), /bad duration 'soon'/);
    const g = await runCli(['master', '--gc-idle-delay', 'later']);
    assert.equal(g.code, 1);
    assert.match(oneLine(g.stderr), /--gc-idle-delay.*bad duration 'later'/);
  });

  it('accepts Mesos-style underscore flags', async () => {
    const dir = tempDir();
    const m = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work_dir', join(dir.path, 'm'), '--max_agent_ping_timeouts', '7'], 'master listening');
    try {
      const flags = (await getJson(`${m.url}/master/flags`)).flags;
      assert.equal(flags.max_agent_ping_timeouts, '7');
      assert.equal(flags.work_dir, join(dir.path, 'm'));
    } finally {
      await m.stop();
      dir.remove();
    }
  });

  it('`trireme dev` runs a master, three agents on distinct 127.0.0.x addresses, and Marathon', async () => {
    const dir = tempDir();
    // Port 0: the test must not collide with a developer's cluster on 5050/5051.
    const dev = await startRole(['dev', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0'], 'master listening');
    try {
      const state = await eventually(async () => {
        const st = await getJson(`${dev.url}/master/state`);
        return st.slaves.length === 3 ? st : undefined;
      });
      assert.deepEqual(state.slaves.map((s: any) => s.hostname).sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
      assert.deepEqual(state.slaves.map((s: any) => s.attributes.rack).sort(), ['rack-1', 'rack-2', 'rack-3']);
      // Agents share the machine's network, so each offers its own port range.
      assert.deepEqual(state.slaves.map((s: any) => `${s.hostname} ${s.resources.ports}`).sort(), ['127.0.0.2 [31000-31999]', '127.0.0.3 [32000-32999]', '127.0.0.4 [33000-33999]']);
      await eventually(() => dev.output().includes('Trireme is running'));
      assert.match(dev.output(), /agent 3 +http:\/\/127\.0\.0\.4:\d+/);
      const marathonUrl = /marathon (http:\/\/127\.0\.0\.1:\d+)/.exec(dev.output())![1]!;
      assert.equal(await (await fetch(`${marathonUrl}/ping`)).text(), 'pong');
      const info = await eventually(async () => { const i = await getJson(`${marathonUrl}/v2/info`); return i.frameworkId ? i : undefined; });
      assert.ok((await getJson(`${dev.url}/master/frameworks`)).frameworks.some((f: any) => f.id === info.frameworkId && f.name === 'marathon'));

      // The seed's app: a server on $PORT that binds every address. One per agent, all three answer.
      const created = await fetch(`${marathonUrl}/v2/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
        id: '/seed-web', cmd: 'python3 -m http.server $PORT', cpus: 0.1, mem: 32, instances: 3, constraints: [['hostname', 'UNIQUE']],
      }) });
      assert.equal(created.status, 201);
      const tasks = await eventually(async () => {
        const app = (await getJson(`${marathonUrl}/v2/apps/seed-web`)).app;
        return app.tasksRunning === 3 ? app.tasks : undefined;
      }, 60_000);
      for (const t of tasks) await eventually(async () => (await fetch(`http://${t.host}:${t.ports[0]}/`).catch(() => undefined))?.status === 200, 30_000);
    } finally {
      await dev.stop();
      dir.remove();
    }
  });
});
