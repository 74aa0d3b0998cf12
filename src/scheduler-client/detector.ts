// Where the masters are: a static host:port list, or the leading master as recorded in ZooKeeper
// (`zk://h1:2181,h2:2181/mesos`, the json.info_ znodes Mesos masters write). Frameworks and agents use it.
import type { Logger } from 'pino';
import { createLogger } from '../common/logger.ts';
import type { MasterInfo } from '../proto/mesos.ts';
import { LeaderWatch, MESOS_MASTER_PREFIX } from '../state/zookeeper-elector.ts';
import { parseZooKeeperUrl, ZooKeeperSession } from '../state/zookeeper-session.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';

export interface MasterDetector {
  /** Candidate masters as host:port, best first (the leader when known). */
  masters(): Promise<string[]>;
  /** Hears every change of the leading master (host:port, undefined when none); detectors that cannot tell omit it. */
  onChange?(listener: (leader: string | undefined) => void): () => void;
  /** Releases what the detector holds (a ZooKeeper session). */
  close?(): void;
}

export class StaticMasterDetector implements MasterDetector {
  private readonly list: string[];
  constructor(spec: string) {
    this.list = spec.split(',').map((s) => s.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '')).filter(Boolean);
    for (const m of this.list) if (!/^[^:]+:\d+$/.test(m)) throw new Error(`bad master address '${m}': expected host:port`);
    if (this.list.length === 0) throw new Error('no master address given');
  }
  async masters(): Promise<string[]> { return this.list; }
}

/** host:port of a master from its MasterInfo JSON (address first, then the legacy hostname/port fields). */
export function masterAddress(info: unknown): string | undefined {
  const i = info as Partial<MasterInfo> | undefined;
  const host = i?.address?.hostname ?? i?.hostname ?? i?.address?.ip;
  const port = i?.address?.port ?? i?.port;
  return host && port ? `${host}:${port}` : undefined;
}

export interface ZooKeeperDetectorOptions {
  logger?: Logger;
  sessionTimeoutMs?: number;
  /** How long masters() waits for a leader to appear before answering with none (default 2 s). */
  waitMs?: number;
}

/** Follows the leading master's json.info_ znode under the URL's path. */
export class ZooKeeperMasterDetector implements MasterDetector {
  private readonly session: ZooKeeperSession;
  private readonly watch: LeaderWatch;
  private readonly waitMs: number;

  constructor(url: string, opts: ZooKeeperDetectorOptions = {}) {
    const { connectString, path } = parseZooKeeperUrl(url);
    const logger = opts.logger ?? createLogger('detector');
    this.waitMs = opts.waitMs ?? 2000;
    this.session = new ZooKeeperSession(connectString, { sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS, logger });
    this.watch = new LeaderWatch(this.session, path, MESOS_MASTER_PREFIX, logger);
    this.watch.start();
  }

  leader(): string | undefined { return masterAddress(this.watch.current()?.info.data); }

  async masters(): Promise<string[]> {
    let leader = this.leader();
    if (!leader) {
      leader = await new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => { off(); resolve(undefined); }, this.waitMs);
        const off = this.onChange((l) => { if (l) { clearTimeout(timer); off(); resolve(l); } });
      });
    }
    return leader ? [leader] : [];
  }

  onChange(listener: (leader: string | undefined) => void): () => void {
    return this.watch.onChange((l) => listener(masterAddress(l?.info.data)));
  }

  close(): void {
    this.watch.stop();
    this.session.close();
  }
}

export function createDetector(spec: string, logger?: Logger): MasterDetector {
  if (spec.startsWith('zk://')) return new ZooKeeperMasterDetector(spec, { ...(logger ? { logger } : {}) });
  return new StaticMasterDetector(spec);
}
