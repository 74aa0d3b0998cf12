// Hierarchical Dominant Resource Fairness, as Mesos' HierarchicalAllocator with DRF sorters:
// roles are ordered by weighted dominant share, frameworks within a role by their share of what
// that role holds; each agent's free resources go to the first eligible framework in that order.
import { Resources } from '../../common/resources.ts';
import type { Clock } from '../../common/clock.ts';
import type { Allocation, Allocator } from './allocator.ts';

export interface DrfOptions {
  clock: Clock;
  /** Mesos' --min_allocatable_resources "cpus:0.01|mem:32": a chunk is offered if it meets any group. */
  minAllocatable?: Array<Record<string, number>>;
  random?: () => number;
}

interface AgentEntry { total: Resources; available: Resources; active: boolean; reserved: boolean }

/** Scalar sums kept per client so shares are cheap to recompute. */
type Scalars = Map<string, number>;

interface Client { id: string; allocated: Scalars; share: number; allocations: number }

interface FrameworkEntry {
  roles: Set<string>;
  suppressed: Set<string>;
  active: boolean;
  /** Per role: the framework as a client of that role's sorter. */
  clients: Map<string, Client>;
  /**
   * Offer filters (refuse_seconds): role → agent id → expiry, in ms after the allocator's epoch (a small integer
   * V8 stores unboxed). Nested maps share the id strings. With 100 frameworks declining 10,000 agents this holds
   * a million entries, so each must stay small.
   */
  filters: Map<string, Map<string, number>>;
}

interface RoleEntry extends Client { frameworks: Set<string> }

function addScalars(target: Scalars, r: Resources, sign: 1 | -1): void {
  // forEach over the cached sums: no arrays or iterator entries per call (the allocator books once per offer).
  r.scalarTotals().forEach((value, name) => {
    const v = Math.round(((target.get(name) ?? 0) + sign * value) * 1000) / 1000;
    if (v <= 0) target.delete(name); else target.set(name, v);
  });
}

/** DRF order: lowest share first, then fewest allocations, then id (a stable tie-break). */
function byShare(a: Client, b: Client): number {
  return a.share - b.share || a.allocations - b.allocations || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class DrfAllocator implements Allocator {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly frameworks = new Map<string, FrameworkEntry>();
  private readonly roles = new Map<string, RoleEntry>();
  private readonly totals: Scalars = new Map();
  private filterCount = 0;
  private readonly epoch: number;
  private weights: Record<string, number> = {};
  private readonly minAllocatable: Array<Array<[string, number]>>;
  private readonly random: () => number;

  constructor(private readonly opts: DrfOptions) {
    this.minAllocatable = (opts.minAllocatable ?? [{ cpus: 0.01 }, { mem: 32 }]).map((g) => Object.entries(g));
    this.random = opts.random ?? Math.random;
    this.epoch = opts.clock.now();
  }

  // ---- shares

  private dominantShare(allocated: Scalars): number {
    let share = 0;
    const totals = this.totals;
    allocated.forEach((value, name) => {
      const total = totals.get(name);
      if (total !== undefined && total > 0 && value / total > share) share = value / total;
    });
    return share;
  }

  private refreshRole(role: RoleEntry): void {
    role.share = this.dominantShare(role.allocated) / (this.weights[role.id] ?? 1);
  }

  private refreshAllShares(): void {
    for (const role of this.roles.values()) this.refreshRole(role);
    for (const fw of this.frameworks.values()) for (const c of fw.clients.values()) c.share = this.dominantShare(c.allocated);
  }

  frameworkShare(frameworkId: string): number {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return 0;
    const all: Scalars = new Map();
    for (const c of fw.clients.values()) for (const [k, v] of c.allocated) all.set(k, (all.get(k) ?? 0) + v);
    return this.dominantShare(all);
  }

  roleShare(role: string): number {
    return this.roles.get(role)?.share ?? 0;
  }

  private role(name: string): RoleEntry {
    let r = this.roles.get(name);
    if (!r) { r = { id: name, allocated: new Map(), share: 0, allocations: 0, frameworks: new Set() }; this.roles.set(name, r); }
    return r;
  }

  private client(fwId: string, role: string): Client | undefined {
    return this.frameworks.get(fwId)?.clients.get(role);
  }

  /** Books resources as allocated to (framework, role). */
  private track(fwId: string, roleName: string, r: Resources, sign: 1 | -1): void {
    const fw = this.frameworks.get(fwId);
    let c = fw?.clients.get(roleName);
    if (fw && !c) {
      // Allocation to a role the framework left (still running tasks): keep accounting it.
      c = { id: fwId, allocated: new Map(), share: 0, allocations: 0 };
      fw.clients.set(roleName, c);
    }
    if (c) { addScalars(c.allocated, r, sign); c.share = this.dominantShare(c.allocated); if (sign > 0) c.allocations++; }
    const role = this.role(roleName);
    addScalars(role.allocated, r, sign);
    if (sign > 0) role.allocations++;
    this.refreshRole(role);
  }

  // ---- agents

  addAgent(agentId: string, total: Resources, used: Array<{ frameworkId: string; role: string; resources: Resources }> = []): void {
    if (this.agents.has(agentId)) this.removeAgent(agentId);
    let available = total;
    for (const u of used) { available = available.minus(u.resources); this.track(u.frameworkId, u.role, u.resources, 1); }
    this.agents.set(agentId, { total, available, active: true, reserved: !total.unreserved().equals(total) });
    addScalars(this.totals, total, 1);
    this.refreshAllShares();
  }

  removeAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    this.agents.delete(agentId);
    addScalars(this.totals, agent.total, -1);
    if (this.filterCount > 0) for (const fw of this.frameworks.values()) for (const byAgent of fw.filters.values()) if (byAgent.delete(agentId)) this.filterCount--;
    this.refreshAllShares();
  }

  activateAgent(agentId: string): void { const a = this.agents.get(agentId); if (a) a.active = true; }
  deactivateAgent(agentId: string): void { const a = this.agents.get(agentId); if (a) a.active = false; }

  available(agentId: string): Resources {
    return this.agents.get(agentId)?.available ?? Resources.empty();
  }

  // ---- frameworks

  addFramework(frameworkId: string, roles: string[], suppressedRoles: string[] = []): void {
    if (this.frameworks.has(frameworkId)) { this.updateFramework(frameworkId, roles, suppressedRoles); return; }
    this.frameworks.set(frameworkId, { roles: new Set(), suppressed: new Set(), active: true, clients: new Map(), filters: new Map() });
    this.updateFramework(frameworkId, roles, suppressedRoles);
  }

  updateFramework(frameworkId: string, roles: string[], suppressedRoles: string[] = []): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return;
    for (const old of fw.roles) if (!roles.includes(old)) this.role(old).frameworks.delete(frameworkId);
    fw.roles = new Set(roles);
    for (const r of roles) {
      this.role(r).frameworks.add(frameworkId);
      if (!fw.clients.has(r)) fw.clients.set(r, { id: frameworkId, allocated: new Map(), share: 0, allocations: 0 });
    }
    fw.suppressed = new Set(suppressedRoles);
  }

  removeFramework(frameworkId: string): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return;
    for (const [roleName, c] of fw.clients) {
      const role = this.role(roleName);
      role.frameworks.delete(frameworkId);
      for (const [k, v] of c.allocated) {
        const left = Math.round(((role.allocated.get(k) ?? 0) - v) * 1000) / 1000;
        if (left <= 0) role.allocated.delete(k); else role.allocated.set(k, left);
      }
      this.refreshRole(role);
    }
    this.frameworks.delete(frameworkId);
    for (const byAgent of fw.filters.values()) this.filterCount -= byAgent.size;
  }

  activateFramework(frameworkId: string): void { const f = this.frameworks.get(frameworkId); if (f) f.active = true; }
  deactivateFramework(frameworkId: string): void { const f = this.frameworks.get(frameworkId); if (f) f.active = false; }

  recoverResources(frameworkId: string, role: string, agentId: string, resources: Resources, refuseSeconds?: number): void {
    if (resources.isEmpty()) return;
    const agent = this.agents.get(agentId);
    if (agent) {
      const merged = agent.available.plus(resources);
      // Never hand back more than the agent has (double recovery would over-offer).
      agent.available = agent.total.contains(merged) ? merged : agent.total.minus(agent.total.minus(merged));
    }
    if (this.frameworks.has(frameworkId)) this.track(frameworkId, role, resources, -1);
    else this.track('\u0000gone', role, resources, -1);
    const fw = this.frameworks.get(frameworkId);
    if (refuseSeconds !== undefined && refuseSeconds > 0 && fw && agent) {
      let byAgent = fw.filters.get(role);
      if (!byAgent) { byAgent = new Map(); fw.filters.set(role, byAgent); }
      if (!byAgent.has(agentId)) this.filterCount++;
      byAgent.set(agentId, Math.ceil(this.opts.clock.now() - this.epoch + refuseSeconds * 1000));
    }
  }

  suppress(frameworkId: string, roles?: string[]): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return;
    for (const r of roles && roles.length ? roles : fw.roles) fw.suppressed.add(r);
  }

  revive(frameworkId: string, roles?: string[]): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return;
    const list = roles && roles.length ? roles : [...fw.roles];
    for (const r of list) {
      fw.suppressed.delete(r);
      const byAgent = fw.filters.get(r);
      if (byAgent) { this.filterCount -= byAgent.size; fw.filters.delete(r); }
    }
  }

  updateWeights(weights: Record<string, number>): void {
    this.weights = { ...weights };
    for (const role of this.roles.values()) this.refreshRole(role);
  }

  // ---- allocation

  private allocatable(r: Resources): boolean {
    for (const group of this.minAllocatable) {
      let ok = true;
      for (const [name, min] of group) if (r.scalar(name) < min) { ok = false; break; }
      if (ok) return true;
    }
    return false;
  }

  /** `now`: ms after the epoch. */
  private filtered(fw: FrameworkEntry, role: string, agentId: string, now: number): boolean {
    if (this.filterCount === 0) return false;
    const byAgent = fw.filters.get(role);
    const expiry = byAgent?.get(agentId);
    if (expiry === undefined) return false;
    if (expiry <= now) { byAgent!.delete(agentId); this.filterCount--; return false; }
    return true;
  }

  allocate(agentIds?: Iterable<string>): Allocation[] {
    const now = this.opts.clock.now() - this.epoch;
    const ids = agentIds ? [...agentIds] : [...this.agents.keys()];
    // Shuffle (Fisher-Yates) so no agent is always first, as Mesos does.
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = ids[i]!; ids[i] = ids[j]!; ids[j] = t;
    }
    // Who may be offered what does not change during a cycle (active, not suppressed): decide it once per role,
    // not once per agent. Only the shares move, and the candidates hold the live client objects.
    const roles: Array<{ role: RoleEntry; candidates: Candidate[] }> = [];
    for (const role of this.roles.values()) {
      if (role.frameworks.size === 0) continue;
      const candidates: Candidate[] = [];
      for (const fwId of role.frameworks) {
        const fw = this.frameworks.get(fwId);
        if (!fw || !fw.active || fw.suppressed.has(role.id)) continue;
        candidates.push({ fwId, fw, client: fw.clients.get(role.id)! });
      }
      if (candidates.length > 0) roles.push({ role, candidates });
    }
    const out: Allocation[] = [];
    if (roles.length === 0) return out;
    for (const agentId of ids) {
      const agent = this.agents.get(agentId);
      if (!agent || !agent.active || agent.available.isEmpty()) continue;
      sortByRoleShare(roles); // shares moved since the last agent
      for (const { role, candidates } of roles) {
        if (agent.available.isEmpty()) break;
        const offerable = agent.reserved ? agent.available.allocatableTo(role.id) : agent.available;
        if (!this.allocatable(offerable)) continue;
        let best: Candidate | undefined;
        for (let i = 0; i < candidates.length; i++) {
          const c = candidates[i]!;
          if (best && byShare(c.client, best.client) >= 0) continue;
          if (this.filtered(c.fw, role.id, agentId, now)) continue;
          best = c;
        }
        if (!best) continue;
        agent.available = offerable === agent.available ? Resources.empty() : agent.available.minus(offerable);
        this.trackClient(best.client, role, offerable);
        out.push({ frameworkId: best.fwId, role: role.id, agentId, resources: offerable });
      }
    }
    return out;
  }

  /** `track(…, +1)` for a client already in hand (the allocation loop), without looking it up again. */
  private trackClient(c: Client, role: RoleEntry, r: Resources): void {
    addScalars(c.allocated, r, 1);
    c.share = this.dominantShare(c.allocated);
    c.allocations++;
    addScalars(role.allocated, r, 1);
    role.allocations++;
    this.refreshRole(role);
  }
}

/**
 * Insertion sort: a handful of roles, already in order but for the one or two whose share moved with the last
 * agent; Array.prototype.sort with a comparator cost a microsecond per agent here.
 */
function sortByRoleShare(roles: Array<{ role: RoleEntry }>): void {
  for (let i = 1; i < roles.length; i++) {
    const item = roles[i]!;
    let j = i - 1;
    while (j >= 0 && byShare(roles[j]!.role, item.role) > 0) { roles[j + 1] = roles[j]!; j--; }
    roles[j + 1] = item;
  }
}

/** A framework that may be offered a role's resources in this cycle. */
interface Candidate { fwId: string; fw: FrameworkEntry; client: Client }
