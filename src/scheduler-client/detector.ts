// Where the masters are. A static list now; the HA issue adds a ZooKeeper detector behind the same interface.

export interface MasterDetector {
  /** Candidate masters as host:port, best first (the leader when known). */
  masters(): Promise<string[]>;
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

export function createDetector(spec: string): MasterDetector {
  if (spec.startsWith('zk://')) throw new Error('ZooKeeper master detection (zk://) is not available yet; give host:port');
  return new StaticMasterDetector(spec);
}
