// Time and ids are injected so decisions can be tested with a clock that runs forward on demand.
import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number { return this.current; }
  advance(ms: number): void { this.current += ms; }
}

export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

/** Mesos timestamps in JSON are float epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
