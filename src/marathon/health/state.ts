// The health of one task for one health check, and how a probe result changes it: Marathon's rules
// (core/health/Health.scala and HealthCheckActor) as a pure function of the old state, the result and the time.

export type ProbeResult =
  | { kind: 'healthy' }
  | { kind: 'unhealthy'; cause: string }
  /** An HTTP 1xx answer with ignoreHttp1xx: keeps the previous health. */
  | { kind: 'ignored' };

export interface Health {
  /** Epoch milliseconds. */
  firstSuccess?: number;
  lastSuccess?: number;
  lastFailure?: number;
  lastFailureCause?: string;
  consecutiveFailures: number;
}

export const INITIAL_HEALTH: Health = Object.freeze({ consecutiveFailures: 0 });

/** Alive when the latest result was a success. */
export function isAlive(h: Health): boolean {
  return h.lastSuccess !== undefined && (h.lastFailure === undefined || h.lastSuccess > h.lastFailure);
}

export interface HealthPolicy {
  /** When the task became running (epoch ms): failures within the grace period count only after a first success. */
  startedAt: number;
  gracePeriodSeconds: number;
  /** 0 = never kill. */
  maxConsecutiveFailures: number;
}

export interface HealthTransition {
  health: Health;
  alive: boolean;
  aliveChanged: boolean;
  /** The failure counted (Marathon publishes failed_health_check_event for it). */
  failureCounted: boolean;
  /** The task should be killed and replaced (Marathon's unhealthy_task_kill_event). */
  kill: boolean;
}

/**
 * Applies one probe result. As Marathon: a success resets the failure count; a failure before the first success
 * and within the grace period is ignored entirely; a failure that finds `maxConsecutiveFailures` failures already
 * counted asks for the kill (so with 3, the 4th consecutive failing probe kills).
 */
export function applyProbeResult(prev: Health, result: ProbeResult, now: number, policy: HealthPolicy): HealthTransition {
  const wasAlive = isAlive(prev);
  let health = prev;
  let failureCounted = false;
  let kill = false;
  if (result.kind === 'healthy') {
    health = { ...prev, firstSuccess: prev.firstSuccess ?? now, lastSuccess: now, consecutiveFailures: 0 };
  } else if (result.kind === 'unhealthy') {
    const inGrace = prev.firstSuccess === undefined && now < policy.startedAt + policy.gracePeriodSeconds * 1000;
    if (!inGrace) {
      failureCounted = true;
      kill = policy.maxConsecutiveFailures > 0 && prev.consecutiveFailures >= policy.maxConsecutiveFailures;
      health = { ...prev, lastFailure: now, lastFailureCause: result.cause, consecutiveFailures: prev.consecutiveFailures + 1 };
    }
  }
  const alive = isAlive(health);
  return { health, alive, aliveChanged: alive !== wasAlive, failureCounted, kill };
}

/** Marathon's `healthCheckResults` entry for a task. */
export interface HealthCheckResultJSON {
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess?: string;
  lastSuccess?: string;
  lastFailure?: string;
  lastFailureCause?: string;
  instanceId: string;
  taskId: string;
}

export function healthToJSON(h: Health, ids: { instanceId: string; taskId: string }): HealthCheckResultJSON {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    alive: isAlive(h),
    consecutiveFailures: h.consecutiveFailures,
    ...(h.firstSuccess !== undefined ? { firstSuccess: iso(h.firstSuccess) } : {}),
    ...(h.lastSuccess !== undefined ? { lastSuccess: iso(h.lastSuccess) } : {}),
    ...(h.lastFailure !== undefined ? { lastFailure: iso(h.lastFailure) } : {}),
    ...(h.lastFailureCause !== undefined ? { lastFailureCause: h.lastFailureCause } : {}),
    instanceId: ids.instanceId,
    taskId: ids.taskId,
  };
}
