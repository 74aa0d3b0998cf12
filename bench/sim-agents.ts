// Simulated agents for the benches: each opens a real agent subscription (`POST /api/v1/agent`) from this
// process, answers PINGs, records the tasks it is asked to run and can report them TASK_RUNNING.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseResources } from '../src/common/resources.ts';
import { RecordIODecoder } from '../src/common/recordio.ts';

export function post(port: number, path: string, body: object, headers: Record<string, string> = {}, agent?: http.Agent): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
    req.end(data);
  });
}

export interface SimAgents {
  /** Reports every launched task TASK_RUNNING (as an executor would), then waits for all acknowledgements. */
  reportRunning(): Promise<void>;
  close(): void;
}

/** Opens N agent subscriptions with the real protocol; counts RUN_TASK events and answers PINGs. */
/** `wave`: subscriptions opened per 25 ms (smaller waves for a loaded machine, whose master accepts slower). */
export async function simulateAgents(port: number, n: number, onRunTask: () => void, wave = 250): Promise<SimAgents> {
  const launched: Array<{ agentId: string; streamId: string; frameworkId: string; taskId: string }> = [];
  let acks = 0;
  let onAck = (): void => undefined;
  const reqs: http.ClientRequest[] = [];
  const callAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const resources = parseResources('cpus:4;mem:8192;disk:10000;ports:[31000-32000]').toJSON();
  let registered = 0;
  await new Promise<void>((resolveAll, rejectAll) => {
    let started = 0;
    const openOne = (i: number, attempt = 0) => {
      let registeredThis = false;
      const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { agent_info: { hostname: `sim-${i}.local`, port: 5051, resources, attributes: [] }, tasks: [], frameworks: [] } });
      const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/agent', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.on('error', () => undefined); // streams are torn down at the end of the run
        const streamId = String(res.headers['mesos-stream-id']);
        let agentId = '';
        const decoder = new RecordIODecoder();
        res.on('data', (chunk: Buffer) => {
          for (const rec of decoder.write(chunk)) {
            const e = JSON.parse(rec.toString());
            if (e.type === 'REGISTERED') { agentId = e.registered.agent_id.value; registeredThis = true; if (++registered === n) resolveAll(); }
            else if (e.type === 'RUN_TASK') { launched.push({ agentId, streamId, frameworkId: e.run_task.framework_id.value, taskId: e.run_task.task.task_id.value }); onRunTask(); }
            else if (e.type === 'ACKNOWLEDGE') { acks++; onAck(); }
            else if (e.type === 'PING') void post(port, '/api/v1/agent', { type: 'PONG', agent_id: { value: agentId } }, { 'Mesos-Stream-Id': streamId }, callAgent).catch(() => undefined);
          }
        });
      });
      // A loaded master may reset a connection before it accepts it: try that agent again a few times.
      req.on('error', (err) => {
        if (registeredThis || registered >= n) return;
        if (attempt < 5) setTimeout(() => openOne(i, attempt + 1), 200 * (attempt + 1));
        else rejectAll(err);
      });
      reqs.push(req);
      req.end(body);
    };
    // Open in waves so the listen backlog is not overrun.
    const openWave = () => { for (let k = 0; k < wave && started < n; k++) openOne(started++); if (started < n) setTimeout(openWave, 25); };
    openWave();
  });
  return {
    async reportRunning() {
      const allAcked = new Promise<void>((resolve) => { onAck = () => { if (acks >= launched.length) resolve(); }; });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < launched.length) {
          const t = launched[next++]!;
          const status = { task_id: { value: t.taskId }, state: 'TASK_RUNNING', uuid: randomUUID(), source: 'SOURCE_EXECUTOR', timestamp: Date.now() / 1000, container_status: { executor_pid: 4242 } };
          await post(port, '/api/v1/agent', { type: 'UPDATE', agent_id: { value: t.agentId }, update: { framework_id: { value: t.frameworkId }, status } }, { 'Mesos-Stream-Id': t.streamId }, callAgent).catch(() => undefined);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      await Promise.race([allAcked, new Promise((r) => setTimeout(r, 120_000))]);
      if (acks < launched.length) console.error(`only ${acks}/${launched.length} TASK_RUNNING updates were acknowledged`);
    },
    close() { for (const r of reqs) r.destroy(); callAgent.destroy(); },
  };
}

