// HTTP callback delivery: in order per subscriber, only while leading, and a failing subscriber is paused for the
// slow-consumer timeout (its events dropped) without holding up the others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ManualClock } from '../../../src/common/clock.ts';
import { EventBus } from '../../../src/marathon/events.ts';
import { HttpCallbackDelivery } from '../../../src/marathon/http-callbacks.ts';
import { eventually } from '../../helpers/processes.ts';

async function endpoint(status: () => number): Promise<{ url: string; got: string[]; close(): void }> {
  const got: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { got.push(JSON.parse(body).n); res.statusCode = status(); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, got, close: () => server.close() };
}

describe('HttpCallbackDelivery', () => {
  it('delivers in order while leading, pauses a failing subscriber and keeps serving the healthy one', async () => {
    const clock = new ManualClock();
    const bus = new EventBus(clock);
    let leading = false;
    let failing = true;
    const good = await endpoint(() => 200);
    const bad = await endpoint(() => (failing ? 500 : 200));
    const delivery = new HttpCallbackDelivery(bus, () => leading, { requestTimeoutMs: 5000, slowConsumerTimeoutMs: 10_000, maxQueued: 100, clock, logger: pino({ level: 'silent' }) });
    try {
      delivery.setUrls([good.url, bad.url]);
      bus.publish('e', { n: 'standby' });
      leading = true;
      for (let i = 1; i <= 5; i++) bus.publish('e', { n: String(i) });
      await eventually(() => good.got.length === 5);
      assert.deepEqual(good.got, ['1', '2', '3', '4', '5'], 'in order, and nothing published while a standby');
      // The failing subscriber saw the first event, failed, and the rest were dropped; it stays paused.
      await eventually(() => bad.got.length === 1);
      failing = false;
      bus.publish('e', { n: 'paused' });
      await eventually(() => good.got.includes('paused'));
      assert.deepEqual(bad.got, ['1']);
      // After the slow-consumer timeout it receives new events again.
      clock.advance(10_001);
      bus.publish('e', { n: 'resumed' });
      await eventually(() => bad.got.includes('resumed'));
      assert.deepEqual(bad.got, ['1', 'resumed']);
    } finally {
      delivery.close();
      good.close();
      bad.close();
    }
  });
});
