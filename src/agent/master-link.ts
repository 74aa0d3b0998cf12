// The agent's connection to the master: SUBSCRIBE, read the event stream, POST calls, reconnect with backoff.
import type http from 'node:http';
import type { Logger } from 'pino';
import { RecordIODecoder } from '../common/recordio.ts';
import { AGENT_API_PATH, AGENT_PROTOCOL_VERSION, type AgentCall, type AgentEvent } from '../proto/agent.ts';
import { createDetector, type MasterDetector } from '../scheduler-client/detector.ts';
import { ClientTls, describeTlsError, type Scheme } from '../security/tls.ts';

export interface MasterLinkOptions {
  master: string; // host:port, or zk://host:port,.../mesos to follow the leading master
  logger: Logger;
  /** Builds the SUBSCRIBE call at each (re)connection: agent info, running tasks. */
  subscribeCall(): AgentCall;
  onEvent(event: AgentEvent): void;
  onDisconnected(): void;
  backoffFactorMs: number; // Mesos --registration_backoff_factor (1 s): wait random [0, b·2^n], capped
  maxBackoffMs: number;
  /** The agent's --credential, sent as HTTP Basic on every call (masters with --authenticate-agents require it). */
  authorization?: string;
  /** CA for an HTTPS master and the default scheme (--ca-file, --ssl-cert); default plain HTTP. */
  tls?: ClientTls;
}

export class MasterUnreachableError extends Error {}

export function parseMasterAddress(master: string): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(master.trim());
  if (!m) throw new Error(`bad --master '${master}': expected host:port or zk://host:port,.../mesos`);
  return { host: m[1]!, port: Number(m[2]) };
}

export class MasterLink {
  private streamId?: string;
  private agentId?: string;
  private req?: http.ClientRequest;
  private stopped = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  /** The master of the current (or last) connection attempt. */
  private address: { host: string; port: number };
  private readonly detector?: MasterDetector;
  private unwatch?: () => void;
  private readonly tls: ClientTls;
  /** http or https: written in --master, else the TLS default (zk:// MasterInfo carries no scheme). */
  private readonly scheme: Scheme;
  private readonly agent: http.Agent;

  constructor(private readonly opts: MasterLinkOptions) {
    this.tls = opts.tls ?? ClientTls.none;
    this.scheme = this.tls.schemeOf(opts.master);
    this.agent = this.tls.agent(this.scheme, { keepAlive: true, maxSockets: 4 });
    if (opts.master.startsWith('zk://')) {
      this.detector = createDetector(opts.master, opts.logger);
      this.address = { host: '', port: 0 };
    } else {
      this.address = parseMasterAddress(opts.master);
    }
  }

  private authHeader(): Record<string, string> {
    return this.opts.authorization ? { Authorization: this.opts.authorization } : {};
  }

  get connected(): boolean { return this.streamId !== undefined && this.agentId !== undefined; }

  /** Resolves when the first registration stream is open; rejects if the master cannot be reached at all. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstOpen = () => { this.firstOpen = undefined; this.firstError = undefined; resolve(); };
      // With ZooKeeper there is no single address to give up on: wait for a leader however long it takes.
      if (!this.detector) this.firstError = (err) => { this.firstOpen = undefined; this.firstError = undefined; reject(err); };
      this.unwatch = this.detector?.onChange?.((leader) => {
        const same = leader === `${this.address.host}:${this.address.port}`;
        if (!leader || (same && this.connected)) return;
        // A new (or newly confirmed) leader: go to it now, without the backoff accumulated while there was none.
        this.opts.logger.info({ leader }, 'leading master detected; registering');
        this.attempt = 0;
        if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = undefined; void this.connect(); } else if (!same) this.req?.destroy();
      });
      void this.connect();
    });
  }

  private firstOpen?: () => void;
  private firstError?: (err: Error) => void;

  /** Subscribes to `to`, else to the detected leader; follows one 307 from a master that does not lead. */
  private async connect(to?: { host: string; port: number }, redirects = 0): Promise<void> {
    if (this.stopped) return;
    if (to) this.address = to;
    else if (this.detector) {
      const [leader] = await this.detector.masters().catch(() => []);
      if (this.stopped) return;
      if (!leader) { this.opts.logger.info('no leading master detected yet'); this.scheduleReconnect(); return; }
      try { this.address = parseMasterAddress(leader); } catch (err) {
        this.opts.logger.warn({ leader, err: (err as Error).message }, 'unusable leader address in ZooKeeper');
        this.scheduleReconnect();
        return;
      }
    }
    const body = JSON.stringify({ ...this.opts.subscribeCall(), version: AGENT_PROTOCOL_VERSION });
    const req = this.tls.request(this.scheme, {
      host: this.address.host, port: this.address.port, path: AGENT_API_PATH, method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body), ...this.authHeader() },
    });
    this.req = req;
    let opened = false;
    req.on('response', (res) => {
      const location = res.headers.location;
      if (res.statusCode === 307 && location && redirects < 3) {
        res.resume();
        try { void this.connect(parseMasterAddress(location.replace(/^(https?:)?\/\//, '').split('/')[0]!), redirects + 1); } catch { this.scheduleReconnect(); }
        return;
      }
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => {
          // Refused credentials do not get better by retrying: an agent starting up stops with one line.
          if ((res.statusCode === 401 || res.statusCode === 403) && this.firstError) {
            const hint = this.opts.authorization ? 'check --credential' : 'the master requires --credential';
            this.firstError(new MasterUnreachableError(`master at ${this.address.host}:${this.address.port} refused registration (${res.statusCode}: ${text.trim()}); ${hint}`));
            return;
          }
          this.opts.logger.warn({ status: res.statusCode, body: text }, 'master refused agent subscription');
          this.scheduleReconnect();
        });
        return;
      }
      opened = true;
      this.attempt = 0;
      this.streamId = res.headers['mesos-stream-id'] as string | undefined;
      this.firstOpen?.();
      const decoder = new RecordIODecoder();
      res.on('data', (chunk: Buffer) => {
        try {
          for (const record of decoder.write(chunk)) {
            const event = JSON.parse(record.toString('utf8')) as AgentEvent;
            if (event.type === 'REGISTERED') this.agentId = event.registered.agent_id.value;
            this.opts.onEvent(event);
          }
        } catch (err) {
          this.opts.logger.error({ err }, 'bad event stream from master');
          req.destroy();
        }
      });
      res.on('close', () => this.lost());
    });
    req.on('error', (err) => {
      if (opened) return this.lost();
      const tlsReason = describeTlsError(err);
      if (this.firstError) { this.firstError(new MasterUnreachableError(`cannot reach master at ${this.opts.master}: ${tlsReason ?? (err as NodeJS.ErrnoException).code ?? err.message}`)); return; }
      if (tlsReason) this.opts.logger.warn({ master: `${this.address.host}:${this.address.port}`, err: err.message }, tlsReason);
      else this.opts.logger.debug({ err: err.message }, 'master not reachable');
      this.scheduleReconnect();
    });
    req.end(body);
  }

  private lost(): void {
    if (this.streamId === undefined && this.agentId === undefined) { this.scheduleReconnect(); return; }
    this.streamId = undefined;
    this.opts.onDisconnected();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const ceiling = Math.min(this.opts.backoffFactorMs * 2 ** this.attempt, this.opts.maxBackoffMs);
    this.attempt++;
    const delay = Math.random() * ceiling;
    this.opts.logger.info({ delayMs: Math.round(delay) }, 'reconnecting to master');
    this.retryTimer = setTimeout(() => { this.retryTimer = undefined; void this.connect(); }, delay);
  }

  /** Sends a call on a separate connection; rejects unless the master answers 202. */
  call(call: Omit<AgentCall, 'agent_id'>): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected to the master'));
    const body = JSON.stringify({ ...call, agent_id: { value: this.agentId } });
    return new Promise((resolve, reject) => {
      const req = this.tls.request(this.scheme, {
        host: this.address.host, port: this.address.port, path: AGENT_API_PATH, method: 'POST', agent: this.agent,
        headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.streamId!, 'Content-Length': Buffer.byteLength(body), ...this.authHeader() },
      }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`master answered ${res.statusCode}: ${text}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Drops the current stream (e.g. the master asked us to re-register) and reconnects. */
  reconnect(): void {
    this.req?.destroy();
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.detector?.close?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.req?.destroy();
    this.agent.destroy();
  }
}
