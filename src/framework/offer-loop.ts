// The offer cycle every framework runs: let a planner pack its pending tasks into incoming offers, LAUNCH what it
// placed, DECLINE the rest with a filter, SUPPRESS while nothing is pending and REVIVE when something is again.
// Marathon and Chronos plug their own planner in; the protocol handling lives here once.
import type { Logger } from 'pino';
import type { Offer, TaskInfo } from '../proto/mesos.ts';
import type { SchedulerClient } from '../scheduler-client/client.ts';
import { OfferBudget } from './offer-matcher.ts';

export interface OfferPlanner {
  /** True while there is anything to launch; the loop suppresses offers otherwise. */
  wantsOffers(): boolean;
  /**
   * Packs pending tasks into the offers (each an OfferBudget to `take` from) and returns the tasks to launch per
   * offer id. Must record the launches it decides (e.g. as staging) before returning.
   */
  plan(offers: OfferBudget[]): Map<string, TaskInfo[]>;
  /** The master did not take a LAUNCH (connection lost, refused): these tasks never started. */
  launchFailed(tasks: TaskInfo[], error: Error): void;
  /**
   * Optional write-ahead: resolves once the launches `plan` decided are durable; the ACCEPT waits for it, so a
   * crash can never leave a task launched that the planner does not know about. Rejecting cancels the launches
   * (launchFailed) and declines the offers.
   */
  launchesRecorded?(): Promise<void>;
  /**
   * Optional: true while work falls due so soon that offers it cannot use yet are better kept than declined (a
   * scheduler whose tasks start at set times). Kept offers are planned again on every wake(), launches then use
   * refuse_seconds 0 so the offer's remainder comes straight back, and all kept offers are declined once this
   * turns false. Without it, unused offers are declined at once.
   */
  holdOffers?(): boolean;
}

export interface OfferLoopOptions {
  /** Filter on declined offers (Mesos' refuse_seconds); default 5 as Mesos. */
  refuseSeconds?: number;
  logger?: Logger;
}

export class OfferLoop {
  private suppressed = false;
  private readonly detach: Array<() => void> = [];
  /** Offers kept for work about to fall due (planner.holdOffers), by offer id. */
  private readonly held = new Map<string, Offer>();

  constructor(private readonly client: SchedulerClient, private readonly planner: OfferPlanner, private readonly opts: OfferLoopOptions = {}) {}

  start(): void {
    const onOffers = (offers: Offer[]) => { void this.handle(offers); };
    const onSubscribed = () => {
      // A (re)subscription starts unsuppressed on the master: settle our state from scratch. Offers of the
      // previous subscription are void.
      this.held.clear();
      this.suppressed = false;
      this.settle();
    };
    const onRescind = (offerId: string) => { this.held.delete(offerId); };
    this.client.on('offers', onOffers);
    this.client.on('subscribed', onSubscribed);
    this.client.on('rescind', onRescind);
    this.detach.push(() => this.client.off('offers', onOffers), () => this.client.off('subscribed', onSubscribed), () => this.client.off('rescind', onRescind));
  }

  stop(): void {
    for (const d of this.detach.splice(0)) d();
    this.held.clear();
  }

  /** True while offers are kept for work about to fall due. */
  get holding(): boolean { return this.held.size > 0; }

  /** Something may have become pending: plan it into kept offers at once, and revive offers if they are suppressed. */
  wake(): void {
    if (this.held.size > 0 && this.client.connected) {
      if (this.planner.wantsOffers()) {
        const offers = [...this.held.values()];
        this.held.clear();
        void this.handle(offers);
        return;
      }
      if (!this.planner.holdOffers?.()) this.releaseHeld();
    }
    this.revive();
  }

  private revive(): void {
    if (this.suppressed && (this.planner.wantsOffers() || this.planner.holdOffers?.()) && this.client.connected) {
      this.suppressed = false;
      this.client.revive().catch((err: Error) => { this.suppressed = true; this.opts.logger?.warn({ err: err.message }, 'revive failed'); });
    }
  }

  private async handle(offers: Offer[]): Promise<void> {
    const budgets = offers.map((o) => new OfferBudget(o));
    let placements: Map<string, TaskInfo[]>;
    try {
      placements = this.planner.plan(budgets);
    } catch (err) {
      this.opts.logger?.error({ err }, 'offer planning failed; declining the offers');
      placements = new Map();
    }
    if (placements.size > 0 && this.planner.launchesRecorded) {
      try {
        await this.planner.launchesRecorded();
      } catch (err) {
        this.opts.logger?.error({ err: (err as Error).message }, 'launches could not be recorded; not launching');
        for (const tasks of placements.values()) this.planner.launchFailed(tasks, err as Error);
        placements = new Map();
      }
    }
    const filters = { refuse_seconds: this.opts.refuseSeconds ?? 5 };
    const hold = this.planner.holdOffers?.() ?? false;
    const calls: Promise<void>[] = [];
    const declined: string[] = [];
    for (const offer of offers) {
      const tasks = placements.get(offer.id.value) ?? [];
      if (tasks.length === 0) {
        if (hold && this.client.connected) this.held.set(offer.id.value, offer);
        else declined.push(offer.id.value);
        continue;
      }
      calls.push(this.client.launch([offer.id.value], tasks, hold ? { refuse_seconds: 0 } : filters).catch((err: Error) => {
        this.opts.logger?.warn({ err: err.message, tasks: tasks.map((t) => t.task_id.value) }, 'launch not accepted by the master');
        this.planner.launchFailed(tasks, err);
      }));
    }
    if (declined.length > 0) calls.push(this.client.decline(declined, filters).catch((err: Error) => { this.opts.logger?.debug({ err: err.message }, 'decline failed'); }));
    await Promise.all(calls);
    this.settle();
  }

  /** Declines every kept offer (nothing falls due soon any more). */
  private releaseHeld(): void {
    if (this.held.size === 0) return;
    const ids = [...this.held.keys()];
    this.held.clear();
    this.client.decline(ids, { refuse_seconds: this.opts.refuseSeconds ?? 5 }).catch((err: Error) => { this.opts.logger?.debug({ err: err.message }, 'decline failed'); });
  }

  private settle(): void {
    if (!this.client.connected) return;
    if (!this.planner.holdOffers?.()) this.releaseHeld();
    if (!this.suppressed && !this.planner.wantsOffers() && !this.planner.holdOffers?.()) {
      this.suppressed = true;
      this.client.suppress().catch((err: Error) => { this.suppressed = false; this.opts.logger?.warn({ err: err.message }, 'suppress failed'); });
    } else if (this.suppressed) {
      this.revive();
    }
  }
}
