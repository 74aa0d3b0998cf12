// End to end: the fetcher puts a task's URIs into its sandbox before launch (download from a loopback HTTP server,
// extract tar.gz and zip, executable bit, output_file, agent cache), a bad URI fails the task with a clear message,
// the files API refuses paths outside the sandboxes, and --gc-delay removes completed sandboxes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, getJson, eventually, tempDir, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

interface Scheduled { s: RawScheduler; run(id: string, cmd: string, uris?: object[]): Promise<void> }

async function scheduler(cluster: TestCluster, name: string): Promise<Scheduled> {
  const s = new RawScheduler(cluster.masterAddress);
  await s.subscribe({ user: 'root', name });
  s.autoAck();
  const used = new Set<string>();
  return {
    s,
    async run(id, cmd, uris) {
      const e = await s.waitFor((ev) => ev.type === 'OFFERS' && ev.offers.offers.some((o: any) => !used.has(o.id.value)));
      const offer = e.offers.offers.find((o: any) => !used.has(o.id.value));
      used.add(offer.id.value);
      const task = commandTask(id, offer.agent_id.value, cmd, 'cpus:0.1;mem:64');
      if (uris) (task as any).command.uris = uris;
      const r = await s.call(launch([offer.id.value], [task], { refuse_seconds: 0 }));
      assert.equal(r.status, 202, r.text);
    },
  };
}

/** The sandbox directory of a task, from the agent's /state. */
async function sandboxOf(agentUrl: string, taskId: string): Promise<string> {
  const state = await getJson(`${agentUrl}/state`);
  for (const fw of state.frameworks) for (const ex of [...fw.executors, ...fw.completed_executors]) if (ex.id === taskId) return ex.directory;
  throw new Error(`no sandbox for ${taskId}`);
}

describe('fetcher and sandboxes', () => {
  const files = tempDir();
  let server: http.Server;
  let base = '';
  const hits = new Map<string, number>();
  let cluster: TestCluster;
  let sched: Scheduled;

  before(async () => {
    // app.tar.gz holds data/hello.txt; bundle.zip holds bundle/z.txt; tool.sh is a script.
    const pkg = join(files.path, 'pkg');
    mkdirSync(join(pkg, 'data'), { recursive: true });
    writeFileSync(join(pkg, 'data', 'hello.txt'), 'hello from the archive\n');
    execFileSync('tar', ['-C', pkg, '-czf', join(files.path, 'app.tar.gz'), 'data']);
    mkdirSync(join(files.path, 'zipsrc', 'bundle'), { recursive: true });
    writeFileSync(join(files.path, 'zipsrc', 'bundle', 'z.txt'), 'zipped\n');
    execFileSync('zip', ['-q', '-r', join(files.path, 'bundle.zip'), 'bundle'], { cwd: join(files.path, 'zipsrc') });
    writeFileSync(join(files.path, 'tool.sh'), '#!/bin/sh\necho tool ran\n');
    writeFileSync(join(files.path, 'note.txt'), 'a note\n');
    server = http.createServer((req, res) => {
      const name = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
      hits.set(name, (hits.get(name) ?? 0) + 1);
      const file = join(files.path, name);
      if (!/^[\w.]+$/.test(name) || !existsSync(file)) { res.writeHead(404).end('not here'); return; }
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as any).port}`;
    cluster = await startCluster({ agents: 1, agentIpBase: 77 });
    sched = await scheduler(cluster, 'fetcher');
  });
  after(async () => {
    sched?.s.close();
    await cluster?.stop();
    await new Promise((r) => server?.close(r));
    files.remove();
  });

  const readFile = async (taskId: string, name: string) => {
    const fw = sched.s.frameworkId;
    const res = await getJson(`${cluster.agents[0]!.url}/files/read?path=${encodeURIComponent(`/frameworks/${fw}/executors/${taskId}/runs/latest/${name}`)}`);
    return res.data as string;
  };

  it('fetches, extracts (tar.gz, zip), marks executables and renames before the task starts', async () => {
    await sched.run('fetch-ok', 'cat data/hello.txt bundle/z.txt conf/note.txt && ./tool.sh', [
      { value: `${base}/app.tar.gz` },
      { value: `file://${join(files.path, 'bundle.zip')}` },
      { value: `${base}/tool.sh`, executable: true },
      { value: join(files.path, 'note.txt'), output_file: 'conf/note.txt' },
    ]);
    const done = await sched.s.waitForUpdate('fetch-ok', 'TASK_FINISHED');
    assert.equal(done.message, 'Command exited with status 0');
    assert.equal(await readFile('fetch-ok', 'stdout'), 'hello from the archive\nzipped\na note\ntool ran\n');
    // The archives stay next to what they held, as with Mesos.
    assert.ok(existsSync(join(await sandboxOf(cluster.agents[0]!.url, 'fetch-ok'), 'app.tar.gz')));
  });

  it('URIs with cache: true are downloaded once per agent', async () => {
    await sched.run('cache-1', 'cat note.txt', [{ value: `${base}/note.txt?v=cached`, cache: true }]);
    await sched.s.waitForUpdate('cache-1', 'TASK_FINISHED');
    await sched.run('cache-2', 'cat note.txt', [{ value: `${base}/note.txt?v=cached`, cache: true }]);
    await sched.s.waitForUpdate('cache-2', 'TASK_FINISHED');
    assert.equal(await readFile('cache-2', 'stdout'), 'a note\n');
    assert.equal(hits.get('note.txt'), 1);
  });

  it('a URI that cannot be fetched fails the task, naming the URI and the error', async () => {
    await sched.run('fetch-404', 'echo never', [{ value: `${base}/missing.tar.gz` }]);
    const failed = await sched.s.waitForUpdate('fetch-404', 'TASK_FAILED');
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(failed.source, 'SOURCE_AGENT');
    assert.equal(failed.message, `Failed to fetch '${base}/missing.tar.gz': HTTP 404 Not Found`);
    assert.ok(!sched.s.updates('fetch-404').some((u: any) => u.state === 'TASK_RUNNING'));

    await sched.run('fetch-scheme', 'echo never', [{ value: 'ftp://127.0.0.1/x.tar' }]);
    const bad = await sched.s.waitForUpdate('fetch-scheme', 'TASK_FAILED');
    assert.match(bad.message, /^Failed to fetch 'ftp:\/\/127\.0\.0\.1\/x\.tar': unsupported scheme 'ftp'/);
  });

  it('the files API refuses paths outside the sandboxes: .., symlinks, absolute paths', async () => {
    await sched.run('escape', 'ln -s / root-link && ln -s /etc/passwd passwd-link && echo inside > mine.txt');
    await sched.s.waitForUpdate('escape', 'TASK_FINISHED');
    const agent = cluster.agents[0]!.url;
    const sandbox = await sandboxOf(agent, 'escape');
    const latest = `/frameworks/${sched.s.frameworkId}/executors/escape/runs/latest`;
    const status = async (endpoint: string, path: string) => (await fetch(`${agent}/files/${endpoint}?path=${encodeURIComponent(path)}`)).status;
    assert.equal(await status('read', `${sandbox}/mine.txt`), 200);
    assert.equal(await status('download', `${latest}/mine.txt`), 200);
    for (const endpoint of ['read', 'download']) {
      assert.equal(await status(endpoint, `${sandbox}/root-link/etc/passwd`), 403, `${endpoint} through a symlink to /`);
      assert.equal(await status(endpoint, `${latest}/passwd-link`), 403, `${endpoint} of a symlink to a file outside`);
      assert.equal(await status(endpoint, `${sandbox}/${'../'.repeat(30)}etc/passwd`), 403, `${endpoint} with ..`);
      assert.equal(await status(endpoint, '/etc/passwd'), 403, `${endpoint} of an absolute path`);
    }
    assert.equal(await status('browse', `${latest}/${'../'.repeat(30)}tmp`), 403);
    assert.equal(await status('browse', `${sandbox}/root-link`), 403);
    const res = await fetch(`${agent}/files/read?path=${encodeURIComponent('/etc/passwd')}`);
    assert.match(await res.text(), /outside the agent's sandboxes/);
    // Outside paths get the same answer whether or not they exist.
    assert.equal(await status('read', '/no/such/file'), 403);
    assert.equal(await status('read', `${sandbox}/no-such-file`), 404);
  });
});

describe('sandbox garbage collection', () => {
  let cluster: TestCluster;
  after(async () => { await cluster?.stop(); });

  it('--gc-delay removes a completed sandbox once the delay has passed', async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 78, agentArgs: ['--gc-delay', '1secs'] });
    const sched = await scheduler(cluster, 'gc');
    try {
      await sched.run('short', 'echo done');
      await sched.s.waitForUpdate('short', 'TASK_FINISHED');
      const sandbox = await sandboxOf(cluster.agents[0]!.url, 'short');
      assert.ok(existsSync(join(sandbox, 'stdout')), 'the sandbox is there right after the task ends');
      await eventually(() => !existsSync(sandbox), 10_000);
      const res = await fetch(`${cluster.agents[0]!.url}/files/browse?path=${encodeURIComponent(sandbox)}`);
      assert.equal(res.status, 404);
      const flags = await getJson(`${cluster.agents[0]!.url}/flags`);
      assert.equal(flags.flags.gc_delay, '1secs');
    } finally {
      sched.s.close();
    }
  });
});
