// End to end: the fetcher cache keeps at most --fetcher-cache-size bytes. With a 100-byte cache and a loopback HTTP
// server counting downloads: a cached URI is downloaded once, the least recently used one is evicted by a new one
// and downloaded again when asked for, and a URI bigger than the cache (announced, or found out after a chunked
// download) is downloaded every time yet still fetched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startCluster, getJson, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

const FILES: Record<string, string> = { 'a.txt': 'A'.repeat(39) + '\n', 'b.txt': 'B'.repeat(39) + '\n', 'c.txt': 'C'.repeat(39) + '\n', 'big.txt': 'Z'.repeat(199) + '\n', 'stream.txt': 'S'.repeat(149) + '\n' };

describe('fetcher cache size limit', () => {
  let server: http.Server;
  let base = '';
  const downloads = new Map<string, number>();
  let cluster: TestCluster;
  let s: RawScheduler;
  const usedOffers = new Set<string>();

  before(async () => {
    server = http.createServer((req, res) => {
      const name = new URL(req.url!, 'http://x').pathname.slice(1);
      const body = FILES[name];
      if (body === undefined || req.method !== 'GET') { res.writeHead(404).end(); return; }
      downloads.set(name, (downloads.get(name) ?? 0) + 1);
      // stream.txt comes chunked: its size is only known once downloaded.
      if (name === 'stream.txt') { res.writeHead(200); res.write(body.slice(0, 50)); res.end(body.slice(50)); return; }
      res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as any).port}`;
    cluster = await startCluster({ agents: 1, agentIpBase: 144, agentArgs: ['--fetcher-cache-size', '100B'] });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'fetch-cache' });
    s.autoAck();
  });
  after(async () => {
    s?.close();
    await cluster?.stop();
    await new Promise((r) => server?.close(r));
  });

  /** Runs `cat <file>` with the file fetched through the cache; returns what the task printed. */
  async function catThroughCache(id: string, file: string): Promise<string> {
    const e = await s.waitFor((ev) => ev.type === 'OFFERS' && ev.offers.offers.some((o: any) => !usedOffers.has(o.id.value)));
    const offer = e.offers.offers.find((o: any) => !usedOffers.has(o.id.value));
    usedOffers.add(offer.id.value);
    const task = commandTask(id, offer.agent_id.value, `cat ${file}`);
    (task as any).command.uris = [{ value: `${base}/${file}`, cache: true }];
    const r = await s.call(launch([offer.id.value], [task], { refuse_seconds: 0 }));
    assert.equal(r.status, 202, r.text);
    await s.waitForUpdate(id, 'TASK_FINISHED');
    const path = `/frameworks/${s.frameworkId}/executors/${id}/runs/latest/stdout`;
    return (await getJson(`${cluster.agents[0]!.url}/files/read?path=${encodeURIComponent(path)}`)).data as string;
  }

  it('serves hits from the cache, evicts the least recently used entry and re-downloads it, bypasses oversized URIs', async () => {
    assert.equal(await catThroughCache('t1', 'a.txt'), FILES['a.txt']);
    assert.equal(await catThroughCache('t2', 'a.txt'), FILES['a.txt']);
    assert.equal(downloads.get('a.txt'), 1, 'the second fetch of a.txt is a cache hit');
    assert.equal(await catThroughCache('t3', 'b.txt'), FILES['b.txt']);
    // a.txt (last used by t2) is older than b.txt: c.txt needs its 40 bytes.
    assert.equal(await catThroughCache('t4', 'c.txt'), FILES['c.txt']);
    assert.equal(await catThroughCache('t5', 'b.txt'), FILES['b.txt']);
    assert.equal(downloads.get('b.txt'), 1, 'b.txt stayed cached');
    assert.equal(await catThroughCache('t6', 'a.txt'), FILES['a.txt']);
    assert.equal(downloads.get('a.txt'), 2, 'a.txt was evicted and downloaded again');
    // 200 bytes never fit a 100-byte cache: fetched straight into the sandbox each time.
    assert.equal(await catThroughCache('t7', 'big.txt'), FILES['big.txt']);
    assert.equal(await catThroughCache('t8', 'big.txt'), FILES['big.txt']);
    assert.equal(downloads.get('big.txt'), 2);
    // Without a Content-Length the size is known only after the download: 150 bytes do not fit either.
    assert.equal(await catThroughCache('t9', 'stream.txt'), FILES['stream.txt']);
    assert.equal(await catThroughCache('t10', 'stream.txt'), FILES['stream.txt']);
    assert.equal(downloads.get('stream.txt'), 2);
    // The small entries are still served from the cache.
    assert.equal(await catThroughCache('t11', 'a.txt'), FILES['a.txt']);
    assert.equal(downloads.get('a.txt'), 2);
    const { flags } = await getJson(`${cluster.agents[0]!.url}/flags`);
    assert.equal(flags.fetcher_cache_size, '100B');
  });
});
