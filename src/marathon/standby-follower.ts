// A Marathon standby on a shared store (ZooKeeper) follows the leader's writes through Store.watch, so the reads it
// answers itself while no leader answers (decision 0085) show the current apps, tasks, deployments and groups, not
// those of its own start. Each reported key is read again and applied to the read model; the leader, which alone
// writes, reloads everything when it takes over, as before.
import type { Logger } from 'pino';
import type { Store, StoreUnwatch } from '../state/store.ts';
import type { AppDefinition } from './app-definition.ts';
import type { GroupRecord } from './groups.ts';
import type { InstanceIndex } from './instance-index.ts';
import type { Deployment, Instance } from './model.ts';
import type { MarathonState } from './repository.ts';

/** The parts of the scheduler a standby's reads come from. */
export interface ReadModel {
  readonly apps: Map<string, AppDefinition>;
  readonly versions: Map<string, string[]>;
  readonly instances: InstanceIndex;
  readonly deployments: Map<string, Deployment>;
  readonly groups: Map<string, GroupRecord>;
  deploymentsRevision: number;
}

/** Applies the stored value of one key (undefined: deleted) to the read model; false for keys it does not hold. */
export function applyStoredValue(model: ReadModel, prefix: string, key: string, value: unknown): boolean {
  if (!key.startsWith(`${prefix}/`)) return false;
  const [kind, ...rest] = key.slice(prefix.length + 1).split('/');
  const ids = rest.map((s) => decodeURIComponent(s));
  if (kind === 'apps' && ids.length === 1) {
    if (value === undefined) model.apps.delete(ids[0]!); else model.apps.set(ids[0]!, value as AppDefinition);
  } else if (kind === 'app-versions' && ids.length === 2) {
    const [id, version] = ids as [string, string];
    const list = (model.versions.get(id) ?? []).filter((v) => v !== version);
    if (value !== undefined) list.push(version);
    if (list.length > 0) model.versions.set(id, list.sort()); else model.versions.delete(id);
  } else if (kind === 'instances' && ids.length === 1) {
    if (value === undefined) model.instances.delete(ids[0]!); else model.instances.set(ids[0]!, value as Instance);
  } else if (kind === 'deployments' && ids.length === 1) {
    if (value === undefined) model.deployments.delete(ids[0]!); else model.deployments.set(ids[0]!, value as Deployment);
    model.deploymentsRevision++;
  } else if (kind === 'groups' && ids.length === 1) {
    if (value === undefined) model.groups.delete(ids[0]!); else model.groups.set(ids[0]!, value as GroupRecord);
  } else {
    return false;
  }
  return true;
}

export interface StandbyFollowerOptions {
  store: Store;
  model: ReadModel;
  /** Loads the whole state (MarathonRepository.load) and replaces the read model with it. */
  reload(): Promise<MarathonState | void>;
  prefix?: string;
  logger: Logger;
}

export class StandbyFollower {
  private unwatch?: StoreUnwatch;
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  /** start() was called and stop() was not since: a watch that cannot be armed yet is tried again. */
  private wanted = false;
  private retry?: NodeJS.Timeout;
  private failures = 0;

  constructor(private readonly o: StandbyFollowerOptions) {}

  /**
   * Watches, then reloads once (so nothing written between the last load and the watch is missed), then applies
   * each change. A store that cannot be watched (no quorum) is tried again every second until stop().
   */
  async start(): Promise<void> {
    this.wanted = true;
    if (this.running) return;
    this.running = true;
    const prefix = this.o.prefix ?? '/marathon';
    try {
      const unwatch = await this.o.store.watch(`${prefix}/`, (change) => this.enqueue(async () => {
        const value = change.type === 'put' ? (await this.o.store.get(change.key))?.value : undefined;
        applyStoredValue(this.o.model, prefix, change.key, value);
      }));
      if (!this.running) { unwatch(); return; } // stopped meanwhile
      this.unwatch = unwatch;
      this.failures = 0;
    } catch (err) {
      this.running = false;
      this.o.logger[this.failures++ === 0 ? 'warn' : 'debug']({ err: (err as Error).message }, 'standby cannot follow the stored state yet; trying again every second');
      if (!this.retry) {
        this.retry = setTimeout(() => { this.retry = undefined; if (this.wanted) void this.start(); }, 1000);
        this.retry.unref();
      }
      return;
    }
    this.enqueue(async () => { await this.o.reload(); });
    await this.chain;
  }

  /** Stops following (changes not yet applied are dropped); resolves once none is being applied any more. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    await this.chain;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (!this.running) return;
      try {
        await step();
      } catch (err) {
        // A read failed (ZooKeeper unreachable): the watch will not report that change again, so reload everything
        // once the store answers.
        this.o.logger.warn({ err: (err as Error).message }, 'standby could not apply a stored change; reloading later');
        this.retryReload();
      }
    });
  }

  private retryReload(): void {
    if (this.retry || !this.running) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.enqueue(async () => { await this.o.reload(); });
    }, 1000);
    this.retry.unref();
  }
}
