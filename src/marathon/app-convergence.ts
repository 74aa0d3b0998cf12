// What one app needs right now to reach its definition: how many instances to launch, which to kill, which
// unreachable ones to forget. Pure: the scheduler calls it after every change and carries the decisions out.
// Scaling, self-healing, suspend, destroy and rolling restarts/upgrades (upgradeStrategy) all come out of it.
import type { AppDefinition } from './app-definition.ts';
import type { Instance } from './model.ts';

export interface AppDecision {
  launch: number;
  kill: Instance[];
  /** Unreachable longer than expungeAfterSeconds: forget them (and kill them should they come back). */
  expunge: Instance[];
  /** Every instance runs the current config, in the wanted number, RUNNING, with nothing left to kill. */
  converged: boolean;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : 0);

/** Kill order: unreachable, then not yet running, then by killSelection on stage time. */
export function killOrder(instances: Instance[], selection: AppDefinition['killSelection']): Instance[] {
  const rank = (i: Instance) => (i.state === 'TASK_UNREACHABLE' ? 0 : i.state === 'TASK_RUNNING' ? 2 : 1);
  return [...instances].sort((a, b) => rank(a) - rank(b)
    || (selection === 'YOUNGEST_FIRST' ? ms(b.stagedAt) - ms(a.stagedAt) : ms(a.stagedAt) - ms(b.stagedAt))
    || a.taskId.localeCompare(b.taskId));
}

/** Whether an unreachable instance still counts as one of the app's instances (unreachableStrategy). */
function unreachableStatus(app: AppDefinition | null, i: Instance, now: number): 'counted' | 'inactive' | 'expunge' {
  if (i.state !== 'TASK_UNREACHABLE' || !i.unreachableSince) return 'counted';
  if (!app || app.unreachableStrategy === 'disabled') return 'counted';
  const since = now - ms(i.unreachableSince);
  if (since >= app.unreachableStrategy.expungeAfterSeconds * 1000) return 'expunge';
  if (since >= app.unreachableStrategy.inactiveAfterSeconds * 1000) return 'inactive';
  return 'counted';
}

/**
 * `instances`: the app's non-terminal instances (including those being killed). `app` null = the app is being
 * destroyed. `healthy` says whether an instance passes its health checks and readiness checks; for an app with
 * either an instance counts as up (capacity during a restart, converged at the end) only when RUNNING and passing
 * them, as Marathon's deployments wait for health and readiness. An instance still staging or starting
 * `launchTimeoutMs` after it was staged (Marathon's --task_launch_timeout) is killed, and so replaced.
 */
export function decideApp(app: AppDefinition | null, instances: Instance[], now: number, healthy: (i: Instance) => boolean = () => true, launchTimeoutMs = Infinity): AppDecision {
  const expunge = instances.filter((i) => unreachableStatus(app, i, now) === 'expunge');
  const present = instances.filter((i) => !expunge.includes(i));
  const killing = present.filter((i) => i.killRequestedAt !== null);
  const live = present.filter((i) => i.killRequestedAt === null);
  if (!app) return { launch: 0, kill: live, expunge, converged: present.length === 0 };

  const checked = app.healthChecks.length > 0 || app.readinessChecks.length > 0;
  const up = (i: Instance) => i.state === 'TASK_RUNNING' && (!checked || healthy(i));
  const stuck = live.filter((i) => (i.state === 'TASK_STAGING' || i.state === 'TASK_STARTING') && Boolean(i.stagedAt) && now - ms(i.stagedAt) > launchTimeoutMs);
  const counted = live.filter((i) => !stuck.includes(i) && unreachableStatus(app, i, now) === 'counted');
  const current = app.versionInfo.lastConfigChangeAt;
  const fresh = counted.filter((i) => i.configVersion === current);
  const old = counted.filter((i) => i.configVersion !== current);
  const n = app.instances;
  const kill: Instance[] = [...stuck];

  if (fresh.length > n) kill.push(...killOrder(fresh, app.killSelection).slice(0, fresh.length - n));
  const freshKept = Math.min(fresh.length, n);
  const freshRunning = fresh.filter((i) => up(i) && !kill.includes(i)).length;

  let oldKept = old.length;
  if (old.length > 0) {
    // Rolling replacement: keep ceil(n × minimumHealthCapacity) running, never exceed n + floor(n × maximumOverCapacity).
    const minHealthy = Math.ceil(n * app.upgradeStrategy.minimumHealthCapacity);
    let running = freshRunning + old.filter(up).length;
    // Old instances beyond what is still needed (the app was scaled down too) can go at once.
    for (const i of killOrder(old, 'OLDEST_FIRST')) {
      const isRunning = up(i);
      if (isRunning && running - 1 < minHealthy) continue;
      kill.push(i);
      oldKept--;
      if (isRunning) running--;
    }
  }
  let maxTotal = n + Math.floor(n * app.upgradeStrategy.maximumOverCapacity);
  // minimumHealthCapacity 1 with maximumOverCapacity 0 could never move: allow one extra instance, as Marathon does.
  if (oldKept > 0 && maxTotal <= Math.ceil(n * app.upgradeStrategy.minimumHealthCapacity)) maxTotal = n + 1;
  const wanted = n - freshKept;
  const room = old.length > 0 ? maxTotal - (oldKept + freshKept + killing.length) : wanted;
  const launch = Math.max(0, Math.min(wanted, room));
  const converged = old.length === 0 && killing.length === 0 && kill.length === 0 && fresh.length === n
    && fresh.every(up);
  return { launch, kill, expunge, converged };
}

/** Launch backoff after `failures` consecutive failures: backoffSeconds × backoffFactor^(failures−1), capped. */
export function launchDelaySeconds(app: Pick<AppDefinition, 'backoffSeconds' | 'backoffFactor' | 'maxLaunchDelaySeconds'>, failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(app.backoffSeconds * app.backoffFactor ** (failures - 1), app.maxLaunchDelaySeconds);
}
