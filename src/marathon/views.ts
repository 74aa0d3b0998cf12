// The JSON Marathon shows for apps, tasks, deployments and the queue (read-only fields included).
import type { ResourceJSON } from '../common/resources.ts';
import type { AttributeJSON } from '../proto/mesos.ts';
import type { AppDefinition } from './app-definition.ts';
import type { Deployment, Instance } from './model.ts';
import type { MarathonScheduler, QueueEntry } from './scheduler.ts';

/** What task views need to know about health: the scheduler's health monitor. */
export type HealthView = Pick<MarathonScheduler, 'healthResults'>;

export function taskJson(i: Instance, app: AppDefinition | undefined, health: HealthView): Record<string, unknown> {
  return {
    id: i.taskId, appId: i.appId, host: i.host, ports: i.ports, servicePorts: i.servicePorts, slaveId: i.agentId,
    stagedAt: i.stagedAt, startedAt: i.startedAt, state: i.state, version: i.version, ipAddresses: i.ipAddresses, localVolumes: [],
    ...(app && app.healthChecks.length > 0 ? { healthCheckResults: health.healthResults(i.taskId) } : {}),
  };
}

/** Tasks with every health check passing, and tasks with one failing (tasks without results yet are neither). */
function healthCounts(tasks: Instance[], health: Pick<MarathonScheduler, 'health'>): { healthy: number; unhealthy: number } {
  let healthy = 0;
  let unhealthy = 0;
  for (const t of tasks) {
    const alive = health.health.alive(t.taskId);
    if (alive === true) healthy++; else if (alive === false) unhealthy++;
  }
  return { healthy, unhealthy };
}

/** Marathon's taskStats: counts and life times for all tasks, by config version and since the last scaling. */
export function taskStats(app: AppDefinition, tasks: Instance[], now: number, health: Pick<MarathonScheduler, 'health'>): Record<string, unknown> {
  const summary = (list: Instance[]) => {
    const lives = list.filter((t) => t.startedAt).map((t) => (now - Date.parse(t.startedAt!)) / 1000).sort((a, b) => a - b);
    return {
      stats: {
        counts: {
          staged: list.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length,
          running: list.filter((t) => t.state === 'TASK_RUNNING').length, ...healthCounts(list, health),
        },
        ...(lives.length > 0 ? { lifeTime: { averageSeconds: lives.reduce((a, b) => a + b, 0) / lives.length, medianSeconds: lives[Math.floor(lives.length / 2)] } } : {}),
      },
    };
  };
  const groups: Record<string, Instance[]> = {
    startedAfterLastScaling: tasks.filter((t) => t.stagedAt >= app.versionInfo.lastScalingAt),
    withLatestConfig: tasks.filter((t) => t.configVersion === app.versionInfo.lastConfigChangeAt),
    withOutdatedConfig: tasks.filter((t) => t.configVersion !== app.versionInfo.lastConfigChangeAt),
    totalSummary: tasks,
  };
  return Object.fromEntries(Object.entries(groups).filter(([, list]) => list.length > 0).map(([k, list]) => [k, summary(list)]));
}

export interface AppEmbed { tasks: boolean; counts: boolean; deployments: boolean; lastTaskFailure: boolean; taskStats: boolean; readiness: boolean }

export function appJson(app: AppDefinition, m: MarathonScheduler, embed: AppEmbed): Record<string, unknown> {
  const tasks = m.instances.ofApp(app.id);
  const out: Record<string, unknown> = { ...app };
  if (embed.counts) {
    out.tasksStaged = tasks.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length;
    out.tasksRunning = tasks.filter((t) => t.state === 'TASK_RUNNING').length;
    const { healthy, unhealthy } = healthCounts(tasks, m);
    out.tasksHealthy = healthy;
    out.tasksUnhealthy = unhealthy;
  }
  if (embed.deployments) out.deployments = m.deploymentsOf(app.id).map((d) => ({ id: d.id }));
  if (embed.readiness) out.readinessCheckResults = m.readinessResults(app.id);
  if (embed.tasks) out.tasks = tasks.map((t) => taskJson(t, app, m));
  if (embed.lastTaskFailure) {
    const f = m.lastFailures.get(app.id);
    if (f) out.lastTaskFailure = f;
  }
  if (embed.taskStats) out.taskStats = taskStats(app, tasks, Date.now(), m);
  return out;
}

/**
 * App JSON as text, cached per app until the app, its instances, the deployments or the embed options change:
 * listing 1,000 apps with 10,000 tasks then costs string joins, not 11,000 objects serialised per request.
 */
export class AppJsonCache {
  private readonly cache = new Map<string, { key: string; json: string }>();

  constructor(private readonly m: MarathonScheduler) {}

  text(app: AppDefinition, embed: AppEmbed): string {
    // Life times change with the clock: never cached.
    if (embed.taskStats) return JSON.stringify(appJson(app, this.m, embed));
    const key = `${app.version}|${this.m.instances.revision(app.id)}|${this.m.deploymentsRevision}|${embedKey(embed)}`;
    const cacheKey = `${app.id}|${embedKey(embed)}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.key === key) return hit.json;
    const json = JSON.stringify(appJson(app, this.m, embed));
    this.cache.set(cacheKey, { key, json });
    if (this.cache.size > this.m.apps.size * 4 + 64) this.prune();
    return json;
  }

  private prune(): void {
    for (const k of this.cache.keys()) if (!this.m.apps.has(k.slice(0, k.indexOf('|')))) this.cache.delete(k);
  }
}

function embedKey(e: AppEmbed): string {
  return `${+e.tasks}${+e.counts}${+e.deployments}${+e.lastTaskFailure}${+e.taskStats}${+e.readiness}`;
}

/** `readiness` gives the readiness check results of an app's tasks, shown on the current actions as Marathon does. */
export function deploymentJson(d: Deployment, readiness: (appId: string) => unknown[] = () => []): Record<string, unknown> {
  return {
    id: d.id, version: d.version, affectedApps: d.affectedApps, affectedPods: d.affectedPods, steps: d.steps,
    currentActions: d.currentActions.map((a) => ({ ...a, readinessCheckResults: readiness(a.app) })), currentStep: d.currentStep, totalSteps: d.totalSteps,
  };
}

export function queueJson(entries: QueueEntry[], now: number, withLastOffers: boolean): Record<string, unknown> {
  return {
    queue: entries.map((e) => {
      const until = e.delay?.until ?? 0;
      const u = e.unplaced;
      const reasons = Object.entries(u?.reasons ?? {});
      return {
        count: e.count,
        delay: { timeLeftSeconds: Math.max(0, Math.ceil((until - now) / 1000)), overdue: until <= now },
        since: e.since,
        app: e.app,
        processedOffersSummary: {
          processedOffersCount: u?.processedOffers ?? 0,
          unusedOffersCount: u?.lastOffers.length ?? 0,
          ...(u ? { lastUnusedOfferAt: u.at } : {}),
          rejectSummaryLastOffers: reasons.map(([reason, declined]) => ({ reason, declined, processed: u!.processedOffers })),
          rejectSummaryLaunchAttempt: reasons.map(([reason, declined]) => ({ reason, declined, processed: u!.processedOffers })),
        },
        ...(withLastOffers ? {
          lastUnusedOffers: (u?.lastOffers ?? []).map((o) => ({
            // Marathon's offer shape: what the agent offered, so a console can say "largest offer 1024 MB".
            offer: { id: o.offerId, agentId: o.agentId, hostname: o.hostname, resources: o.resources.map(marathonResource), attributes: o.attributes.map(marathonAttribute) },
            timestamp: u!.at,
            reason: o.reasons,
          })),
        } : {}),
      };
    }),
  };
}

/** A Mesos resource as Marathon prints it in lastUnusedOffers: scalar as a number, ranges as [{begin, end}]. */
function marathonResource(r: ResourceJSON): Record<string, unknown> {
  return { name: r.name, role: r.role ?? '*', scalar: r.scalar?.value ?? 0, ranges: r.ranges?.range ?? [], set: r.set?.item ?? [] };
}

function marathonAttribute(a: AttributeJSON): Record<string, unknown> {
  return { name: a.name, scalar: a.scalar?.value ?? 0, ranges: a.ranges?.range ?? [], set: a.set?.item ?? [], text: a.text?.value ?? '' };
}

/** Marathon's text/plain task listing: per app and service port, a line of host:port pairs. */
export function tasksText(apps: AppDefinition[], instances: Instance[]): string {
  let out = '';
  const byApp = new Map<string, Instance[]>();
  for (const i of instances) {
    const list = byApp.get(i.appId);
    if (list) list.push(i); else byApp.set(i.appId, [i]);
  }
  for (const app of apps) {
    const tasks = (byApp.get(app.id) ?? []).filter((i) => i.state === 'TASK_RUNNING');
    const name = app.id.replace(/^\//, '').replace(/\//g, '_');
    const count = Math.max(app.portDefinitions.length, ...tasks.map((t) => t.ports.length), 0);
    if (count === 0) { out += `${name}\t \t${tasks.map((t) => t.host).join('\t')}\t\n`; continue; }
    for (let p = 0; p < count; p++) {
      const service = app.portDefinitions[p]?.port ?? 0;
      out += `${name}\t${service}\t${tasks.map((t) => `${t.host}:${t.ports[p] ?? ''}`).join('\t')}\t\n`;
    }
  }
  return out;
}
