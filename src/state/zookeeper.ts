// One call that turns a role's `--zk zk://h1:2181,h2:2181,h3:2181/<path>` into its Store and LeaderElector,
// sharing one ZooKeeper session. Layout under <path>:
//   master (Mesos's):  <path>/json.info_NNNNNNNNNN  election znodes;  <path>/state/...  the registry
//   other roles:       <path>/leader/<prefix>NNNNNNNNNN              <path>/state/...  the role's state
import type { Logger } from 'pino';
import type { LeaderElector } from './leader.ts';
import type { Store } from './store.ts';
import { MESOS_MASTER_PREFIX, ZooKeeperLeaderElector } from './zookeeper-elector.ts';
import { parseZooKeeperUrl, ZooKeeperSession } from './zookeeper-session.ts';
import { ZooKeeperStore } from './zookeeper-store.ts';

/** Mesos's --zk_session_timeout default. */
export const DEFAULT_ZK_SESSION_TIMEOUT_MS = 10_000;

/** How long Marathon and Chronos wait for the ensemble at start-up before refusing to start. */
export const ZK_CONNECT_TIMEOUT_MS = 30_000;

export interface ZooKeeperStateOptions {
  sessionTimeoutMs?: number;
  logger: Logger;
  /** 'mesos-master' puts election znodes directly under the path, as Mesos masters do. */
  layout: 'mesos-master' | 'role';
  /** Election znode name prefix for layout 'role' (default 'member_'). */
  electionPrefix?: string;
}

export interface ZooKeeperState {
  session: ZooKeeperSession;
  store: Store;
  elector: LeaderElector;
  /** Closes the store and the session (the elector should be stopped first). */
  close(): Promise<void>;
}

/** Parses the URL (throws a message naming it when malformed) and starts connecting; does not wait. */
export function openZooKeeperState(url: string, opts: ZooKeeperStateOptions): ZooKeeperState {
  const { connectString, path } = parseZooKeeperUrl(url);
  const session = new ZooKeeperSession(connectString, { sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS, logger: opts.logger });
  session.start();
  const store = new ZooKeeperStore(session, `${path}/state`);
  const elector = opts.layout === 'mesos-master'
    ? new ZooKeeperLeaderElector(session, path || '/', { prefix: MESOS_MASTER_PREFIX, logger: opts.logger })
    : new ZooKeeperLeaderElector(session, `${path}/leader`, { prefix: opts.electionPrefix ?? 'member_', logger: opts.logger });
  return {
    session, store, elector,
    async close() {
      await store.close();
      session.close();
    },
  };
}
