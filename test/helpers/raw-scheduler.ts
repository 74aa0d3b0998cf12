// A deliberately raw Mesos v1 scheduler client for end-to-end tests: node:http and its own RecordIO
// parsing, nothing from src/, so the tests check the wire protocol as any third-party framework sees it.
import http from 'node:http';

export interface Event { type: string; [k: string]: any }

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; text: string }

export function post(address: string, path: string, body: string | object, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST'): Promise<RawResponse> {
  const [host, port] = address.split(':');
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), path, method, headers: { ...headers, 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

export class RawScheduler {
  readonly events: Event[] = [];
  frameworkId = '';
  streamId = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  private waiters: Array<() => void> = [];
  private req?: http.ClientRequest;
  closed = false;

  /** `requestHeaders` go on every request (e.g. Authorization for a master with --authenticate-frameworks). */
  constructor(readonly master: string, readonly requestHeaders: Record<string, string> = {}) {}

  /** POSTs SUBSCRIBE and resolves after the first event (SUBSCRIBED or ERROR) arrived. */
  subscribe(frameworkInfo: object, extra: object = {}): Promise<Event> {
    const [host, port] = this.master.split(':');
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo, ...extra } });
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port: Number(port), path: '/api/v1/scheduler', method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...this.requestHeaders } }, (res) => {
        this.status = res.statusCode!;
        this.headers = res.headers;
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => reject(new Error(`SUBSCRIBE → ${res.statusCode}: ${text}`)));
          return;
        }
        this.streamId = String(res.headers['mesos-stream-id'] ?? '');
        let buf = Buffer.alloc(0);
        res.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          for (;;) {
            const nl = buf.indexOf(10);
            if (nl < 0) break;
            const len = Number(buf.subarray(0, nl).toString());
            if (buf.length < nl + 1 + len) break;
            const event = JSON.parse(buf.subarray(nl + 1, nl + 1 + len).toString()) as Event;
            buf = buf.subarray(nl + 1 + len);
            if (event.type === 'SUBSCRIBED') this.frameworkId = event.subscribed.framework_id.value;
            this.events.push(event);
            if (this.events.length === 1) resolve(event);
            for (const w of this.waiters.splice(0)) w();
          }
        });
        res.on('close', () => { this.closed = true; for (const w of this.waiters.splice(0)) w(); });
      });
      req.on('error', (err) => { if (!this.closed) reject(err); });
      this.req = req;
      req.end(body);
    });
  }

  /** Waits for the first event (at or after index `from`) matching `pred`. */
  async waitFor(pred: (e: Event) => boolean, timeoutMs = 15_000, from = 0): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`event not seen in ${timeoutMs} ms; got: ${this.events.map((e) => e.type + (e.update ? `(${e.update.status.task_id.value}:${e.update.status.state})` : '')).join(', ')}`);
      await new Promise<void>((r) => { const t = setTimeout(r, 100); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  updates(taskId: string): Event['update']['status'][] {
    return this.events.filter((e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId).map((e) => e.update.status);
  }

  waitForUpdate(taskId: string, state: string, timeoutMs = 15_000): Promise<any> {
    return this.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId && e.update.status.state === state, timeoutMs).then((e) => e.update.status);
  }

  /** Offers received so far that were not rescinded or used. */
  async nextOffers(from = 0, timeoutMs = 15_000): Promise<any[]> {
    const e = await this.waitFor((ev) => ev.type === 'OFFERS', timeoutMs, from);
    return e.offers.offers;
  }

  call(body: object, headers: Record<string, string> = {}): Promise<RawResponse> {
    return post(this.master, '/api/v1/scheduler', { framework_id: { value: this.frameworkId }, ...body }, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.streamId, ...this.requestHeaders, ...headers });
  }

  async ack(status: any): Promise<void> {
    if (!status.uuid) return;
    const r = await this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    if (r.status !== 202) throw new Error(`ACKNOWLEDGE → ${r.status}: ${r.text}`);
  }

  /** Acknowledges every update with a uuid as it arrives. */
  autoAck(): void {
    let seen = 0;
    const loop = async () => {
      while (!this.closed) {
        for (; seen < this.events.length; seen++) {
          const e = this.events[seen]!;
          if (e.type === 'UPDATE' && e.update.status.uuid) await this.ack(e.update.status).catch(() => undefined);
        }
        await new Promise<void>((r) => { const t = setTimeout(r, 200); this.waiters.push(() => { clearTimeout(t); r(); }); });
      }
    };
    void loop();
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
    for (const w of this.waiters.splice(0)) w();
  }

  private readonly usedOffers = new Set<string>();

  /** Launches a command task on the next offer this helper has not used yet (waiting for one); returns its agent id. */
  async launchCommand(id: string, cmd: string, resources = 'cpus:0.1;mem:32'): Promise<{ value: string }> {
    const e = await this.waitFor((ev) => ev.type === 'OFFERS' && ev.offers.offers.some((o: any) => !this.usedOffers.has(o.id.value)));
    const offer = e.offers.offers.find((o: any) => !this.usedOffers.has(o.id.value));
    this.usedOffers.add(offer.id.value);
    const r = await this.call(launch([offer.id.value], [commandTask(id, offer.agent_id.value, cmd, resources)], { refuse_seconds: 0 }));
    if (r.status !== 202) throw new Error(`ACCEPT → ${r.status}: ${r.text}`);
    return offer.agent_id;
  }
}

export function commandTask(id: string, agentId: string, cmd: string, resources = 'cpus:0.1;mem:32', extra: object = {}): object {
  const res = resources.split(';').map((p) => { const [name, v] = p.split(':'); return { name, type: 'SCALAR', scalar: { value: Number(v) } }; });
  return { name: id, task_id: { value: id }, agent_id: { value: agentId }, resources: res, command: { value: cmd }, ...extra };
}

export function launch(offerIds: string[], tasks: object[], filters?: object): object {
  return { type: 'ACCEPT', accept: { offer_ids: offerIds.map((value) => ({ value })), operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], ...(filters ? { filters } : {}) } };
}
