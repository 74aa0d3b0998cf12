// Pure part of the fetcher cache's space accounting (--fetcher-cache-size), following Mesos' fetcher: a new entry
// gets its space by evicting the least recently used entries that no fetch is using; an entry bigger than the whole
// cache, or one that cannot get enough space, is fetched straight into the sandbox instead (never an error).

export interface CacheEntryView {
  key: string;
  /** Bytes the entry takes (its file's size once downloaded, the announced size while downloading). */
  size: number;
  /** Larger = used more recently. */
  lastUsed: number;
  /** A fetch is downloading or copying it: it cannot be evicted now. */
  inUse: boolean;
}

export type Reservation =
  | { kind: 'cache'; evict: string[] }
  | { kind: 'bypass'; reason: string };

/** Where a new entry of `size` bytes goes given the cache's entries and capacity, and what it evicts. */
export function planReservation(entries: readonly CacheEntryView[], capacity: number, size: number): Reservation {
  if (size > capacity) return { kind: 'bypass', reason: `${size} bytes is more than the whole fetcher cache (${capacity} bytes)` };
  let used = entries.reduce((sum, e) => sum + e.size, 0);
  const evict: string[] = [];
  const candidates = entries.filter((e) => !e.inUse).sort((a, b) => a.lastUsed - b.lastUsed);
  for (const e of candidates) {
    if (used + size <= capacity) break;
    evict.push(e.key);
    used -= e.size;
  }
  if (used + size > capacity) return { kind: 'bypass', reason: `the fetcher cache cannot make room for ${size} bytes: its other entries are in use` };
  return { kind: 'cache', evict };
}
