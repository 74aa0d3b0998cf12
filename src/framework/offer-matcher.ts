// Packs task resource requests into Mesos offers: the one place frameworks (Marathon, Chronos, examples) turn
// "cpus 0.1, mem 16, two host ports" into the exact Resource list a LAUNCH needs. Pure: no I/O, no clock.
import { attributeValue, mergeRanges, rangesSize, roundScalar, subtractRanges, type Range, type ResourceJSON } from '../common/resources.ts';
import type { AttributeJSON, Offer } from '../proto/mesos.ts';

export interface ResourceRequest {
  cpus: number;
  mem: number;
  disk?: number;
  gpus?: number;
  /** One entry per host port the task needs: 0 = any port of the offer, N = exactly port N. */
  ports?: readonly number[];
  /**
   * Roles whose resources may be used (Marathon's acceptedResourceRoles). Undefined = any role in the offer.
   * '*' means unreserved resources.
   */
  acceptedRoles?: readonly string[];
}

export type MatchResult =
  | { ok: true; resources: ResourceJSON[]; ports: number[] }
  | { ok: false; reason: string };

interface Pool {
  source: ResourceJSON;
  role: string;
  scalar: number;
  ranges: Range[];
}

const SCALARS = ['cpus', 'mem', 'disk', 'gpus'] as const;

function roleOf(r: ResourceJSON): string {
  if (r.reservations && r.reservations.length > 0) return r.reservations[r.reservations.length - 1]!.role;
  return r.role ?? '*';
}

/** What is left of one offer while several tasks are packed into it. `take` deducts only on success. */
export class OfferBudget {
  private readonly pools: Pool[];

  constructor(readonly offer: Offer) {
    this.pools = offer.resources.map((r) => ({
      source: r,
      role: roleOf(r),
      scalar: r.type === 'SCALAR' ? r.scalar?.value ?? 0 : 0,
      ranges: r.type === 'RANGES' ? (r.ranges?.range ?? []).map((x) => [x.begin, x.end] as Range) : [],
    }));
  }

  /** Remaining scalar amount of `name` usable by `roles` (all roles when undefined). */
  available(name: string, roles?: readonly string[]): number {
    return roundScalar(this.usable(name, roles).reduce((sum, p) => sum + p.scalar, 0));
  }

  /** Remaining ports usable by `roles`, as sorted ranges. */
  availablePorts(roles?: readonly string[]): Range[] {
    return this.usable('ports', roles).flatMap((p) => p.ranges).sort((a, b) => a[0] - b[0]);
  }

  /** Reserves the request out of this offer, or says which resource is short without changing anything. */
  take(req: ResourceRequest): MatchResult {
    const plan = this.plan(req);
    if (!plan.ok) return plan;
    for (const step of plan.steps) step.apply();
    return { ok: true, resources: plan.steps.map((s) => s.resource), ports: plan.ports };
  }

  /** Whether the request would fit, without reserving it. */
  fits(req: ResourceRequest): MatchResult {
    const plan = this.plan(req);
    return plan.ok ? { ok: true, resources: plan.steps.map((s) => s.resource), ports: plan.ports } : plan;
  }

  private usable(name: string, roles?: readonly string[]): Pool[] {
    // Reserved resources first: a framework with a role should spend its reservation before the shared pool.
    return this.pools
      .filter((p) => p.source.name === name && (roles === undefined || roles.includes(p.role)))
      .sort((a, b) => Number(a.role === '*') - Number(b.role === '*'));
  }

  private plan(req: ResourceRequest): { ok: true; steps: Step[]; ports: number[] } | { ok: false; reason: string } {
    const steps: Step[] = [];
    const wanted: Record<(typeof SCALARS)[number], number> = { cpus: req.cpus, mem: req.mem, disk: req.disk ?? 0, gpus: req.gpus ?? 0 };
    for (const name of SCALARS) {
      let need = roundScalar(wanted[name]);
      if (need <= 0) continue;
      const have = this.available(name, req.acceptedRoles);
      if (have < need) return { ok: false, reason: `insufficient ${name}: need ${need}, offer has ${have}${rolesNote(req.acceptedRoles)}` };
      for (const pool of this.usable(name, req.acceptedRoles)) {
        if (need <= 0) break;
        const part = roundScalar(Math.min(need, pool.scalar));
        if (part <= 0) continue;
        need = roundScalar(need - part);
        steps.push({ resource: { ...pool.source, scalar: { value: part } }, apply: () => { pool.scalar = roundScalar(pool.scalar - part); } });
      }
    }
    const ports: number[] = [];
    const requested = req.ports ?? [];
    if (requested.length > 0) {
      const pools = this.usable('ports', req.acceptedRoles);
      const taken = new Map<Pool, number[]>();
      const isTaken = (port: number) => ports.includes(port);
      // Fixed ports first so that "any port" picks cannot steal them.
      const order = requested.map((p, i) => ({ p, i })).sort((a, b) => Number(a.p === 0) - Number(b.p === 0));
      const assigned = new Array<number>(requested.length);
      for (const { p, i } of order) {
        let found: { pool: Pool; port: number } | undefined;
        for (const pool of pools) {
          if (p !== 0) {
            if (!isTaken(p) && pool.ranges.some(([b, e]) => b <= p && p <= e)) { found = { pool, port: p }; break; }
          } else {
            for (const [b, e] of pool.ranges) {
              for (let port = b; port <= e; port++) if (!isTaken(port)) { found = { pool, port }; break; }
              if (found) break;
            }
            if (found) break;
          }
        }
        if (!found) {
          return { ok: false, reason: p !== 0 ? `port ${p} is not offered${rolesNote(req.acceptedRoles)}` : `insufficient ports: need ${requested.length}, offer has ${pools.reduce((n, x) => n + rangesSize(x.ranges), 0)}` };
        }
        assigned[i] = found.port;
        ports.push(found.port);
        taken.set(found.pool, [...(taken.get(found.pool) ?? []), found.port]);
      }
      for (const [pool, list] of taken) {
        const ranges = mergeRanges(list.map((p) => [p, p] as Range));
        steps.push({
          resource: { ...pool.source, ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) } },
          apply: () => { pool.ranges = subtractRanges(pool.ranges, ranges); },
        });
      }
      return { ok: true, steps, ports: assigned };
    }
    return { ok: true, steps, ports };
  }
}

interface Step { resource: ResourceJSON; apply(): void }

function rolesNote(roles?: readonly string[]): string {
  return roles === undefined ? '' : ` (accepted roles: ${roles.join(', ')})`;
}

/**
 * The value constraints compare for a field of an offer: the agent's hostname for "hostname", otherwise the
 * attribute of that name as text (SCALAR as its number, RANGES as "[a-b]", SET as "{a,b}"), undefined when absent.
 */
export function offerFieldValue(offer: Pick<Offer, 'hostname' | 'attributes'>, field: string): string | undefined {
  if (field === 'hostname') return offer.hostname;
  const attr = (offer.attributes as AttributeJSON[] | undefined)?.find((a) => a.name === field);
  return attr === undefined ? undefined : String(attributeValue(attr));
}
