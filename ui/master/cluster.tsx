// Keeps one ClusterModel for the whole console, fed by the master's operator event stream (POST /api/v1
// SUBSCRIBE). Components read it through useCluster(); re-renders are batched so a burst of thousands of events
// renders a few times, not thousands.
import { createContext, useContext, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useRecordIOStream } from '../shared/useRecordIOStream.ts';
import { api } from '../shared/api.ts';
import { ClusterModel, type OperatorEvent } from './model.ts';

const RENDER_EVERY_MS = 150;

class ClusterSource {
  readonly model = new ClusterModel();
  connected = false;
  /** host:port of the leading master the event stream comes from (a standby forwards to it). */
  leader: string | undefined;
  private listeners = new Set<() => void>();
  private pending: ReturnType<typeof setTimeout> | undefined;
  private snapshot: { version: number; connected: boolean; leader?: string | undefined } = { version: 0, connected: false };

  subscribe = (l: () => void): (() => void) => { this.listeners.add(l); return () => this.listeners.delete(l); };
  getSnapshot = (): { version: number; connected: boolean; leader?: string | undefined } => this.snapshot;

  apply(event: OperatorEvent): void {
    if (!this.model.apply(event)) return;
    // The first full state shows at once; later changes are batched.
    if (event.type === 'SUBSCRIBED') this.flush();
    else this.pending ??= setTimeout(() => this.flush(), RENDER_EVERY_MS);
  }

  setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.flush();
    // After every (re)connect: which master leads now (it may have changed while the stream was down).
    if (connected) void leadingMaster().then((leader) => { this.leader = leader; this.flush(); }, () => undefined);
  }

  private flush(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.snapshot = { version: this.model.version, connected: this.connected, leader: this.leader };
    for (const l of this.listeners) l();
  }
}

/** The leading master's host:port (GET_MASTER answered by the leader, directly or through a standby). */
async function leadingMaster(): Promise<string | undefined> {
  const res = await api<{ get_master?: { master_info?: { hostname?: string; port?: number; address?: { hostname?: string; ip?: string; port?: number } } } }>(
    '/api/v1', { method: 'POST', body: { type: 'GET_MASTER' } });
  const info = res.get_master?.master_info;
  const host = info?.hostname ?? info?.address?.hostname ?? info?.address?.ip;
  const port = info?.port ?? info?.address?.port;
  return host && port ? `${host}:${port}` : undefined;
}

const Context = createContext<ClusterSource | undefined>(undefined);

export function ClusterProvider({ children }: { children: ReactNode }) {
  const source = useRef<ClusterSource>(undefined);
  source.current ??= new ClusterSource();
  const s = source.current;
  useRecordIOStream<OperatorEvent>('/api/v1', { type: 'SUBSCRIBE' }, {
    onEvent: (e) => s.apply(e),
    onConnection: (c) => s.setConnected(c),
    // The master sends a HEARTBEAT every 15 s.
    idleTimeoutMs: 40_000,
  });
  return <Context.Provider value={s}>{children}</Context.Provider>;
}

export interface ClusterView {
  model: ClusterModel;
  /** Changes whenever the model did: memoise derived lists on it. */
  version: number;
  connected: boolean;
  /** host:port of the leading master, once known. */
  leader: string | undefined;
  /** The first SUBSCRIBED arrived. */
  ready: boolean;
}

export function useCluster(): ClusterView {
  const source = useContext(Context);
  if (!source) throw new Error('useCluster outside ClusterProvider');
  const snap = useSyncExternalStore(source.subscribe, source.getSnapshot);
  return useMemo(() => ({ model: source.model, version: snap.version, connected: snap.connected, leader: snap.leader, ready: source.model.subscribed }), [source, snap]);
}

/** "Live" / "Reconnecting…" for the header. */
export function LiveBadge() {
  const { connected, ready, leader } = useCluster();
  return (
    <>
      {leader && <span className="leader muted small" data-testid="leader" title="The leading master this console's data comes from">leader {leader}</span>}
      {connected
        ? <span className="badge ok" role="status" data-testid="live">live</span>
        : <span className="badge warn" role="status">{ready ? 'reconnecting…' : 'connecting…'}</span>}
    </>
  );
}
