// Counts open event streams per client address so one client cannot hold an unbounded number of them.

export class ClientStreamLimiter {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerClient: number) {}

  /** Takes a slot for `client`; returns its (idempotent) release, or undefined when the client is at the cap. */
  tryAcquire(client: string): (() => void) | undefined {
    const n = this.open.get(client) ?? 0;
    if (n >= this.maxPerClient) return undefined;
    this.open.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left <= 0) this.open.delete(client);
      else this.open.set(client, left);
    };
  }

  openFor(client: string): number { return this.open.get(client) ?? 0; }

  get total(): number { let n = 0; for (const v of this.open.values()) n += v; return n; }
}
