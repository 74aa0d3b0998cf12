// Resource math shared by the master, the allocator, the agent and the frameworks.
// Semantics follow Mesos: scalars are fixed point with three decimals, ranges are inclusive
// and merged, sets are unordered; resources are identified by name, type and reservation role.

export type ValueType = 'SCALAR' | 'RANGES' | 'SET';

export interface RangeJSON { begin: number; end: number }

export interface ResourceJSON {
  name: string;
  type: ValueType;
  scalar?: { value: number };
  ranges?: { range: RangeJSON[] };
  set?: { item: string[] };
  role?: string;
  reservations?: Array<{ type?: string; role: string; principal?: string }>;
  allocation_info?: { role: string };
  /** Other Mesos fields (disk, revocable, provider_id...) pass through untouched. */
  [field: string]: unknown;
}

export type Range = [number, number];

interface Entry {
  name: string;
  type: ValueType;
  role: string;
  scalar: number;
  ranges: Range[];
  set: Set<string>;
}

/** Mesos stores scalars as int64 thousandths; rounding here keeps 0.1 + 0.2 == 0.3. */
export function roundScalar(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function keyOf(name: string, type: ValueType, role: string): string {
  return `${name}\u0000${type}\u0000${role}`;
}

export function mergeRanges(input: Range[]): Range[] {
  if (input.length <= 1) return input.map((r) => [r[0], r[1]] as Range);
  const sorted = input.map((r) => [r[0], r[1]] as Range).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [sorted[0]!];
  for (let i = 1; i < sorted.length; i++) {
    const last = out[out.length - 1]!;
    const cur = sorted[i]!;
    if (cur[0] <= last[1] + 1) last[1] = Math.max(last[1], cur[1]);
    else out.push(cur);
  }
  return out;
}

export function subtractRanges(from: Range[], remove: Range[]): Range[] {
  let result = mergeRanges(from);
  for (const [rb, re] of mergeRanges(remove)) {
    const next: Range[] = [];
    for (const [b, e] of result) {
      if (re < b || rb > e) { next.push([b, e]); continue; }
      if (rb > b) next.push([b, rb - 1]);
      if (re < e) next.push([re + 1, e]);
    }
    result = next;
  }
  return result;
}

export function rangesContain(outer: Range[], inner: Range[]): boolean {
  const merged = mergeRanges(outer);
  return mergeRanges(inner).every(([b, e]) => merged.some(([ob, oe]) => ob <= b && e <= oe));
}

export function rangesSize(ranges: Range[]): number {
  return ranges.reduce((n, [b, e]) => n + (e - b + 1), 0);
}

export function formatRanges(ranges: Range[]): string {
  return `[${ranges.map(([b, e]) => `${b}-${e}`).join(', ')}]`;
}

function reservationRole(r: ResourceJSON): string {
  if (r.reservations && r.reservations.length > 0) return r.reservations[r.reservations.length - 1]!.role;
  return r.role ?? '*';
}

function isEmptyEntry(e: Entry): boolean {
  if (e.type === 'SCALAR') return e.scalar <= 0;
  if (e.type === 'RANGES') return e.ranges.length === 0;
  return e.set.size === 0;
}

// Entries only own the container of their type; the others point at these shared, never-mutated empties
// (a scalar entry needs no Set of its own: 100,000 tasks' resources would otherwise carry 200,000 of them).
const NO_RANGES: Range[] = [];
const NO_ITEMS: Set<string> = new Set();

function cloneEntry(e: Entry): Entry {
  return {
    name: e.name, type: e.type, role: e.role, scalar: e.scalar,
    ranges: e.type === 'RANGES' ? e.ranges.map((r) => [r[0], r[1]] as Range) : NO_RANGES,
    set: e.type === 'SET' ? new Set(e.set) : NO_ITEMS,
  };
}

/** An immutable bag of resources. Operations return new instances. */
export class Resources {
  private constructor(private readonly entries: Map<string, Entry>) {}

  /** The empty bag, shared: instances never change, so one serves every caller (the allocator asks per agent). */
  static empty(): Resources {
    return Resources.EMPTY;
  }

  private static readonly EMPTY = new Resources(new Map());

  /** The sum of many bags in one pass (plus() per item would copy the running total each time). */
  static sum(list: Iterable<Resources>): Resources {
    const map = new Map<string, Entry>();
    for (const r of list) {
      for (const [k, e] of r.entries) {
        const existing = map.get(k);
        if (!existing) map.set(k, cloneEntry(e));
        else if (e.type === 'SCALAR') existing.scalar = roundScalar(existing.scalar + e.scalar);
        else addEntry(map, cloneEntry(e));
      }
    }
    return new Resources(map);
  }

  static fromJSON(list: ResourceJSON[] | undefined): Resources {
    const map = new Map<string, Entry>();
    for (const r of list ?? []) {
      const role = reservationRole(r);
      const entry: Entry = {
        name: r.name,
        type: r.type,
        role,
        scalar: r.type === 'SCALAR' ? roundScalar(r.scalar?.value ?? 0) : 0,
        ranges: r.type === 'RANGES' ? mergeRanges((r.ranges?.range ?? []).map((x) => [x.begin, x.end] as Range)) : NO_RANGES,
        set: r.type === 'SET' ? new Set(r.set?.item ?? []) : NO_ITEMS,
      };
      addEntry(map, entry);
    }
    return new Resources(map);
  }

  /** Scalars only, unreserved: a convenient constructor for tests, benchmarks and defaults. */
  static scalars(values: Record<string, number>, role = '*'): Resources {
    return Resources.fromJSON(Object.entries(values).map(([name, value]) => ({ name, type: 'SCALAR' as const, scalar: { value }, role })));
  }

  toJSON(allocationRole?: string): ResourceJSON[] {
    const out: ResourceJSON[] = [];
    for (const e of this.entries.values()) {
      if (isEmptyEntry(e)) continue;
      const r: ResourceJSON = { name: e.name, type: e.type };
      if (e.type === 'SCALAR') r.scalar = { value: e.scalar };
      else if (e.type === 'RANGES') r.ranges = { range: e.ranges.map(([begin, end]) => ({ begin, end })) };
      else r.set = { item: [...e.set].sort() };
      r.role = e.role;
      if (e.role !== '*') r.reservations = [{ type: 'STATIC', role: e.role }];
      if (allocationRole !== undefined) r.allocation_info = { role: allocationRole };
      out.push(r);
    }
    return out;
  }

  isEmpty(): boolean {
    if (this.entries.size === 0) return true;
    for (const e of this.entries.values()) if (!isEmptyEntry(e)) return false;
    return true;
  }

  /** Scalar sums by name, computed once: instances are immutable and the allocator asks often. */
  private scalarSums?: Map<string, number>;

  private totals(): Map<string, number> {
    if (!this.scalarSums) {
      const t = new Map<string, number>();
      for (const e of this.entries.values()) if (e.type === 'SCALAR' && e.scalar > 0) t.set(e.name, roundScalar((t.get(e.name) ?? 0) + e.scalar));
      this.scalarSums = t;
    }
    return this.scalarSums;
  }

  /** Sum of a scalar across roles (e.g. total cpus). */
  scalar(name: string): number {
    return this.totals().get(name) ?? 0;
  }

  ranges(name: string): Range[] {
    const all: Range[] = [];
    for (const e of this.entries.values()) if (e.name === name && e.type === 'RANGES') all.push(...e.ranges);
    return mergeRanges(all);
  }

  set(name: string): string[] {
    const all = new Set<string>();
    for (const e of this.entries.values()) if (e.name === name && e.type === 'SET') for (const i of e.set) all.add(i);
    return [...all].sort();
  }

  /** Names of scalar resources present (non-zero). */
  scalarNames(): string[] {
    return [...this.totals().keys()];
  }

  /** Scalar sums by name (non-zero), shared and cached: read it, never change it. Allocation-free for hot loops. */
  scalarTotals(): ReadonlyMap<string, number> {
    return this.totals();
  }

  plus(other: Resources): Resources {
    // Instances are immutable, so adding nothing can hand back the other bag itself (no copy, no garbage): the
    // allocator's common case, an offer declined whole onto an agent that had nothing left.
    if (other.entries.size === 0) return this;
    if (this.entries.size === 0) return other;
    const map = new Map<string, Entry>();
    for (const [k, e] of this.entries) map.set(k, cloneEntry(e));
    for (const e of other.entries.values()) addEntry(map, cloneEntry(e));
    return new Resources(map);
  }

  /** Subtracts what exists; callers check `contains` first when they need all of it. */
  minus(other: Resources): Resources {
    if (other.entries.size === 0) return this;
    if (other === this) return Resources.EMPTY;
    const map = new Map<string, Entry>();
    for (const [k, e] of this.entries) map.set(k, cloneEntry(e));
    for (const [k, o] of other.entries) {
      const e = map.get(k);
      if (!e) continue;
      if (e.type === 'SCALAR') e.scalar = roundScalar(Math.max(0, e.scalar - o.scalar));
      else if (e.type === 'RANGES') e.ranges = subtractRanges(e.ranges, o.ranges);
      else for (const item of o.set) e.set.delete(item);
      if (isEmptyEntry(e)) map.delete(k);
    }
    return new Resources(map);
  }

  contains(other: Resources): boolean {
    if (other === this) return true;
    for (const [k, o] of other.entries) {
      if (isEmptyEntry(o)) continue;
      const e = this.entries.get(k);
      if (!e) return false;
      if (o.type === 'SCALAR' && roundScalar(e.scalar - o.scalar) < 0) return false;
      if (o.type === 'RANGES' && !rangesContain(e.ranges, o.ranges)) return false;
      if (o.type === 'SET') for (const item of o.set) if (!e.set.has(item)) return false;
    }
    return true;
  }

  equals(other: Resources): boolean {
    return this.contains(other) && other.contains(this);
  }

  /** Resources a framework in `role` may be offered: unreserved ones and those reserved to the role. */
  allocatableTo(role: string): Resources {
    return this.filter((e) => e.role === '*' || e.role === role);
  }

  /** Computed once per instance (instances are immutable). */
  unreserved(): Resources {
    this.unreservedPart ??= this.filter((e) => e.role === '*');
    return this.unreservedPart;
  }

  private filter(pred: (e: Entry) => boolean): Resources {
    const map = new Map<string, Entry>();
    for (const [k, e] of this.entries) if (pred(e)) map.set(k, cloneEntry(e));
    return new Resources(map);
  }

  private legacy?: Readonly<Record<string, number | string>>;
  private legacyJson?: string;
  private unreservedPart?: Resources;

  /** JSON.stringify(toLegacy()), computed once: state endpoints render the same (often shared) bag many times. */
  toLegacyJson(): string {
    this.legacyJson ??= JSON.stringify(this.toLegacy());
    return this.legacyJson;
  }

  /** Mesos' legacy state JSON: {"cpus":2,"mem":1024,"disk":0,"gpus":0,"ports":"[31000-32000]"}. Computed once (frozen). */
  toLegacy(): Readonly<Record<string, number | string>> {
    if (this.legacy) return this.legacy;
    const out: Record<string, number | string> = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
    const ranges = new Map<string, Range[]>();
    const sets = new Map<string, Set<string>>();
    for (const e of this.entries.values()) {
      if (e.type === 'SCALAR') { out[e.name] = this.scalar(e.name); continue; }
      if (e.type === 'RANGES') {
        if (!ranges.has(e.name)) { ranges.set(e.name, []); if (!(e.name in out)) out[e.name] = ''; }
        ranges.get(e.name)!.push(...e.ranges);
      } else {
        if (!sets.has(e.name)) { sets.set(e.name, new Set()); if (!(e.name in out)) out[e.name] = ''; }
        for (const i of e.set) sets.get(e.name)!.add(i);
      }
    }
    // Empty ranges/sets are left out, as Mesos does (placeholders above only fixed the key order).
    for (const [name, r] of ranges) { const m = mergeRanges(r); if (m.length) out[name] = formatRanges(m); else delete out[name]; }
    for (const [name, items] of sets) { if (items.size) out[name] = `{${[...items].sort().join(', ')}}`; else delete out[name]; }
    this.legacy = Object.freeze(out);
    return this.legacy;
  }

  toString(): string {
    const parts: string[] = [];
    for (const e of this.entries.values()) {
      if (isEmptyEntry(e)) continue;
      const name = e.role === '*' ? e.name : `${e.name}(${e.role})`;
      if (e.type === 'SCALAR') parts.push(`${name}:${e.scalar}`);
      else if (e.type === 'RANGES') parts.push(`${name}:${formatRanges(e.ranges)}`);
      else parts.push(`${name}:{${[...e.set].sort().join(',')}}`);
    }
    return parts.join(';');
  }
}

function addEntry(map: Map<string, Entry>, entry: Entry): void {
  const k = keyOf(entry.name, entry.type, entry.role);
  const existing = map.get(k);
  if (!existing) { map.set(k, entry); return; }
  if (entry.type === 'SCALAR') existing.scalar = roundScalar(existing.scalar + entry.scalar);
  else if (entry.type === 'RANGES') existing.ranges = mergeRanges([...existing.ranges, ...entry.ranges]);
  else for (const item of entry.set) existing.set.add(item);
}

/**
 * Hands out one shared (immutable) Resources per distinct resource list. Tasks mostly repeat a few shapes
 * (say cpus:0.1;mem:32), so 100,000 task records can point at a handful of objects. Bounded: when full it starts
 * over, which only costs sharing, never correctness.
 */
export class ResourcesInterner {
  private readonly byKey = new Map<string, Resources>();
  constructor(private readonly capacity = 4096) {}

  fromJSON(list: ResourceJSON[] | undefined): Resources {
    const key = JSON.stringify(list ?? []);
    let r = this.byKey.get(key);
    if (!r) {
      r = Resources.fromJSON(list);
      if (this.byKey.size >= this.capacity) this.byKey.clear();
      this.byKey.set(key, r);
    }
    return r;
  }
}

export class ResourceParseError extends Error {}

const NAME_RE = /^([A-Za-z_][A-Za-z0-9_.\-/]*)(?:\(([^()]+)\))?$/;

/**
 * Parses Mesos' text form `cpus:2;mem:1024;ports:[31000-32000];bugs(role):{a,b}`
 * or a JSON array of Resource objects.
 */
export function parseResources(text: string, defaultRole = '*'): Resources {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') && trimmed.includes('"name"')) {
    let parsed: unknown;
    try { parsed = JSON.parse(trimmed); } catch (err) { throw new ResourceParseError(`invalid resources JSON: ${(err as Error).message}`); }
    if (!Array.isArray(parsed)) throw new ResourceParseError('resources JSON must be an array');
    return Resources.fromJSON(parsed as ResourceJSON[]);
  }
  const list: ResourceJSON[] = [];
  for (const raw of trimmed.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new ResourceParseError(`bad resource '${part}': expected name:value`);
    const nameRole = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    const m = NAME_RE.exec(nameRole);
    if (!m) throw new ResourceParseError(`bad resource name '${nameRole}'`);
    const name = m[1]!;
    const role = m[2] ?? defaultRole;
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) throw new ResourceParseError(`bad ranges for '${name}': ${value}`);
      const range: RangeJSON[] = [];
      for (const r of value.slice(1, -1).split(',')) {
        const t = r.trim();
        if (!t) continue;
        const rm = /^(\d+)\s*-\s*(\d+)$/.exec(t);
        if (!rm) throw new ResourceParseError(`bad range '${t}' for '${name}'`);
        const begin = Number(rm[1]); const end = Number(rm[2]);
        if (begin > end) throw new ResourceParseError(`bad range '${t}' for '${name}': begin > end`);
        range.push({ begin, end });
      }
      list.push({ name, type: 'RANGES', ranges: { range }, role });
    } else if (value.startsWith('{')) {
      if (!value.endsWith('}')) throw new ResourceParseError(`bad set for '${name}': ${value}`);
      const item = value.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
      list.push({ name, type: 'SET', set: { item }, role });
    } else {
      const num = Number(value);
      if (value === '' || !Number.isFinite(num)) throw new ResourceParseError(`bad scalar '${value}' for '${name}'`);
      if (num < 0) throw new ResourceParseError(`negative scalar '${value}' for '${name}'`);
      list.push({ name, type: 'SCALAR', scalar: { value: num }, role });
    }
  }
  return Resources.fromJSON(list);
}

// ---- attributes ----

export interface AttributeJSON {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: { value: number };
  ranges?: { range: RangeJSON[] };
  set?: { item: string[] };
  text?: { value: string };
}

/** `rack:a;zone:1;slots:[1-4]` → SCALAR if numeric, RANGES if `[`, else TEXT (as Mesos). */
export function parseAttributes(text: string): AttributeJSON[] {
  const out: AttributeJSON[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new ResourceParseError(`bad attribute '${part}': expected name:value`);
    const name = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (value.startsWith('[')) {
      const res = parseResources(`${name}:${value}`);
      out.push({ name, type: 'RANGES', ranges: { range: res.ranges(name).map(([begin, end]) => ({ begin, end })) } });
    } else if (value !== '' && Number.isFinite(Number(value))) {
      out.push({ name, type: 'SCALAR', scalar: { value: Number(value) } });
    } else {
      out.push({ name, type: 'TEXT', text: { value } });
    }
  }
  return out;
}

/** The value of an attribute as text, as constraints and the legacy state JSON see it. */
export function attributeValue(a: AttributeJSON): string | number {
  if (a.type === 'SCALAR') return a.scalar?.value ?? 0;
  if (a.type === 'TEXT') return a.text?.value ?? '';
  if (a.type === 'RANGES') return formatRanges((a.ranges?.range ?? []).map((r) => [r.begin, r.end] as Range));
  return `{${(a.set?.item ?? []).join(',')}}`;
}

export function attributesToLegacy(attrs: AttributeJSON[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attrs) out[a.name] = attributeValue(a);
  return out;
}
