// The typed, reconnecting client of the Mesos v1 Scheduler HTTP API. Marathon, Chronos and third-party
// frameworks use it: subscribe, follow the leader (307), re-subscribe with the framework id after any
// break, acknowledge updates, reconcile known tasks after every (re)subscription.
import type http from 'node:http';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RecordIODecoder } from '../common/recordio.ts';
import type { FrameworkInfo, MasterInfo, Offer, Operation, TaskInfo, TaskStatus } from '../proto/mesos.ts';
import { createDetector, type MasterDetector } from './detector.ts';
import { basicAuthorization } from '../security/authenticator.ts';
import { ClientTls, describeTlsError, type Scheme } from '../security/tls.ts';

export interface SchedulerClientOptions {
  /** "host:port", "http://host:port", a comma list of them (tried in turn), or zk://host:port,.../mesos. */
  master: string | MasterDetector;
  frameworkInfo: FrameworkInfo;
  logger?: Logger;
  /** Acknowledge every update that has a uuid once the 'update' listeners ran (default true). */
  autoAcknowledge?: boolean;
  reconnectBackoffMs?: { min: number; max: number };
  heartbeatMissesBeforeReconnect?: number;
  suppressedRoles?: string[];
  /**
   * The framework's principal (into FrameworkInfo.principal unless that names one already) and, for a master
   * with --authenticate-frameworks, its secret, sent as HTTP Basic on every call.
   */
  credential?: { principal: string; secret?: string };
  /** CA to verify HTTPS masters against, and the default scheme (see src/security/tls.ts). Default: plain HTTP. */
  tls?: ClientTls;
  /** http or https for the masters; default: the scheme written in `master`, else the tls default. */
  scheme?: Scheme;
}

export interface SubscribedInfo { frameworkId: string; heartbeatIntervalSeconds: number; masterInfo?: MasterInfo; reconnected: boolean }

export interface SchedulerEvents {
  subscribed: [SubscribedInfo];
  offers: [Offer[]];
  rescind: [string];
  update: [TaskStatus];
  message: [{ agentId: string; executorId: string; data: Buffer }];
  failure: [{ agentId?: string; executorId?: string; status?: number }];
  error: [string];
  heartbeat: [];
  disconnected: [];
}

export class SchedulerCallError extends Error {
  constructor(readonly status: number, readonly body: string, call: string) {
    super(`${call} answered ${status}: ${body}`);
  }
}

type TaskRef = { task_id: { value: string }; agent_id?: { value: string } };

export class SchedulerClient extends EventEmitter<SchedulerEvents> {
  private detector: MasterDetector;
  /** Built from a string address by this client, so it is closed on stop() and rebuilt on a later start(). */
  private readonly ownsDetector: boolean;
  private detectorClosed = false;
  private unwatchDetector?: () => void;
  private info: FrameworkInfo;
  private current?: string; // host:port we are subscribed to
  private streamId?: string;
  private req?: http.ClientRequest;
  private stopped = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private heartbeatMs = 15_000;
  private everSubscribed = false;
  private knownTasks?: () => TaskRef[];
  private unreconciled = new Map<string, TaskRef>();
  private reconcileTimer?: NodeJS.Timeout;
  private readonly tls: ClientTls;
  private readonly scheme: Scheme;
  private readonly agent: http.Agent;

  constructor(private readonly opts: SchedulerClientOptions) {
    super();
    this.tls = opts.tls ?? ClientTls.none;
    this.scheme = opts.scheme ?? (typeof opts.master === 'string' ? this.tls.schemeOf(opts.master) : this.tls.defaultScheme);
    this.agent = this.tls.agent(this.scheme, { keepAlive: true, maxSockets: 8 });
    this.ownsDetector = typeof opts.master === 'string';
    this.detector = typeof opts.master === 'string' ? createDetector(opts.master, opts.logger) : opts.master;
    this.info = { ...opts.frameworkInfo, ...(opts.credential && !opts.frameworkInfo.principal ? { principal: opts.credential.principal } : {}) };
    this.authHeader = opts.credential?.secret !== undefined ? { Authorization: basicAuthorization(opts.credential.principal, opts.credential.secret) } : {};
  }

  private readonly authHeader: Record<string, string>;

  get frameworkId(): string | undefined { return this.info.id?.value; }
  get connected(): boolean { return this.streamId !== undefined; }
  /** host:port of the master this client is subscribed to (or trying), if any. */
  get masterAddress(): string | undefined { return this.current; }

  /** Tasks to reconcile explicitly after each (re)subscription. */
  setKnownTasks(fn: () => TaskRef[]): void { this.knownTasks = fn; }

  start(): void {
    this.stopped = false;
    // A new leader elsewhere: leave the old master at once rather than waiting for its stream to break.
    if (this.detectorClosed && typeof this.opts.master === 'string') {
      this.detector = createDetector(this.opts.master, this.opts.logger);
      this.detectorClosed = false;
    }
    this.unwatchDetector ??= this.detector.onChange?.((leader) => {
      const same = leader === this.current;
      if (!leader || (same && this.connected)) return;
      this.log('info', { leader, previous: this.current }, 'leading master detected; subscribing');
      this.attempt = 0;
      if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = undefined; void this.subscribe(); } else if (!same) this.req?.destroy();
    });
    void this.subscribe();
  }

  async stop(opts: { teardown?: boolean } = {}): Promise<void> {
    if (opts.teardown && this.connected) await this.teardown().catch(() => undefined);
    this.stopped = true;
    this.unwatchDetector?.();
    this.unwatchDetector = undefined;
    if (this.ownsDetector && !this.detectorClosed) { this.detector.close?.(); this.detectorClosed = true; }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.req?.destroy();
    this.streamId = undefined;
    this.agent.destroy();
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    let candidates: string[];
    try { candidates = await this.detector.masters(); } catch (err) { this.log('warn', { err: (err as Error).message }, 'no master detected'); this.scheduleReconnect(); return; }
    const target = candidates[this.attempt % Math.max(1, candidates.length)];
    if (!target) { this.scheduleReconnect(); return; }
    this.open(target, 0);
  }

  private open(address: string, redirects: number): void {
    const [host, port] = splitAddress(address);
    const body = JSON.stringify({
      type: 'SUBSCRIBE', ...(this.info.id ? { framework_id: this.info.id } : {}),
      subscribe: { framework_info: this.info, ...(this.opts.suppressedRoles ? { suppressed_roles: this.opts.suppressedRoles } : {}) },
    });
    const req = this.tls.request(this.scheme, { host, port, path: '/api/v1/scheduler', method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body), ...this.authHeader } });
    this.req = req;
    req.on('response', (res) => {
      if (res.statusCode === 307 && res.headers.location && redirects < 5) {
        res.resume();
        const loc = res.headers.location.replace(/^(https?:)?\/\//, '').split('/')[0]!;
        this.open(loc, redirects + 1);
        return;
      }
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => { this.log('warn', { status: res.statusCode, body: text }, 'subscription refused'); this.scheduleReconnect(); });
        return;
      }
      this.current = address;
      this.streamId = String(res.headers['mesos-stream-id'] ?? '');
      const decoder = new RecordIODecoder();
      res.on('data', (chunk: Buffer) => {
        try {
          for (const record of decoder.write(chunk)) this.dispatch(JSON.parse(record.toString('utf8')));
        } catch (err) {
          this.log('error', { err: (err as Error).message }, 'bad event stream');
          req.destroy();
        }
      });
      res.on('close', () => this.lost());
    });
    req.on('error', (err) => {
      // A certificate problem will not go away by retrying quietly: say so at warn level, with the fix.
      const tlsReason = describeTlsError(err);
      if (tlsReason) this.log('warn', { master: address, err: err.message }, tlsReason);
      else this.log('debug', { err: err.message }, 'master connection failed');
      this.lost();
    });
    req.end(body);
  }

  private lost(): void {
    const wasConnected = this.streamId !== undefined;
    this.streamId = undefined;
    if (this.watchdog) clearTimeout(this.watchdog);
    if (wasConnected) this.emit('disconnected');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const { min, max } = this.opts.reconnectBackoffMs ?? { min: 500, max: 15_000 };
    const ceiling = Math.min(max, min * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    const delay = min / 2 + Math.random() * (ceiling - min / 2);
    this.retryTimer = setTimeout(() => { this.retryTimer = undefined; void this.subscribe(); }, delay);
  }

  /** A silent stream (no event for `misses` heartbeats) is treated as broken. */
  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    const misses = this.opts.heartbeatMissesBeforeReconnect ?? 5;
    this.watchdog = setTimeout(() => { this.log('warn', {}, 'no heartbeat from master; reconnecting'); this.req?.destroy(); }, this.heartbeatMs * misses);
    this.watchdog.unref();
  }

  private dispatch(event: any): void {
    this.armWatchdog();
    switch (event.type) {
      case 'SUBSCRIBED': {
        const s = event.subscribed;
        const reconnected = this.everSubscribed;
        this.everSubscribed = true;
        this.attempt = 0;
        this.info = { ...this.info, id: s.framework_id };
        this.heartbeatMs = (s.heartbeat_interval_seconds ?? 15) * 1000;
        this.armWatchdog();
        this.emit('subscribed', { frameworkId: s.framework_id.value, heartbeatIntervalSeconds: s.heartbeat_interval_seconds, masterInfo: s.master_info, reconnected });
        this.startReconciliation(this.knownTasks?.() ?? []);
        return;
      }
      case 'OFFERS': this.emit('offers', event.offers.offers ?? []); return;
      case 'RESCIND': this.emit('rescind', event.rescind.offer_id.value); return;
      case 'UPDATE': {
        const status = event.update.status as TaskStatus;
        this.unreconciled.delete(status.task_id.value);
        this.emit('update', status);
        if ((this.opts.autoAcknowledge ?? true) && status.uuid && status.agent_id) {
          this.acknowledge(status.agent_id.value, status.task_id.value, status.uuid).catch((err) => this.log('warn', { err: err.message }, 'acknowledge failed'));
        }
        return;
      }
      case 'MESSAGE': this.emit('message', { agentId: event.message.agent_id.value, executorId: event.message.executor_id.value, data: Buffer.from(event.message.data ?? '', 'base64') }); return;
      case 'FAILURE': this.emit('failure', { agentId: event.failure.agent_id?.value, executorId: event.failure.executor_id?.value, status: event.failure.status }); return;
      case 'ERROR':
        // The master refused us (e.g. "Framework has been removed"): do not retry forever.
        this.emit('error', event.error.message);
        this.stopped = true;
        this.req?.destroy();
        return;
      case 'HEARTBEAT': this.emit('heartbeat'); return;
    }
  }

  /**
   * Explicit reconciliation of the tasks we know, repeated with backoff until each has an update: the master stays
   * silent about tasks on agents that have not re-registered yet after its failover (Mesos' reconciliation guide).
   */
  private startReconciliation(tasks: TaskRef[]): void {
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.unreconciled = new Map(tasks.map((t) => [t.task_id.value, t]));
    let delay = 1000;
    const round = (): void => {
      if (this.unreconciled.size === 0 || !this.connected) return;
      this.reconcile([...this.unreconciled.values()]).catch((err) => this.log('warn', { err: err.message }, 'reconcile failed'));
      this.reconcileTimer = setTimeout(round, delay);
      this.reconcileTimer.unref();
      delay = Math.min(delay * 2, 30_000);
    };
    round();
  }

  /** Sends a call to the master we are subscribed to; resolves on 202 (or 200 for UPDATE_FRAMEWORK). */
  async call(type: string, payload?: object): Promise<void> {
    if (!this.connected || !this.current || !this.info.id) throw new Error(`cannot send ${type}: not subscribed to a master`);
    const body = JSON.stringify({ type, framework_id: this.info.id, ...(payload ? { [type.toLowerCase()]: payload } : {}) });
    const [host, port] = splitAddress(this.current);
    await new Promise<void>((resolve, reject) => {
      const req = this.tls.request(this.scheme, { host, port, path: '/api/v1/scheduler', method: 'POST', agent: this.agent, headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.streamId!, 'Content-Length': Buffer.byteLength(body), ...this.authHeader } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => (res.statusCode === 202 || res.statusCode === 200 ? resolve() : reject(new SchedulerCallError(res.statusCode ?? 0, text, type))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  accept(offerIds: string[], operations: Operation[], filters?: { refuse_seconds?: number }): Promise<void> {
    return this.call('ACCEPT', { offer_ids: offerIds.map((value) => ({ value })), operations, ...(filters ? { filters } : {}) });
  }
  launch(offerIds: string[], tasks: TaskInfo[], filters?: { refuse_seconds?: number }): Promise<void> {
    return this.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters);
  }
  decline(offerIds: string[], filters?: { refuse_seconds?: number }): Promise<void> {
    return this.call('DECLINE', { offer_ids: offerIds.map((value) => ({ value })), ...(filters ? { filters } : {}) });
  }
  revive(roles?: string[]): Promise<void> { return this.call('REVIVE', roles ? { roles } : {}); }
  suppress(roles?: string[]): Promise<void> { return this.call('SUPPRESS', roles ? { roles } : {}); }
  kill(taskId: string, agentId?: string, gracePeriodSeconds?: number): Promise<void> {
    return this.call('KILL', { task_id: { value: taskId }, ...(agentId ? { agent_id: { value: agentId } } : {}), ...(gracePeriodSeconds !== undefined ? { kill_policy: { grace_period: { nanoseconds: Math.round(gracePeriodSeconds * 1e9) } } } : {}) });
  }
  shutdown(executorId: string, agentId: string): Promise<void> { return this.call('SHUTDOWN', { executor_id: { value: executorId }, agent_id: { value: agentId } }); }
  acknowledge(agentId: string, taskId: string, uuid: string): Promise<void> {
    return this.call('ACKNOWLEDGE', { agent_id: { value: agentId }, task_id: { value: taskId }, uuid });
  }
  reconcile(tasks: TaskRef[] = []): Promise<void> { return this.call('RECONCILE', { tasks }); }
  message(agentId: string, executorId: string, data: Buffer | string): Promise<void> {
    return this.call('MESSAGE', { agent_id: { value: agentId }, executor_id: { value: executorId }, data: Buffer.from(data).toString('base64') });
  }
  teardown(): Promise<void> { return this.call('TEARDOWN'); }
  request(): Promise<void> { return this.call('REQUEST', { requests: [] }); }

  private log(level: 'debug' | 'info' | 'warn' | 'error', obj: object, msg: string): void {
    this.opts.logger?.[level](obj, msg);
  }
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
