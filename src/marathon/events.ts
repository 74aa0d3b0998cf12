// Marathon's event bus: every event carries `eventType` and `timestamp`; /v2/events streams them as SSE.
import { EventEmitter } from 'node:events';
import type { Clock } from '../common/clock.ts';

export interface MarathonEvent { eventType: string; timestamp: string; [field: string]: unknown }

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor(private readonly clock: Clock) {
    this.emitter.setMaxListeners(0);
  }

  publish(eventType: string, payload: Record<string, unknown>): MarathonEvent {
    const event: MarathonEvent = { ...payload, eventType, timestamp: new Date(this.clock.now()).toISOString() };
    this.emitter.emit('event', event);
    return event;
  }

  subscribe(listener: (event: MarathonEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => { this.emitter.off('event', listener); };
  }

  get subscribers(): number { return this.emitter.listenerCount('event'); }
}
