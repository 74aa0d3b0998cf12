// Hostile and broken clients against real processes: oversized bodies and headers, too many event streams from one
// address, slow-loris connections, event-stream readers that stop reading, and repeated query parameters.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { eventually, startCluster, tempDir, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';
import { startChronosProcess } from '../helpers/chronos.ts';

const LIMITS = ['--http-headers-timeout', '1secs', '--http-request-timeout', '2secs', '--max-event-streams-per-client', '3'];

interface Answer { status: number; text: string }

/** One request on its own connection, optionally from a chosen loopback source address. */
function request(url: string, opts: { method?: string; path: string; body?: string | Buffer; headers?: Record<string, string>; localAddress?: string; chunked?: boolean }): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: opts.path, method: opts.method ?? 'GET', agent: false, localAddress: opts.localAddress, headers: opts.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    // A server refusing an oversized body answers and closes while the body is still being sent: the write then
    // fails with EPIPE/ECONNRESET although the answer arrives. Give the answer a moment before failing.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') setTimeout(() => reject(err), 2000);
      else reject(err);
    });
    if (opts.chunked && opts.body) { req.write(opts.body.slice(0, 1000)); req.end(opts.body.slice(1000)); } else req.end(opts.body);
  });
}

/** Opens a long-lived stream and resolves with its status once the headers arrive; `close` ends it. */
function openStream(url: string, opts: { method?: string; path: string; body?: string; headers?: Record<string, string>; localAddress?: string }): Promise<{ status: number; text: () => string; close(): void }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: opts.path, method: opts.method ?? 'GET', agent: false, localAddress: opts.localAddress, headers: opts.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('error', () => undefined);
      resolve({ status: res.statusCode!, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const operatorSubscribe = { method: 'POST', path: '/api/v1', body: JSON.stringify({ type: 'SUBSCRIBE' }), headers: { 'Content-Type': 'application/json', Accept: 'application/json' } };

describe('hostile clients', () => {
  const dir = tempDir();
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let chronos: RoleProcess;
  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 106, masterArgs: [...LIMITS, '--http-body-limit', '64KB'] });
    marathon = await startMarathonRole(cluster.masterAddress, dir.path, [...LIMITS, '--http-body-limit', '1MB', '--event-stream-buffer', '1MB']);
    chronos = await startChronosProcess(cluster.masterAddress, `${dir.path}/chronos`);
  });
  after(async () => { await marathon?.stop(); await chronos?.stop(); await cluster?.stop(); dir.remove(); });

  it('refuses bodies over --http-body-limit with 413 naming the limit, whether sized or chunked, on every role', async () => {
    const big = JSON.stringify({ type: 'SUBSCRIBE', pad: 'x'.repeat(100 * 1024) });
    const sized = await request(cluster.master.url, { method: 'POST', path: '/api/v1/scheduler', body: big, headers: { 'Content-Type': 'application/json' } });
    assert.equal(sized.status, 413);
    assert.match(sized.text, /larger than the limit of 65536 bytes \(--http-body-limit\)/);
    const chunked = await request(cluster.master.url, { method: 'POST', path: '/api/v1/scheduler', body: big, headers: { 'Content-Type': 'application/json' }, chunked: true });
    assert.equal(chunked.status, 413);
    const app = await request(marathon.url, { method: 'POST', path: '/v2/apps', body: JSON.stringify({ id: '/big', cmd: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(app.status, 413);
    assert.match(JSON.parse(app.text).message, /--http-body-limit/);
    // Chronos' default limit is 4MB.
    const job = await request(chronos.url, { method: 'POST', path: '/v1/scheduler/iso8601', body: JSON.stringify({ name: 'big', command: 'x'.repeat(5 * 1024 * 1024), schedule: 'R/2030-01-01T00:00:00Z/PT1H' }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(job.status, 413);
    // Under the limit still works.
    assert.equal((await api(marathon.url, 'POST', '/v2/apps', { id: '/small', cmd: 'sleep 1000', instances: 0, cpus: 0.1, mem: 16 })).status, 201);
  });

  it('refuses request heads over --http-max-header-size with 431', async () => {
    const res = await request(cluster.master.url, { path: '/master/state', headers: { 'X-Junk': 'x'.repeat(20 * 1024) } }).catch((err: Error) => ({ status: 0, text: err.message }));
    assert.equal(res.status, 431);
    assert.equal((await request(cluster.master.url, { path: '/master/health' })).status, 200);
  });

  it('caps open event streams per client address with 429, counts every stream endpoint, and frees a slot on close', async () => {
    const from = '127.0.106.10';
    const streams = [
      await openStream(cluster.master.url, { ...operatorSubscribe, localAddress: from }),
      await openStream(cluster.master.url, { ...operatorSubscribe, localAddress: from }),
      await openStream(cluster.master.url, { ...operatorSubscribe, localAddress: from }),
    ];
    try {
      assert.deepEqual(streams.map((s) => s.status), [200, 200, 200]);
      const fourth = await request(cluster.master.url, { ...operatorSubscribe, localAddress: from });
      assert.equal(fourth.status, 429);
      assert.match(fourth.text, /Too many open event streams from 127\.0\.106\.10: at most 3 per client/);
      // A framework SUBSCRIBE from the same address counts against the same cap.
      const framework = await request(cluster.master.url, { method: 'POST', path: '/api/v1/scheduler', localAddress: from, headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'nobody', name: 'capped' } } }) });
      assert.equal(framework.status, 429);
      // Another client is not affected.
      const other = await openStream(cluster.master.url, { ...operatorSubscribe, localAddress: '127.0.106.11' });
      assert.equal(other.status, 200);
      other.close();
      streams.pop()!.close();
      await eventually(async () => {
        const again = await openStream(cluster.master.url, { ...operatorSubscribe, localAddress: from });
        if (again.status === 200) { streams.push(again); return true; }
        return false;
      });
    } finally {
      for (const s of streams) s.close();
    }
    // Marathon's /v2/events likewise, with Marathon's JSON error body.
    const sse = [1, 2, 3].map(() => openStream(marathon.url, { path: '/v2/events', localAddress: from, headers: { Accept: 'text/event-stream' } }));
    const open = await Promise.all(sse);
    try {
      assert.deepEqual(open.map((s) => s.status), [200, 200, 200]);
      const refused = await request(marathon.url, { path: '/v2/events', localAddress: from });
      assert.equal(refused.status, 429);
      assert.match(JSON.parse(refused.text).message, /at most 3 per client/);
    } finally {
      for (const s of open) s.close();
    }
  });

  it('slow-loris connections do not stop others being answered, and the server closes them', async () => {
    const sockets: net.Socket[] = [];
    const closed = new Set<net.Socket>();
    const timers: NodeJS.Timeout[] = [];
    for (const target of [cluster.master, marathon]) {
      const port = Number(new URL(target.url).port);
      for (let i = 0; i < 60; i++) {
        const s = net.connect({ host: '127.0.0.1', port });
        s.on('error', () => undefined);
        s.on('close', () => closed.add(s));
        s.resume(); // read (and discard) what the server answers, so its close is seen
        sockets.push(s);
        if (i % 3 === 0) continue; // idle: connects and never sends a byte
        const head = i % 3 === 1 ? 'GET /master/state HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'y'.repeat(500) : 'POST /v2/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n';
        let at = 0;
        // Headers (or a body) one byte at a time.
        timers.push(setInterval(() => { if (!s.destroyed && at < head.length) s.write(head[at++]!); else if (!s.destroyed && i % 3 === 2) s.write('a'); }, 50));
      }
    }
    try {
      await new Promise((r) => setTimeout(r, 300));
      const state = await request(cluster.master.url, { path: '/master/state' });
      assert.equal(state.status, 200);
      assert.ok(JSON.parse(state.text).slaves.length >= 1);
      const apps = await request(marathon.url, { path: '/v2/apps' });
      assert.equal(apps.status, 200);
      assert.ok(Array.isArray(JSON.parse(apps.text).apps));
      // Every slow connection is eventually closed by the servers (headers 1s, whole request 2s here).
      await eventually(() => closed.size === sockets.length, 20_000);
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
    }
  });

  it('drops an event-stream client that stops reading, keeps delivering to one that reads', async () => {
    const streams = async () => Number(/marathon_http_event_streams_active_gauge (\d+)/.exec((await api(marathon.url, 'GET', '/metrics')).text)?.[1]);
    const reader = await openEvents(marathon.url);
    await reader.attached;
    const withReader = await streams();
    const port = Number(new URL(marathon.url).port);
    const stalled = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.106.20' });
    stalled.on('error', () => undefined);
    const stalledClosed = new Promise<void>((r) => stalled.on('close', () => r()));
    stalled.write('GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    stalled.pause(); // never reads
    await eventually(async () => (await streams()) === withReader + 1);
    // Big apps (instances 0: nothing runs) make big events: far more than the 1MB buffer and the socket buffers.
    const label = 'z'.repeat(256 * 1024);
    for (let i = 0; i < 100 && (await streams()) === withReader + 1; i++) {
      // Each POST publishes an api_post_event carrying the whole app definition.
      const r = await api(marathon.url, 'POST', '/v2/apps', { id: `/flood-${i}`, cmd: 'sleep 1', instances: 0, cpus: 0.1, mem: 16, labels: { pad: label } });
      assert.ok(r.status === 200 || r.status === 201, r.text);
    }
    await eventually(async () => (await streams()) === withReader);
    stalled.resume(); // read what the kernel kept, then see the server's close
    await stalledClosed;
    const before = reader.events.length;
    await api(marathon.url, 'POST', '/v2/apps', { id: '/after-drop', cmd: 'sleep 1', instances: 0, cpus: 0.1, mem: 16 });
    await eventually(() => reader.events.slice(before).some((e) => e.type === 'api_post_event' && e.data.appDefinition?.id === '/after-drop'));
    reader.close();
  });

  it('a repeated query parameter or a HEAD on an event stream is answered, not a 500 or a hang', async () => {
    assert.equal((await request(marathon.url, { path: '/v2/apps?id=small&id=other' })).status, 200);
    assert.equal((await request(marathon.url, { method: 'HEAD', path: '/v2/events' })).status, 200);
    assert.equal((await request(chronos.url, { path: '/v1/scheduler/jobs/search?command=a&command=b' })).status, 200);
    assert.equal((await request(cluster.agents[0]!.url, { path: '/files/read?path=/a&path=/b' })).status, 400);
    assert.equal((await request(cluster.master.url, { path: '/master/tasks?limit=1&limit=2' })).status, 200);
    const unknown = await request(cluster.master.url, { ...operatorSubscribe, body: JSON.stringify({ type: 'NOT_A_CALL' }) });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /'type' 'NOT_A_CALL' is not a master call type/);
  });
});
