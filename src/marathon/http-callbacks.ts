// Marathon's HTTP callback event subscriber (`--event_subscriber http_callback`): every event on the bus is POSTed
// as JSON to each subscribed callback URL. Each URL gets its events in order, one request at a time, from a bounded
// queue. A subscriber that fails or answers slower than the slow-consumer timeout is paused for that long and the
// events meant for it meanwhile are dropped (counted), as Marathon limits slow subscribers, so one bad endpoint
// neither holds memory nor delays the others.
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Clock } from '../common/clock.ts';
import type { EventBus, MarathonEvent } from './events.ts';

export interface HttpCallbackOptions {
  /** Per POST. Marathon: --http_event_request_timeout, 10 s. */
  requestTimeoutMs: number;
  /** Pause after a failed or slow delivery. Marathon: --http_event_callback_slow_consumer_timeout, 10 s. */
  slowConsumerTimeoutMs: number;
  /** Events waiting per subscriber before new ones are dropped. */
  maxQueued: number;
  clock: Clock;
  logger: Logger;
}

export const callbackMetrics = {
  delivered: new Counter({ name: 'marathon_http_callback_events_delivered_total', help: 'Events POSTed to HTTP callback subscribers', registers: [] }),
  dropped: new Counter({ name: 'marathon_http_callback_events_dropped_total', help: 'Events not delivered to a paused or backed-up HTTP callback subscriber', registers: [] }),
  failed: new Counter({ name: 'marathon_http_callback_failures_total', help: 'HTTP callback POSTs that failed, timed out or were slow', registers: [] }),
};

class Subscriber {
  private readonly queue: string[] = [];
  private sending = false;
  private pausedUntil = 0;

  constructor(readonly url: string, private readonly o: HttpCallbackOptions) {}

  offer(body: string): void {
    if (this.o.clock.now() < this.pausedUntil || this.queue.length >= this.o.maxQueued) {
      callbackMetrics.dropped.inc();
      return;
    }
    this.queue.push(body);
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const body = this.queue.shift()!;
      const started = this.o.clock.now();
      let problem: string | undefined;
      try {
        const res = await fetch(this.url, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.o.requestTimeoutMs),
        });
        await res.body?.cancel();
        if (!res.ok) problem = `answered ${res.status}`;
        else if (this.o.clock.now() - started > this.o.slowConsumerTimeoutMs) problem = 'answered slower than the slow-consumer timeout';
      } catch (err) {
        problem = (err as Error).message;
      }
      if (problem === undefined) { callbackMetrics.delivered.inc(); continue; }
      callbackMetrics.failed.inc();
      this.pausedUntil = this.o.clock.now() + this.o.slowConsumerTimeoutMs;
      callbackMetrics.dropped.inc(this.queue.length);
      this.queue.length = 0;
      this.o.logger.warn({ callbackUrl: this.url, problem, pausedMs: this.o.slowConsumerTimeoutMs }, 'event callback failed; pausing this subscriber');
    }
    this.sending = false;
  }
}

/** Delivers bus events to the subscribed URLs while `active()` (the leading instance; standbys stay quiet). */
export class HttpCallbackDelivery {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, private readonly active: () => boolean, private readonly o: HttpCallbackOptions) {
    this.unsubscribe = bus.subscribe((event) => this.publish(event));
  }

  /** Replaces the set of callback URLs (kept per-URL state for URLs that stay). */
  setUrls(urls: readonly string[]): void {
    for (const url of [...this.subscribers.keys()]) if (!urls.includes(url)) this.subscribers.delete(url);
    for (const url of urls) if (!this.subscribers.has(url)) this.subscribers.set(url, new Subscriber(url, this.o));
  }

  private publish(event: MarathonEvent): void {
    if (this.subscribers.size === 0 || !this.active()) return;
    const body = JSON.stringify(event);
    for (const s of this.subscribers.values()) s.offer(body);
  }

  close(): void { this.unsubscribe(); this.subscribers.clear(); }
}
