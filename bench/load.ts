// `npm run bench:load`: 1,000 concurrent clients (autocannon) on the master's /master/state and Marathon's /v2/apps,
// with 1,000 event-stream clients attached (Marathon /v2/events and the master's operator SUBSCRIBE, spread over
// many loopback source addresses as real clients would be, so the per-client stream cap applies as in production)
// while a Marathon deployment runs. Real processes on loopback; bounded duration. Prints p50/p99 latency,
// throughput and errors; results go to BENCHMARKS.md by hand. Sizes: BENCH_LOAD_CONNECTIONS (1000),
// BENCH_LOAD_STREAMS (1000), BENCH_LOAD_SECONDS (15 per endpoint).
import os from 'node:os';
import http from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { killSandboxProcesses, startCluster, tempDir, type RoleProcess } from '../test/helpers/processes.ts';
import { api, startMarathonRole } from '../test/helpers/marathon.ts';

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 1000);
const STREAMS = Number(process.env.BENCH_LOAD_STREAMS ?? 1000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
/** Event streams per source address: under the default --max-event-streams-per-client (16). */
const STREAMS_PER_ADDRESS = 10;

interface StreamClient { errors: number; bytes: number; close(): void }

/** Holds `count` event streams open from 127.0.200.x source addresses, counting failures and bytes received. */
async function openStreams(count: number, marathonUrl: string, masterUrl: string): Promise<StreamClient> {
  const state = { errors: 0, bytes: 0 };
  const requests: http.ClientRequest[] = [];
  let closing = false;
  const open = (i: number) => new Promise<void>((resolve) => {
    const sse = i % 2 === 0;
    const u = new URL(sse ? marathonUrl : masterUrl);
    const localAddress = `127.0.${200 + Math.floor(i / STREAMS_PER_ADDRESS / 250)}.${2 + (Math.floor(i / STREAMS_PER_ADDRESS) % 250)}`;
    const req = http.request({
      host: u.hostname, port: u.port, agent: false, localAddress, method: sse ? 'GET' : 'POST', path: sse ? '/v2/events' : '/api/v1',
      headers: sse ? { Accept: 'text/event-stream' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) state.errors++;
      res.on('data', (c: Buffer) => { state.bytes += c.length; });
      res.on('error', () => { if (!closing) state.errors++; });
      res.on('close', () => { if (!closing) state.errors++; });
      resolve();
    });
    req.on('error', () => { if (!closing) state.errors++; resolve(); });
    req.end(sse ? undefined : JSON.stringify({ type: 'SUBSCRIBE' }));
    requests.push(req);
  });
  for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => open(i + k)));
  return { get errors() { return state.errors; }, get bytes() { return state.bytes; }, close() { closing = true; for (const r of requests) r.destroy(); } };
}

interface Row { endpoint: string; requests: number; rps: number; p50: number; p99: number; max: number; throughputMBs: number; errors: number; non2xx: number; timeouts: number; deployment: string }

async function hammer(name: string, url: string, deploy: () => Promise<string>): Promise<Row> {
  const deployment = deploy();
  const kinds = new Map<string, number>();
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: SECONDS, timeout: 30 }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('reqError', (err: NodeJS.ErrnoException) => { const k = err.code ?? err.message; kinds.set(k, (kinds.get(k) ?? 0) + 1); });
  });
  if (kinds.size > 0) console.log(`${name}: errors by kind`, Object.fromEntries(kinds));
  return {
    endpoint: name, requests: r.requests.total, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
    throughputMBs: Number((r.throughput.average / 1048576).toFixed(1)), errors: r.errors, non2xx: r.non2xx, timeouts: r.timeouts, deployment: await deployment,
  };
}

async function main(): Promise<void> {
  const load = () => os.loadavg()[0]!.toFixed(1);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${load()}`);
  const dir = tempDir('trireme-bench-load-');
  const cluster = await startCluster({ agents: 2, agentIpBase: 108, agentArgs: ['--resources', 'cpus:8;mem:8192;disk:5000;ports:[31000-32000]'] });
  let marathon: RoleProcess | undefined;
  let streams: StreamClient | undefined;
  try {
    marathon = await startMarathonRole(cluster.masterAddress, dir.path);
    streams = await openStreams(STREAMS, marathon.url, cluster.master.url);
    console.log(`${STREAMS} event streams attached (${STREAMS_PER_ADDRESS} per source address), errors so far: ${streams.errors}`);
    // Each phase starts a deployment (scale the app) and reports whether it finished while the load ran.
    let instances = 0;
    const deploy = async (): Promise<string> => {
      instances = instances === 0 ? 20 : 0;
      const t0 = performance.now();
      const r = await api(marathon!.url, 'PUT', '/v2/apps/load/app?force=true', { cmd: 'sleep 1000', instances, cpus: 0.05, mem: 16 });
      if (r.status !== 200 && r.status !== 201) return `refused ${r.status}`;
      for (;;) {
        const d = await api(marathon!.url, 'GET', '/v2/deployments');
        if (Array.isArray(d.body) && d.body.length === 0) return `scaled to ${instances} in ${Math.round(performance.now() - t0)} ms`;
        if (performance.now() - t0 > (SECONDS + 90) * 1000) return `not finished in ${SECONDS + 90} s`;
        await new Promise((res) => setTimeout(res, 250));
      }
    };
    const rows: Row[] = [];
    rows.push(await hammer('/master/state', `${cluster.master.url}/master/state`, deploy));
    rows.push(await hammer('/v2/apps', `${marathon.url}/v2/apps`, deploy));
    const streamErrors = streams.errors;
    console.table(rows);
    console.log(`event streams: ${STREAMS} held through both phases, ${streamErrors} errors, ${(streams.bytes / 1048576).toFixed(1)} MB of events received; load ${load()}`);
    console.log(JSON.stringify({ date: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, streams: STREAMS, streamErrors, rows }));
  } finally {
    streams?.close();
    if (marathon) { await api(marathon.url, 'DELETE', '/v2/apps/load/app?force=true').catch(() => undefined); await marathon.stop(); }
    await cluster.stop();
    killSandboxProcesses(cluster.dir);
    dir.remove();
  }
}

await main();
