// Packs queued instances into offers: resources and host ports through OfferBudget, placement through the
// constraint hook, spreading each app over agents. Pure: queue and offers in, launches and reasons out.
import type { OfferBudget } from '../framework/offer-matcher.ts';
import type { ResourceJSON } from '../common/resources.ts';
import type { AttributeJSON } from '../proto/mesos.ts';
import type { AppDefinition } from './app-definition.ts';
import type { Constraint, ConstraintResult, PlacedAgent } from './constraints.ts';

export type PlacedTask = PlacedAgent;
export type ConstraintHook = (constraints: readonly Constraint[], offer: PlacedTask, placedTasksOfApp: readonly PlacedTask[]) => ConstraintResult;

export interface QueuedApp {
  app: AppDefinition;
  /** Instances to launch now. */
  count: number;
  /** Where the app's live instances run (for constraints and spreading). */
  placed: PlacedTask[];
}

export interface Launch {
  offerId: string;
  app: AppDefinition;
  taskId: string;
  agentId: string;
  host: string;
  attributes: AttributeJSON[];
  resources: ResourceJSON[];
  /** Host ports, one per port definition / mapping with a host port. */
  ports: number[];
}

/** Why offers could not take an app's instances, in Marathon's reason names (processedOffersSummary). */
export interface Unplaced {
  count: number;
  processedOffers: number;
  reasons: Record<string, number>;
  /** One readable line per offer that was not used, e.g. "127.0.30.2: port 8000 is not offered". */
  lastOffers: Array<{ offerId: string; agentId: string; hostname: string; reasons: string[]; resources: ResourceJSON[]; attributes: AttributeJSON[] }>;
}

export interface LaunchPlan { launches: Launch[]; unplaced: Map<string, Unplaced> }

/** Host ports an app asks each offer for: 0 = any, N = exactly N (requirePorts or a fixed hostPort mapping). */
export function requestedHostPorts(app: AppDefinition): number[] {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings;
  if (mappings && mappings.length > 0) return mappings.flatMap((m) => (m.hostPort === undefined ? [] : [m.hostPort]));
  return app.portDefinitions.map((p) => (app.requirePorts ? p.port : 0));
}

export function marathonReason(reason: string): string {
  if (reason.startsWith('constraint ')) return 'UnfulfilledConstraint';
  if (reason.startsWith('unfulfilled role')) return 'UnfulfilledRole';
  if (reason.startsWith('insufficient cpus')) return 'InsufficientCpus';
  if (reason.startsWith('insufficient mem')) return 'InsufficientMemory';
  if (reason.startsWith('insufficient disk')) return 'InsufficientDisk';
  if (reason.startsWith('insufficient gpus')) return 'InsufficientGpus';
  if (reason.includes('port')) return 'InsufficientPorts';
  return 'UnfulfilledConstraint';
}

/** At most this many launches per offer cycle: tasks that need no resources cannot make a cycle run forever. */
export const MAX_LAUNCHES_PER_CYCLE = 1000;

export function planLaunches(queue: readonly QueuedApp[], offers: readonly OfferBudget[], newTaskId: (appId: string) => string, constraintsOk: ConstraintHook, maxLaunches = MAX_LAUNCHES_PER_CYCLE): LaunchPlan {
  const launches: Launch[] = [];
  const unplaced = new Map<string, Unplaced>();
  for (const entry of queue) {
    if (launches.length >= maxLaunches) break;
    const { app } = entry;
    const placed = [...entry.placed];
    const hostPorts = requestedHostPorts(app);
    const request = { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: app.gpus, ports: hostPorts, ...(app.acceptedResourceRoles ? { acceptedRoles: app.acceptedResourceRoles } : {}) };
    for (let n = 0; n < entry.count && launches.length < maxLaunches; n++) {
      const reasons = new Map<OfferBudget, string>();
      // Spread: prefer the agent with the fewest instances of this app.
      const candidates = offers
        .map((budget, index) => ({ budget, index, load: placed.filter((p) => p.hostname === budget.offer.hostname).length }))
        .sort((a, b) => a.load - b.load || a.index - b.index);
      let chosen: { budget: OfferBudget; resources: ResourceJSON[]; ports: number[] } | undefined;
      for (const { budget } of candidates) {
        const place = { hostname: budget.offer.hostname, attributes: budget.offer.attributes ?? [] };
        const verdict = constraintsOk(app.constraints, place, placed);
        if (!verdict.ok) { reasons.set(budget, verdict.reason); continue; }
        const fit = budget.take(request);
        if (!fit.ok) {
          // Enough resources, only under roles the app does not accept: Marathon's UnfulfilledRole.
          const roleOnly = app.acceptedResourceRoles !== null && budget.fits({ ...request, acceptedRoles: undefined }).ok;
          reasons.set(budget, roleOnly ? `unfulfilled role: ${fit.reason}` : fit.reason);
          continue;
        }
        chosen = { budget, resources: fit.resources, ports: fit.ports };
        break;
      }
      if (!chosen) {
        const summary: Unplaced = { count: entry.count - n, processedOffers: offers.length, reasons: {}, lastOffers: [] };
        for (const [budget, reason] of reasons) {
          const name = marathonReason(reason);
          summary.reasons[name] = (summary.reasons[name] ?? 0) + 1;
          summary.lastOffers.push({
            offerId: budget.offer.id.value, agentId: budget.offer.agent_id.value, hostname: budget.offer.hostname, reasons: [reason],
            resources: budget.offer.resources, attributes: budget.offer.attributes ?? [],
          });
        }
        unplaced.set(app.id, summary);
        break;
      }
      const offer = chosen.budget.offer;
      const attributes = offer.attributes ?? [];
      placed.push({ hostname: offer.hostname, attributes });
      launches.push({ offerId: offer.id.value, app, taskId: newTaskId(app.id), agentId: offer.agent_id.value, host: offer.hostname, attributes, resources: chosen.resources, ports: chosen.ports });
    }
  }
  return { launches, unplaced };
}
