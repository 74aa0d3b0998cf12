/**
 * Marathon deployment planning, pure.
 *
 * Contract:
 * - `computeDeploymentSteps(original, target)` turns two sets of app specs into Marathon's ordered steps: one step
 *   stopping every removed app, one step starting every new app (at 0 instances), then the changed apps layered by
 *   the length of their longest dependency chain (apps without dependencies first; apps of one layer deploy in
 *   parallel). A new app is then scaled to its instances; a change of instances only (same configKey) or a change
 *   to 0 instances is a ScaleApplication; a new configKey or a new version with the same config (a restart) is a
 *   RestartApplication. Steps without actions are dropped. Throws DependencyCycleError for a cyclic target.
 * - `nextRestartActions(snapshot)` is the rolling-upgrade arithmetic of one RestartApplication: given counts of old
 *   and new instances now, how many new ones to launch and how many old ones to kill. Call it again after every
 *   change (instance started, became healthy/ready, terminated) and apply the answer; it keeps healthy capacity
 *   at or above ceil(target × minimumHealthCapacity) (never lowering it when it already is below) and the number
 *   of instances at or below target + floor(target × maximumOverCapacity).
 * See docs/decisions/0040-marathon-constraints-health-deployments.md.
 */

export interface AppSpec {
  id: string;
  version: string;
  instances: number;
  dependencies: string[];
  /** Identity of everything but `instances` (and version): a different key means the tasks must be replaced. */
  configKey: string;
}

export type DeploymentActionName = 'StartApplication' | 'ScaleApplication' | 'RestartApplication' | 'StopApplication';

export interface DeploymentStep {
  actions: Array<{ action: DeploymentActionName; app: string }>;
}

export class DependencyCycleError extends Error {
  constructor(readonly cycle: string[]) {
    // Marathon's wording, followed by the apps that form the cycle.
    super(`Dependency graph has cyclic dependencies: ${cycle.join(' -> ')}`);
    this.name = 'DependencyCycleError';
  }
}

/** The first dependency cycle among `apps` (as a path that returns to its start), or undefined. */
export function findDependencyCycle(apps: readonly Pick<AppSpec, 'id' | 'dependencies'>[]): string[] | undefined {
  const byId = new Map(apps.map((a) => [a.id, a]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of [...(byId.get(id)?.dependencies ?? [])].sort()) {
      if (!byId.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of [...byId.keys()].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Length of the longest dependency chain starting at each app (an app without dependencies has 1). */
function longestPaths(apps: readonly AppSpec[]): Map<string, number> {
  const byId = new Map(apps.map((a) => [a.id, a]));
  const memo = new Map<string, number>();
  const length = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const deps = (byId.get(id)?.dependencies ?? []).filter((d) => byId.has(d));
    const value = 1 + Math.max(0, ...deps.map(length));
    memo.set(id, value);
    return value;
  };
  for (const a of apps) length(a.id);
  return memo;
}

function sameSpec(a: AppSpec, b: AppSpec): boolean {
  return a.version === b.version && a.instances === b.instances && a.configKey === b.configKey
    && a.dependencies.length === b.dependencies.length && a.dependencies.every((d, i) => d === b.dependencies[i]);
}

export function computeDeploymentSteps(original: AppSpec[], target: AppSpec[]): DeploymentStep[] {
  const cycle = findDependencyCycle(target);
  if (cycle) throw new DependencyCycleError(cycle);
  const before = new Map(original.map((a) => [a.id, a]));
  const after = new Map(target.map((a) => [a.id, a]));
  const byId = (x: { app: string }, y: { app: string }) => (x.app < y.app ? -1 : x.app > y.app ? 1 : 0);

  const steps: DeploymentStep[] = [
    { actions: original.filter((a) => !after.has(a.id)).map((a) => ({ action: 'StopApplication' as const, app: a.id })).sort(byId) },
    { actions: target.filter((a) => !before.has(a.id)).map((a) => ({ action: 'StartApplication' as const, app: a.id })).sort(byId) },
  ];

  const changed = target.filter((a) => { const old = before.get(a.id); return !old || !sameSpec(old, a); });
  const depth = longestPaths(target);
  const layers = new Map<number, AppSpec[]>();
  for (const app of changed) {
    const d = depth.get(app.id)!;
    layers.set(d, [...(layers.get(d) ?? []), app]);
  }
  for (const d of [...layers.keys()].sort((x, y) => x - y)) {
    const actions: DeploymentStep['actions'] = [];
    for (const app of layers.get(d)!) {
      const old = before.get(app.id);
      if (!old) actions.push({ action: 'ScaleApplication', app: app.id });
      else if ((old.configKey === app.configKey && old.instances !== app.instances) || app.instances === 0) actions.push({ action: 'ScaleApplication', app: app.id });
      else if (old.version !== app.version || old.configKey !== app.configKey) actions.push({ action: 'RestartApplication', app: app.id });
    }
    steps.push({ actions: actions.sort(byId) });
  }
  return steps.filter((s) => s.actions.length > 0);
}

export interface UpgradeStrategy {
  /** 0..1: share of `target` that must stay healthy during the upgrade. Marathon's default 1. */
  minimumHealthCapacity: number;
  /** 0..1: share of `target` that may run on top of it during the upgrade. Marathon's default 1. */
  maximumOverCapacity: number;
}

/** What a RestartApplication knows about its app at one moment. */
export interface RestartSnapshot {
  /** Instances of the new version wanted (the app's `instances`). */
  target: number;
  strategy: UpgradeStrategy;
  /** Old-version instances not yet asked to stop. */
  oldRunning: number;
  /** Of oldRunning, those that count as healthy (running, and passing health checks when the app has any). */
  oldHealthy: number;
  /** Old-version instances asked to stop that are not terminal yet: they still take capacity. */
  oldStopping: number;
  /** New-version instances launched or queued and not given up (a failed one being relaunched still counts). */
  newStarted: number;
  /** Of newStarted, those healthy and ready (readiness checks passed, if any). */
  newReady: number;
}

export interface RestartActions {
  /** New-version instances to add to the launch queue now. */
  startNew: number;
  /** Old instances to kill now: unhealthy ones first (they never count toward capacity), then healthy ones. */
  killOld: number;
  /** Every new instance is ready and no old one is left: the step is complete. */
  done: boolean;
  /** The bounds used: healthy instances kept, instances never exceeded. */
  minHealthy: number;
  maxCapacity: number;
}

// Guards ceil/floor against binary fractions such as 0.29 × 100 = 28.999999999999996.
const EPSILON = 1e-9;

/** Marathon's bounds for a restart: ceil(target × minimumHealthCapacity) and target + floor(target × maximumOverCapacity). */
export function restartBounds(target: number, strategy: UpgradeStrategy): { minHealthy: number; maxCapacity: number } {
  const minHealthy = Math.ceil(target * strategy.minimumHealthCapacity - EPSILON);
  let maxCapacity = target + Math.floor(target * strategy.maximumOverCapacity + EPSILON);
  // As Marathon: with no room between the bounds (e.g. 1 and 0), one extra instance is allowed, else no old
  // instance could ever be replaced.
  if (minHealthy === maxCapacity && target > 0) maxCapacity += 1;
  return { minHealthy, maxCapacity };
}

export function nextRestartActions(s: RestartSnapshot): RestartActions {
  const { minHealthy, maxCapacity } = restartBounds(s.target, s.strategy);
  const oldRunning = Math.max(0, s.oldRunning);
  const oldHealthy = Math.min(Math.max(0, s.oldHealthy), oldRunning);
  const newStarted = Math.max(0, s.newStarted);
  const newReady = Math.min(Math.max(0, s.newReady), newStarted);
  const healthy = oldHealthy + newReady;

  const oldUnhealthy = oldRunning - oldHealthy;
  const healthyKillable = s.target === 0 ? oldHealthy : Math.min(oldHealthy, Math.max(0, healthy - minHealthy));
  const killOld = oldUnhealthy + healthyKillable;

  // Killed instances keep their capacity until they are terminal (they move to oldStopping then drop out).
  const inUse = oldRunning + Math.max(0, s.oldStopping) + newStarted;
  const startNew = Math.max(0, Math.min(s.target - newStarted, maxCapacity - inUse));

  const done = newStarted >= s.target && newReady >= s.target && oldRunning === 0 && s.oldStopping <= 0;
  return { startNew, killOld: done ? 0 : killOld, done, minHealthy, maxCapacity };
}
