// Marathon's core: the apps, their instances and deployments in memory (persisted through MarathonRepository),
// fed by API changes and Mesos status updates. After every change it asks decideApp what each app needs and
// carries that out: kills through the scheduler client, launches through the OfferLoop and planLaunches.
import type { Logger } from 'pino';
import type { Clock, IdGenerator } from '../common/clock.ts';
import { OfferLoop, type OfferPlanner } from '../framework/offer-loop.ts';
import type { OfferBudget } from '../framework/offer-matcher.ts';
import { isTerminalState, type TaskInfo, type TaskState, type TaskStatus } from '../proto/mesos.ts';
import type { SchedulerClient } from '../scheduler-client/client.ts';
import { isConfigChange, type AppDefinition } from './app-definition.ts';
import { decideApp, launchDelaySeconds } from './app-convergence.ts';
import { evaluateConstraints } from './constraints.ts';
import type { EventBus } from './events.ts';
import { planLaunches, type QueuedApp, type Unplaced } from './launch-planner.ts';
import { isActive, type Deployment, type DeploymentAction, type Instance, type LaunchDelay, type TaskFailure } from './model.ts';
import { taskIdFor } from './path-id.ts';
import type { GroupRecord } from './groups.ts';
import { InstanceIndex } from './instance-index.ts';
import type { MarathonRepository, MarathonState } from './repository.ts';
import { taskInfoFor } from './task-builder.ts';
import { advanceSteps, heldApps, stepsForChange } from './deployment-steps.ts';
import { DependencyCycleError } from './deployment-plan.ts';
import { AppValidationError } from './app-definition.ts';
import { HealthMonitor, type HealthCheckResultJSON } from './health/index.ts';
import { portNamesOf, ReadinessMonitor, type ReadinessCheckResult } from './readiness.ts';

/** A change refused because deployments hold the app (answered 409 with their ids). */
export class AppLockedError extends Error {
  constructor(readonly deploymentIds: string[]) {
    super(`App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${deploymentIds[0]}'.`);
  }
}

export class NotFoundError extends Error {}

/** One app change of a deployment: `next` null removes the app; `restart` forces new tasks. */
export interface AppChange { id: string; next: AppDefinition | null; restart?: boolean }

/** A task that ran at least this long resets its app's launch backoff when it ends. */
const RAN_WELL_MS = 30_000;
/** Kills not confirmed after this long are sent again. */
const KILL_RETRY_MS = 10_000;
const SERVICE_PORTS = { min: 10_000, max: 20_000 };

export interface QueueEntry {
  app: AppDefinition;
  count: number;
  delay: LaunchDelay | undefined;
  since: string;
  unplaced?: Unplaced & { at: string };
}

export interface SchedulerOptions {
  repository: MarathonRepository;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Implicit reconciliation period (default 10 minutes). */
  reconciliationIntervalMs?: number;
  /** Filter on declined offers (default 5 s; new demand revives offers anyway). */
  /** Kill a task still not running this long after it was staged (Marathon --task_launch_timeout); default 5 min. */
  taskLaunchTimeoutMs?: number;
  declineOfferSeconds?: number;
}

export class MarathonScheduler {
  readonly apps = new Map<string, AppDefinition>();
  readonly versions = new Map<string, string[]>();
  readonly instances = new InstanceIndex();
  readonly deployments = new Map<string, Deployment>();
  readonly lastFailures = new Map<string, TaskFailure>();
  /** Bumped whenever a deployment starts or ends (app JSON lists the app's deployments). */
  deploymentsRevision = 0;
  /** Groups created explicitly (/v2/groups), kept while empty. */
  readonly groups = new Map<string, GroupRecord>();
  private readonly delays = new Map<string, LaunchDelay>();
  private readonly wanted = new Map<string, number>();
  private readonly queueSince = new Map<string, string>();
  private readonly unplaced = new Map<string, Unplaced & { at: string }>();
  /** Apps being destroyed: removed from `apps`, their tasks still being killed. */
  private readonly destroying = new Set<string>();
  private readonly lastKillSent = new Map<string, number>();
  private client?: SchedulerClient;
  private offerLoop?: OfferLoop;
  private tick?: NodeJS.Timeout;
  private reconcileTimer?: NodeJS.Timeout;
  private convergeScheduled = false;
  private lastVersion = 0;
  /** A deployment started: offers filtered by earlier declines should come back. */
  private reviveRequested = false;

  /** Marathon-side health checks (HTTP/HTTPS/TCP) of running tasks, and the results of the agent-side ones. */
  readonly health: HealthMonitor;
  /** Readiness checks of running tasks of apps that define them (a deployment waits for them). */
  readonly readiness: ReadinessMonitor;

  constructor(private readonly opts: SchedulerOptions) {
    this.readiness = new ReadinessMonitor({
      onResult: (taskId) => { const i = this.instances.get(taskId); if (i) this.instances.touch(i.appId); },
      // A new instance becoming ready may let a deployment move on.
      onReady: () => this.scheduleConverge(),
    });
    this.health = new HealthMonitor({
      now: () => opts.clock.now(),
      onResult: (taskId) => { const i = this.instances.get(taskId); if (i) this.instances.touch(i.appId); },
      onChange: (taskId, alive) => {
        const i = this.instances.get(taskId);
        if (!i) return;
        opts.events.publish('health_status_changed_event', { appId: i.appId, instanceId: taskId, taskId, version: i.version, alive });
        // A new instance becoming healthy may let a deployment move on.
        this.scheduleConverge();
      },
      onFailure: (taskId, index, cause) => {
        const i = this.instances.get(taskId);
        if (!i) return;
        opts.events.publish('failed_health_check_event', { appId: i.appId, instanceId: taskId, taskId, version: i.version, healthCheck: this.apps.get(i.appId)?.healthChecks[index] ?? null, cause });
      },
      onUnhealthy: (taskId, reason) => {
        const i = this.instances.get(taskId);
        if (!i || i.killRequestedAt !== null) return;
        opts.logger.info({ taskId, appId: i.appId, reason }, 'killing an unhealthy task');
        opts.events.publish('unhealthy_task_kill_event', { appId: i.appId, instanceId: taskId, taskId, version: i.version, reason, host: i.host, slaveId: i.agentId });
        // Killed by Marathon, so no launch backoff: convergence replaces it at once.
        this.persist(this.requestKill(i));
        this.scheduleConverge();
      },
    });
  }

  /** Marathon's `healthCheckResults` of a task ([] while it is not running or its app has no health checks). */
  healthResults(taskId: string): HealthCheckResultJSON[] { return this.health.results(taskId); }

  /** Whether a task passes every health check of its app (false before the first result). */
  isHealthy(i: Instance): boolean { return this.health.alive(i.taskId) === true; }

  /** Whether a running task counts for its app: healthy when it has health checks, ready when readiness checks. */
  private isUp(i: Instance): boolean {
    const app = this.apps.get(i.appId);
    return (!app || app.healthChecks.length === 0 || this.isHealthy(i)) && this.isReady(i);
  }

  /** Whether a task passed its app's readiness checks (true when the app has none). */
  isReady(i: Instance): boolean {
    const app = this.apps.get(i.appId);
    return !app || app.readinessChecks.length === 0 || this.readiness.isReady(i.taskId);
  }

  /** Marathon's `readinessCheckResults` of an app's tasks still being, or already, checked. */
  readinessResults(appId: string): ReadinessCheckResult[] {
    return this.instances.ofApp(appId).flatMap((i) => this.readiness.results(i.taskId));
  }

  /** Starts health (and readiness) checking a running task with its app's checks (no-op for apps without). */
  private trackHealth(i: Instance): void {
    const app = this.apps.get(i.appId);
    if (app && app.readinessChecks.length > 0 && i.state === 'TASK_RUNNING' && !this.readiness.isTracked(i.taskId)) {
      this.readiness.track({ taskId: i.taskId, host: i.host, ports: i.ports, checks: app.readinessChecks, portNames: portNamesOf(app) });
    }
    if (!app || app.healthChecks.length === 0 || i.state !== 'TASK_RUNNING' || this.health.results(i.taskId).length > 0) return;
    this.health.track({ taskId: i.taskId, appId: i.appId, host: i.host, ports: i.ports, startedAt: Date.parse(i.startedAt ?? new Date(this.opts.clock.now()).toISOString()), healthChecks: app.healthChecks });
  }

  get frameworkId(): string | undefined { return this.client?.frameworkId; }
  get connected(): boolean { return this.client?.connected ?? false; }

  /**
   * Loads the persisted state (before the client subscribes, so reconciliation knows every task). `replace`
   * first forgets what is in memory (a re-elected leader reloading what another leader wrote).
   */
  restore(state: MarathonState, opts: { replace?: boolean } = {}): void {
    if (opts.replace) {
      for (const m of [this.apps, this.versions, this.deployments, this.lastFailures, this.groups, this.delays, this.wanted, this.queueSince, this.unplaced, this.lastKillSent]) m.clear();
      for (const i of [...this.instances.values()]) this.instances.delete(i.taskId);
      this.health.stop();
      this.readiness.stop();
      this.destroying.clear();
      this.deploymentsRevision++;
    }
    for (const app of state.apps) this.apps.set(app.id, app);
    for (const [id, list] of state.versions) this.versions.set(id, list);
    for (const g of state.groups) this.groups.set(g.id, g);
    for (const i of state.instances) this.instances.set(i.taskId, i);
    for (const d of state.deployments) {
      this.deployments.set(d.id, d);
      for (const [appId, target] of Object.entries(d.target)) if (target === null && !this.apps.has(appId)) this.destroying.add(appId);
    }
    for (const i of state.instances) if (!this.apps.has(i.appId)) this.destroying.add(i.appId);
  }

  /** Starts driving the cluster through a subscribed-or-subscribing client. */
  attach(client: SchedulerClient): void {
    this.client = client;
    client.setKnownTasks(() => [...this.instances.values()].map((i) => ({ task_id: { value: i.taskId }, agent_id: { value: i.agentId } })));
    client.on('subscribed', ({ frameworkId }) => {
      this.persist(this.opts.repository.saveFrameworkId(frameworkId));
      // Implicit reconciliation: the master tells us about every task it knows for us; unknown ones get killed.
      client.reconcile([]).catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'implicit reconciliation failed'));
      this.scheduleConverge();
    });
    client.on('update', (status) => this.onStatus(status));
    for (const i of this.instances.values()) this.trackHealth(i);
    const planner: OfferPlanner = {
      wantsOffers: () => this.pendingLaunches().length > 0,
      plan: (offers) => this.planOffers(offers),
      launchFailed: (tasks) => this.launchFailed(tasks),
    };
    this.offerLoop = new OfferLoop(client, planner, { logger: this.opts.logger, refuseSeconds: this.opts.declineOfferSeconds ?? 5 });
    this.offerLoop.start();
    this.tick = setInterval(() => this.converge(), 1000);
    this.tick.unref();
    // Periodic implicit reconciliation, as Marathon's --reconciliation_interval (10 minutes).
    this.reconcileTimer = setInterval(() => {
      if (client.connected) client.reconcile([]).catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'periodic reconciliation failed'));
    }, this.opts.reconciliationIntervalMs ?? 600_000);
    this.reconcileTimer.unref();
    this.scheduleConverge();
  }

  detach(): void {
    if (this.tick) clearInterval(this.tick);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.offerLoop?.stop();
    this.health.stop();
    this.readiness.stop();
    this.client?.removeAllListeners('update');
    this.client = undefined;
  }

  // ---------- versions and ids ----------

  /** A fresh ISO version, strictly later than every earlier one. */
  newVersion(): string {
    const now = Math.max(this.opts.clock.now(), this.lastVersion + 1);
    this.lastVersion = now;
    return new Date(now).toISOString();
  }

  /** Gives port-0 port definitions a service port from 10000-20000 that no other app uses. */
  assignServicePorts(app: AppDefinition, alsoTaken: Iterable<number> = []): AppDefinition {
    if (!app.portDefinitions.some((p) => p.port === 0)) return app;
    const used = new Set<number>(alsoTaken);
    for (const other of this.apps.values()) if (other.id !== app.id) for (const p of other.portDefinitions) used.add(p.port);
    for (const p of app.portDefinitions) used.add(p.port);
    let next = SERVICE_PORTS.min;
    const portDefinitions = app.portDefinitions.map((p) => {
      if (p.port !== 0) return p;
      while (used.has(next) && next < SERVICE_PORTS.max) next++;
      used.add(next);
      return { ...p, port: next };
    });
    return { ...app, portDefinitions };
  }

  // ---------- changes from the API ----------

  /** The deployments that hold an app. */
  deploymentsOf(appId: string): Deployment[] {
    return [...this.deployments.values()].filter((d) => d.affectedApps.includes(appId));
  }

  private checkLock(appIds: string[], force: boolean): void {
    const held = [...new Set(appIds.flatMap((id) => this.deploymentsOf(id)))];
    if (held.length === 0) return;
    if (!force) throw new AppLockedError(held.map((d) => d.id));
    for (const d of held) this.persist(this.finishDeployment(d, false));
  }

  /**
   * Creates or changes an app (`next` already validated; versions are stamped here) and starts its deployment.
   */
  async putApp(next: AppDefinition, opts: { force: boolean; restart?: boolean }): Promise<{ app: AppDefinition; deployment: Deployment }> {
    const deployment = await this.applyChanges([{ id: next.id, next, ...(opts.restart ? { restart: true } : {}) }], opts.force);
    return { app: this.apps.get(next.id)!, deployment };
  }

  async deleteApp(appId: string, force: boolean): Promise<Deployment> {
    return this.applyChanges([{ id: appId, next: null }], force);
  }

  /**
   * Several app changes as one deployment (a group change): `next` null removes the app; `groups` are groups the
   * change (re)declares, whose dependencies order the steps with the recorded ones. Refused with
   * AppLockedError when a running deployment holds any of them (unless forced), NotFoundError for a missing app
   * to remove.
   */
  async applyChanges(changes: AppChange[], force: boolean, groups: Array<{ id: string; dependencies: string[] }> = []): Promise<Deployment> {
    for (const c of changes) if (c.next === null && !this.apps.has(c.id)) throw new NotFoundError(`App '${c.id}' does not exist`);
    const version = this.newVersion();
    // First the target state, without touching anything: its plan may be refused (a dependency cycle).
    const planned: Array<{ id: string; current: AppDefinition | undefined; app: AppDefinition | null; configChanged: boolean }> = [];
    const taken: number[] = [];
    for (const { id, next, restart } of changes) {
      const current = this.apps.get(id);
      if (next === null) { planned.push({ id, current, app: null, configChanged: false }); continue; }
      const withPorts = this.assignServicePorts(next, taken);
      taken.push(...withPorts.portDefinitions.map((p) => p.port));
      const configChanged = !current || restart === true || isConfigChange(current, withPorts);
      const app: AppDefinition = {
        ...withPorts, version,
        versionInfo: { lastConfigChangeAt: configChanged ? version : current!.versionInfo.lastConfigChangeAt, lastScalingAt: version },
      };
      // Refused before anything changes: a write the store then rejects would lose the app at the next restart.
      const tooLarge = this.opts.repository.tooLarge(app, 'the app definition');
      if (tooLarge) throw new AppValidationError([{ path: changes.length > 1 ? id : '/', errors: [tooLarge] }]);
      planned.push({ id, current, app, configChanged });
    }
    // The deployment record holds every changed app before and after: on ZooKeeper a change of hundreds of large
    // apps does not fit one record, so it is refused whole (make it in smaller steps) rather than half applied.
    const deploymentTooLarge = this.opts.repository.tooLarge(planned.map((p) => [p.current ?? null, p.app]), "this change's deployment record (every changed app before and after)");
    if (deploymentTooLarge) throw new AppValidationError([{ path: '/', errors: [`${deploymentTooLarge}: change fewer apps at a time`] }]);
    const after = new Map(this.apps);
    for (const p of planned) if (p.app) after.set(p.id, p.app); else after.delete(p.id);
    const fallback: DeploymentAction[] = planned.map((p) => ({ app: p.id, action: !p.app ? 'StopApplication' : !p.current ? 'StartApplication' : p.configChanged ? 'RestartApplication' : 'ScaleApplication' }));
    let steps: Array<{ actions: DeploymentAction[] }>;
    try {
      const groupDependencies = new Map<string, string[]>([...this.groups.values()].map((g) => [g.id, g.dependencies]));
      for (const g of groups) groupDependencies.set(g.id, g.dependencies);
      steps = stepsForChange(this.apps.values(), after.values(), fallback, groupDependencies);
    } catch (err) {
      if (err instanceof DependencyCycleError) throw new AppValidationError([{ path: '/', errors: [err.message] }]);
      throw err;
    }
    this.checkLock(changes.map((c) => c.id), force);

    const original: Record<string, unknown> = {};
    const target: Record<string, unknown> = {};
    // Every write of the change and its deployment goes into one commit; the answer waits for it.
    const writes: Promise<void>[] = [];
    for (const { id, current, app, configChanged } of planned) {
      original[id] = current ?? null;
      target[id] = app;
      if (app === null) {
        this.apps.delete(id);
        this.destroying.add(id);
        this.delays.delete(id);
        this.wanted.delete(id);
        this.unplaced.delete(id);
        const versions = this.versions.get(id) ?? [];
        this.versions.delete(id);
        writes.push(this.opts.repository.deleteApp(id, versions));
        continue;
      }
      this.apps.set(id, app);
      this.destroying.delete(id);
      this.versions.set(id, [...(this.versions.get(id) ?? []), version]);
      if (configChanged) { this.delays.delete(id); this.unplaced.delete(id); }
      writes.push(this.opts.repository.saveApp(app));
    }
    return this.startDeployment(version, fallback, original, target, writes, steps);
  }

  /** Kills tasks on request; `scale` lowers the app's instances instead of letting them be replaced. */
  async killTasks(taskIds: string[], opts: { scale: boolean; wipe: boolean; force?: boolean }): Promise<{ killed: Instance[]; deployment?: Deployment }> {
    const killed = taskIds.map((id) => this.instances.get(id)).filter((i): i is Instance => i !== undefined && isActive(i.state));
    let deployment: Deployment | undefined;
    if (opts.scale) {
      const byApp = new Map<string, number>();
      for (const i of killed) byApp.set(i.appId, (byApp.get(i.appId) ?? 0) + 1);
      this.checkLock([...byApp.keys()], opts.force ?? false);
      const version = this.newVersion();
      const original: Record<string, unknown> = {};
      const target: Record<string, unknown> = {};
      const writes: Promise<void>[] = [];
      for (const [appId, n] of byApp) {
        const app = this.apps.get(appId);
        if (!app) continue;
        const scaled: AppDefinition = { ...app, instances: Math.max(0, app.instances - n), version, versionInfo: { ...app.versionInfo, lastScalingAt: version } };
        original[appId] = app;
        target[appId] = scaled;
        this.apps.set(appId, scaled);
        this.versions.set(appId, [...(this.versions.get(appId) ?? []), version]);
        writes.push(this.opts.repository.saveApp(scaled));
      }
      for (const i of killed) writes.push(this.requestKill(i));
      deployment = await this.startDeployment(version, Object.keys(target).map((app) => ({ app, action: 'ScaleApplication' as const })), original, target, writes);
    } else {
      await Promise.all(killed.map((i) => this.requestKill(i)));
    }
    this.scheduleConverge();
    return { killed, ...(deployment ? { deployment } : {}) };
  }

  /** Records explicit groups (kept while empty) and forgets removed ones. */
  async saveGroups(put: GroupRecord[], remove: string[]): Promise<void> {
    for (const id of remove) { this.groups.delete(id); await this.opts.repository.deleteGroup(id); }
    for (const g of put) { this.groups.set(g.id, g); await this.opts.repository.saveGroup(g); }
  }

  resetDelay(appId: string): boolean {
    if (!this.apps.has(appId)) return false;
    this.delays.delete(appId);
    this.scheduleConverge();
    return true;
  }

  /** DELETE /v2/deployments/{id}: force just forgets it; otherwise a new deployment restores the originals. */
  async cancelDeployment(id: string, force: boolean): Promise<Deployment | undefined> {
    const d = this.deployments.get(id);
    if (!d) throw new NotFoundError(`DeploymentPlan ${id} does not exist`);
    await this.finishDeployment(d, false);
    if (force) return undefined;
    const version = this.newVersion();
    const actions: DeploymentAction[] = [];
    const original: Record<string, unknown> = {};
    const target: Record<string, unknown> = {};
    const writes: Promise<void>[] = [];
    for (const appId of d.affectedApps) {
      const before = d.original[appId] as AppDefinition | null;
      const now = this.apps.get(appId) ?? null;
      original[appId] = now;
      if (before === null) {
        if (now) { this.apps.delete(appId); this.destroying.add(appId); writes.push(this.opts.repository.deleteApp(appId, this.versions.get(appId) ?? [])); this.versions.delete(appId); }
        target[appId] = null;
        actions.push({ app: appId, action: 'StopApplication' });
      } else {
        const restored: AppDefinition = { ...before, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: now && !isConfigChange(now, before) ? now.versionInfo.lastConfigChangeAt : version } };
        this.apps.set(appId, restored);
        this.destroying.delete(appId);
        this.versions.set(appId, [...(this.versions.get(appId) ?? []), version]);
        writes.push(this.opts.repository.saveApp(restored));
        target[appId] = restored;
        actions.push({ app: appId, action: now ? 'RestartApplication' : 'StartApplication' });
      }
    }
    return this.startDeployment(version, actions, original, target, writes);
  }

  // ---------- deployments ----------

  /**
   * Records and announces a deployment and starts acting on it; resolves once it and `writes` are committed.
   * `steps` defaults to one step of all `actions`; `affectedApps` are the apps of `actions` (what it locks).
   */
  private async startDeployment(version: string, actions: DeploymentAction[], original: Record<string, unknown>, target: Record<string, unknown>, writes: Promise<void>[] = [], steps: Array<{ actions: DeploymentAction[] }> = [{ actions }]): Promise<Deployment> {
    const d: Deployment = {
      id: this.opts.ids.uuid(), version, affectedApps: [...new Set([...actions.map((a) => a.app), ...steps.flatMap((s) => s.actions.map((a) => a.app))])], affectedPods: [],
      steps, currentActions: currentActionsOf(steps, 1), currentStep: 1, totalSteps: steps.length,
      original, target,
    };
    this.deployments.set(d.id, d);
    this.deploymentsRevision++;
    this.reviveRequested = true;
    writes.push(this.opts.repository.saveDeployment(d));
    this.opts.events.publish('deployment_info', { plan: planJson(d), currentStep: d.steps[0] });
    this.scheduleConverge();
    await Promise.all(writes);
    return d;
  }

  /**
   * Moves a deployment past the steps that are done (announcing each), and finishes it after the last. Returns
   * whether it is still running.
   */
  private advanceDeployment(d: Deployment, converged: Set<string>): boolean {
    const done = (a: DeploymentAction) => {
      if (a.action === 'StartApplication') return true;
      if (a.action === 'StopApplication') return !this.apps.has(a.app) && !this.destroying.has(a.app);
      // A removed app (a later forced change) has nothing left to deploy.
      return converged.has(a.app) || (!this.apps.has(a.app) && !this.destroying.has(a.app));
    };
    const { finished, currentStep } = advanceSteps(d, done);
    if (finished.length === 0) return true;
    for (const n of finished) this.opts.events.publish('deployment_step_success', { plan: planJson(d), currentStep: d.steps[n - 1] });
    if (currentStep > d.steps.length) {
      this.persist(this.finishDeployment(d, true));
      return false;
    }
    d.currentStep = currentStep;
    d.currentActions = currentActionsOf(d.steps, currentStep);
    this.deploymentsRevision++;
    this.persist(this.opts.repository.saveDeployment(d));
    this.opts.events.publish('deployment_info', { plan: planJson(d), currentStep: d.steps[currentStep - 1] });
    return true;
  }

  private async finishDeployment(d: Deployment, success: boolean): Promise<void> {
    if (!this.deployments.delete(d.id)) return;
    this.deploymentsRevision++;
    await this.opts.repository.deleteDeployment(d.id);
    // Marathon announces every deployment's outcome as a change of the root group as well.
    if (success) {
      this.opts.events.publish('deployment_success', { id: d.id, plan: planJson(d) });
      this.opts.events.publish('group_change_success', { groupId: '/', version: d.version });
    } else {
      this.opts.events.publish('deployment_failed', { id: d.id, plan: planJson(d), reason: 'cancelled' });
      this.opts.events.publish('group_change_failed', { groupId: '/', version: d.version, reason: 'deployment cancelled' });
    }
  }

  // ---------- convergence ----------

  scheduleConverge(): void {
    if (this.convergeScheduled) return;
    this.convergeScheduled = true;
    setImmediate(() => { this.convergeScheduled = false; this.converge(); });
  }

  private activeInstancesOf(appId: string): Instance[] {
    return this.instances.ofApp(appId).filter((i) => isActive(i.state));
  }

  private converge(): void {
    const now = this.opts.clock.now();
    let reviveNeeded = this.reviveRequested;
    this.reviveRequested = false;
    const ids = [...new Set([...this.apps.keys(), ...this.destroying])];
    const decisions = new Map(ids.map((appId) => [appId, decideApp(this.apps.get(appId) ?? null, this.activeInstancesOf(appId), now, (i) => this.isUp(i), this.opts.taskLaunchTimeoutMs ?? 300_000)]));
    const converged = new Set(ids.filter((id) => decisions.get(id)!.converged));
    // Destroyed apps whose last task is gone are forgotten first, so a deployment stopping them can move on now.
    for (const appId of ids) {
      if (this.apps.has(appId) || !converged.has(appId)) continue;
      this.destroying.delete(appId);
      this.opts.events.publish('app_terminated_event', { appId });
    }
    // Deployment steps: finished ones move on; apps of later steps wait (group dependencies).
    const held = new Set<string>();
    for (const d of [...this.deployments.values()]) {
      if (this.advanceDeployment(d, converged)) for (const id of heldApps(d)) held.add(id);
    }
    for (const appId of ids) {
      const app = this.apps.get(appId) ?? null;
      const decision = decisions.get(appId)!;
      for (const i of decision.expunge) {
        this.health.untrack(i.taskId);
        this.readiness.untrack(i.taskId);
        this.instances.delete(i.taskId);
        this.persist(this.opts.repository.deleteInstance(i.taskId));
      }
      if (held.has(appId)) {
        this.wanted.delete(appId);
        this.queueSince.delete(appId);
        this.unplaced.delete(appId);
        continue;
      }
      for (const i of decision.kill) this.persist(this.requestKill(i));
      if (decision.launch > 0 && app) {
        if (!this.queueSince.has(appId)) this.queueSince.set(appId, new Date(now).toISOString());
        if (decision.launch > (this.wanted.get(appId) ?? 0)) reviveNeeded = true;
        this.wanted.set(appId, decision.launch);
      } else {
        this.wanted.delete(appId);
        this.queueSince.delete(appId);
        this.unplaced.delete(appId);
      }
    }
    // Re-send kills the master has not confirmed.
    for (const i of this.instances.values()) {
      if (i.killRequestedAt && isActive(i.state) && now - (this.lastKillSent.get(i.taskId) ?? 0) > KILL_RETRY_MS) this.sendKill(i);
    }
    // New demand: revive so that offers declined with a filter earlier come back at once (as Marathon does).
    if (reviveNeeded && this.pendingLaunches().length > 0 && this.client?.connected) this.client.revive().catch((err: Error) => this.opts.logger.debug({ err: err.message }, 'revive failed'));
    else this.offerLoop?.wake();
  }

  /** Marks the instance as going away (its end is no failure; a replacement may start at once) and kills it. */
  private async requestKill(i: Instance): Promise<void> {
    if (i.killRequestedAt !== null) return;
    i.killRequestedAt = new Date(this.opts.clock.now()).toISOString();
    await this.opts.repository.saveInstance(i);
    this.sendKill(i);
  }

  private sendKill(i: Instance): void {
    this.lastKillSent.set(i.taskId, this.opts.clock.now());
    const app = this.apps.get(i.appId);
    this.client?.kill(i.taskId, i.agentId, app?.taskKillGracePeriodSeconds ?? undefined)
      .catch((err: Error) => this.opts.logger.warn({ err: err.message, taskId: i.taskId }, 'kill not sent'));
  }

  // ---------- launch queue and offers ----------

  /** Apps with instances to launch now (not delayed). */
  private pendingLaunches(): QueuedApp[] {
    const now = this.opts.clock.now();
    const out: QueuedApp[] = [];
    for (const [appId, count] of this.wanted) {
      const app = this.apps.get(appId);
      if (!app || count <= 0) continue;
      if ((this.delays.get(appId)?.until ?? 0) > now) continue;
      const placed = this.activeInstancesOf(appId).filter((i) => i.killRequestedAt === null)
        .map((i) => ({ hostname: i.host, attributes: i.attributes ?? [] }));
      out.push({ app, count, placed });
    }
    return out;
  }

  /** The launch queue as /v2/queue shows it. */
  queue(): QueueEntry[] {
    return [...this.wanted].flatMap(([appId, count]) => {
      const app = this.apps.get(appId);
      if (!app) return [];
      const unplaced = this.unplaced.get(appId);
      return [{ app, count, delay: this.delays.get(appId), since: this.queueSince.get(appId) ?? app.version, ...(unplaced ? { unplaced } : {}) }];
    });
  }

  private planOffers(offers: OfferBudget[]): Map<string, TaskInfo[]> {
    const queue = this.pendingLaunches();
    const plan = planLaunches(queue, offers, (appId) => taskIdFor(appId, this.opts.ids.uuid()), evaluateConstraints);
    const at = new Date(this.opts.clock.now()).toISOString();
    for (const [appId, u] of plan.unplaced) this.unplaced.set(appId, { ...u, at });
    const out = new Map<string, TaskInfo[]>();
    for (const launch of plan.launches) {
      const app = launch.app;
      const instance: Instance = {
        taskId: launch.taskId, appId: app.id, agentId: launch.agentId, host: launch.host, ports: launch.ports,
        servicePorts: app.portDefinitions.map((p) => p.port), state: 'TASK_STAGING', version: app.version,
        configVersion: app.versionInfo.lastConfigChangeAt, stagedAt: at, startedAt: null, killRequestedAt: null,
        unreachableSince: null, ipAddresses: [], attributes: launch.attributes,
      };
      this.instances.set(instance.taskId, instance);
      this.persist(this.opts.repository.saveInstance(instance));
      const left = (this.wanted.get(app.id) ?? 0) - 1;
      if (left > 0) this.wanted.set(app.id, left); else { this.wanted.delete(app.id); this.unplaced.delete(app.id); }
      out.set(launch.offerId, [...(out.get(launch.offerId) ?? []), taskInfoFor(launch)]);
      this.publishInstance(instance, 'TASK_STAGING', '');
    }
    return out;
  }

  private launchFailed(tasks: TaskInfo[]): void {
    for (const t of tasks) {
      const i = this.instances.get(t.task_id.value);
      if (!i) continue;
      this.instances.delete(i.taskId);
      this.persist(this.opts.repository.deleteInstance(i.taskId));
    }
    this.scheduleConverge();
  }

  // ---------- status updates ----------

  private onStatus(status: TaskStatus): void {
    const taskId = status.task_id.value;
    const i = this.instances.get(taskId);
    const gone = isTerminalState(status.state) || status.state === 'TASK_UNKNOWN';
    if (!i) {
      // Not ours (anymore): a task Marathon does not know must not run.
      if (!gone && status.agent_id) {
        this.opts.logger.info({ taskId, state: status.state }, 'killing a task Marathon does not know');
        this.client?.kill(taskId, status.agent_id.value).catch(() => undefined);
      }
      return;
    }
    const now = this.opts.clock.now();
    const nowIso = new Date(now).toISOString();
    const previous = i.state;
    i.state = status.state;
    this.instances.touch(i.appId);
    if (status.message) i.message = status.message;
    if (status.state === 'TASK_RUNNING' && !i.startedAt) i.startedAt = nowIso;
    if (status.state === 'TASK_UNREACHABLE') i.unreachableSince ??= nowIso;
    else i.unreachableSince = null;
    if (status.state === 'TASK_RUNNING' && i.ipAddresses.length === 0) i.ipAddresses = [{ ipAddress: i.host, protocol: 'IPv4' }];
    this.publishStatus(i, status);
    if (previous !== status.state) this.publishInstance(i, status.state, status.message ?? '');
    if (!gone) {
      this.trackHealth(i);
      // The agent ran the task's COMMAND / MESOS_* check (TaskInfo.health_check).
      if (status.healthy !== undefined) this.health.reportMesosHealth(taskId, status.healthy);
    }
    if (gone) {
      this.health.untrack(taskId);
      this.readiness.untrack(taskId);
      this.instances.delete(taskId);
      this.lastKillSent.delete(taskId);
      this.persist(this.opts.repository.deleteInstance(taskId));
      if (i.killRequestedAt === null) this.recordFailure(i, status, now);
    } else if (previous !== status.state) {
      this.persist(this.opts.repository.saveInstance(i));
    }
    this.scheduleConverge();
  }

  private recordFailure(i: Instance, status: TaskStatus, now: number): void {
    const app = this.apps.get(i.appId);
    if (!app) return;
    this.instances.touch(app.id);
    this.lastFailures.set(app.id, {
      appId: app.id, host: i.host, message: status.message ?? '', state: status.state, taskId: i.taskId,
      timestamp: new Date(now).toISOString(), version: i.version, slaveId: i.agentId,
    });
    const ranWell = i.startedAt !== null && now - Date.parse(i.startedAt) >= RAN_WELL_MS;
    const failures = (ranWell ? 0 : this.delays.get(app.id)?.failures ?? 0) + 1;
    this.delays.set(app.id, { failures, until: now + launchDelaySeconds(app, failures) * 1000 });
  }

  private publishStatus(i: Instance, status: TaskStatus): void {
    this.opts.events.publish('status_update_event', {
      slaveId: i.agentId, taskId: i.taskId, taskStatus: status.state, message: status.message ?? '', appId: i.appId, host: i.host,
      ipAddresses: i.ipAddresses, ports: i.ports, version: i.version,
    });
  }

  private publishInstance(i: Instance, state: TaskState, message: string): void {
    this.opts.events.publish('instance_changed_event', {
      instanceId: i.taskId, condition: conditionOf(state), runSpecId: i.appId, agentId: i.agentId, host: i.host,
      runSpecVersion: i.version, message,
    });
  }

  /** A write nobody waits for: a failure is logged (and the state is rewritten at the next change). */
  private persist(write: Promise<unknown>): void {
    write.catch((err: Error) => this.opts.logger.error({ err: err.message }, 'could not persist Marathon state'));
  }

  /** Resolves once every state change so far is on disk. */
  flush(): Promise<void> { return this.opts.repository.flush(); }
}

/** Marathon's instance condition names for Mesos task states. */
export function conditionOf(state: TaskState): string {
  const map: Partial<Record<TaskState, string>> = {
    TASK_STAGING: 'Staging', TASK_STARTING: 'Starting', TASK_RUNNING: 'Running', TASK_KILLING: 'Killing', TASK_FINISHED: 'Finished',
    TASK_FAILED: 'Failed', TASK_KILLED: 'Killed', TASK_ERROR: 'Error', TASK_LOST: 'Gone', TASK_DROPPED: 'Dropped',
    TASK_UNREACHABLE: 'Unreachable', TASK_GONE: 'Gone', TASK_GONE_BY_OPERATOR: 'GoneByOperator', TASK_UNKNOWN: 'Unknown',
  };
  return map[state] ?? 'Unknown';
}

function currentActionsOf(steps: Array<{ actions: DeploymentAction[] }>, currentStep: number): Deployment['currentActions'] {
  return (steps[currentStep - 1]?.actions ?? []).map((a) => ({ ...a, readinessCheckResults: [] }));
}

/** A deployment plan as Marathon's events carry it. */
export function planJson(d: Deployment): Record<string, unknown> {
  const group = (apps: Record<string, unknown>) => ({ id: '/', apps: Object.values(apps).filter((a) => a !== null), groups: [], dependencies: [], version: d.version });
  return { id: d.id, original: group(d.original), target: group(d.target), steps: d.steps, version: d.version };
}
