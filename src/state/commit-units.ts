// Committing many small atomic units through a Store whose transactions are bounded (ZooKeeper refuses a
// multi-operation over about 1 MB): units are packed, in order, into as few transactions as the store's limits
// allow. A unit — the operations one change needs together, such as an app and its version entry — is never split.
import type { Store, StoreOp, TransactionLimits } from './store.ts';

/** Bytes an operation adds to a transaction: its key, its value as JSON text (as the stores encode it), framing. */
export function opBytes(op: StoreOp): number {
  const value = op.op === 'put' ? Buffer.byteLength(JSON.stringify(op.value) ?? '') : 0;
  return Buffer.byteLength(op.key) + value + 32;
}

/**
 * The transactions to commit, in order: consecutive units share one while it stays within `limits`. A unit larger
 * than the limits on its own goes alone (the store then refuses it, naming the key).
 */
export function packUnits(units: readonly StoreOp[][], limits: TransactionLimits, sizeOf: (op: StoreOp) => number = opBytes): StoreOp[][] {
  const out: StoreOp[][] = [];
  let current: StoreOp[] = [];
  let bytes = 0;
  for (const unit of units) {
    if (unit.length === 0) continue;
    const unitBytes = unit.reduce((sum, op) => sum + sizeOf(op), 0);
    if (current.length > 0 && (current.length + unit.length > limits.maxOps || bytes + unitBytes > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(...unit);
    bytes += unitBytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Why `store` would refuse `record` (over its per-value limit: ZooKeeper's 1 MB), or undefined when it fits; `what`
 * names the record in the message. Writers ask before they change anything in memory.
 */
export function recordTooLarge(store: Store, record: unknown, what: string): string | undefined {
  const limit = store.transactionLimits?.maxValueBytes;
  if (limit === undefined) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(record));
  return bytes > limit ? `${what} is ${bytes} bytes; the state store holds at most ${limit} bytes per record` : undefined;
}

/** Commits the units: one transaction where the store has no limits, else as packUnits packs them. */
export async function commitUnits(store: Store, units: readonly StoreOp[][]): Promise<void> {
  const limits = store.transactionLimits;
  if (!limits) {
    const all = units.flat();
    if (all.length > 0) await store.transaction(all);
    return;
  }
  for (const tx of packUnits(units, limits)) await store.transaction(tx);
}
