import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OfferBudget, offerFieldValue } from '../../src/framework/offer-matcher.ts';
import { Resources, parseAttributes, parseResources } from '../../src/common/resources.ts';
import type { Offer } from '../../src/proto/mesos.ts';

function offer(resources: string, attributes = '', hostname = 'h1'): Offer {
  return {
    id: { value: 'o1' }, framework_id: { value: 'f1' }, agent_id: { value: 'a1' }, hostname,
    url: { scheme: 'http', address: { hostname, ip: '127.0.0.2', port: 5051 }, path: '/slave(1)' },
    resources: parseResources(resources).toJSON('*'), attributes: attributes ? parseAttributes(attributes) : [],
    executor_ids: [], allocation_info: { role: '*' },
  };
}

test('takes scalars and any-ports from an offer, keeping allocation_info, and deducts them', () => {
  const budget = new OfferBudget(offer('cpus:1;mem:128;disk:100;ports:[31000-31002]'));
  const first = budget.take({ cpus: 0.4, mem: 64, disk: 10, ports: [0, 0] });
  assert.equal(first.ok, true);
  if (!first.ok) return;
  assert.deepEqual(first.ports, [31000, 31001]);
  const used = Resources.fromJSON(first.resources);
  assert.equal(used.scalar('cpus'), 0.4);
  assert.equal(used.scalar('mem'), 64);
  assert.equal(used.scalar('disk'), 10);
  assert.deepEqual(used.ranges('ports'), [[31000, 31001]]);
  assert.ok(first.resources.every((r) => r.allocation_info?.role === '*'));
  assert.equal(budget.available('cpus'), 0.6);
  const second = budget.take({ cpus: 0.4, mem: 64, ports: [0, 0] });
  assert.deepEqual(second, { ok: false, reason: 'insufficient ports: need 2, offer has 1' });
  assert.equal(budget.available('cpus'), 0.6, 'a failed take deducts nothing');
});

test('a fixed host port is taken exactly, or the match names the port', () => {
  const budget = new OfferBudget(offer('cpus:4;mem:1024;ports:[8000-8000,31000-31005]'));
  const r = budget.take({ cpus: 0.1, mem: 16, ports: [0, 8000] });
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.ports, [31000, 8000], 'ports come back in request order');
  const again = budget.take({ cpus: 0.1, mem: 16, ports: [8000] });
  assert.deepEqual(again, { ok: false, reason: 'port 8000 is not offered' });
});

test('names the short scalar and honours accepted roles, spending reservations first', () => {
  const budget = new OfferBudget(offer('cpus:1;cpus(web):0.5;mem:256'));
  assert.deepEqual(budget.fits({ cpus: 2, mem: 16 }), { ok: false, reason: 'insufficient cpus: need 2, offer has 1.5' });
  assert.deepEqual(budget.fits({ cpus: 1, mem: 16, acceptedRoles: ['web'] }), { ok: false, reason: 'insufficient cpus: need 1, offer has 0.5 (accepted roles: web)' });
  const r = budget.take({ cpus: 0.7, mem: 16 });
  assert.ok(r.ok);
  if (!r.ok) return;
  const cpus = r.resources.filter((x) => x.name === 'cpus').map((x) => [x.role, x.scalar?.value]);
  assert.deepEqual(cpus, [['web', 0.5], ['*', 0.2]]);
  assert.equal(budget.available('cpus', ['web']), 0);
});

test('offerFieldValue reads hostname and attributes as constraint text', () => {
  const o = offer('cpus:1', 'rack:r1;zone:2;slots:[1-4]', 'node-7');
  assert.equal(offerFieldValue(o, 'hostname'), 'node-7');
  assert.equal(offerFieldValue(o, 'rack'), 'r1');
  assert.equal(offerFieldValue(o, 'zone'), '2');
  assert.equal(offerFieldValue(o, 'slots'), '[1-4]');
  assert.equal(offerFieldValue(o, 'missing'), undefined);
});

test('property: packing never exceeds the offer and never hands out a port twice', () => {
  const request = fc.record({
    cpus: fc.integer({ min: 0, max: 20 }).map((n) => n / 10),
    mem: fc.integer({ min: 0, max: 300 }),
    ports: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 30995, max: 31010 })), { maxLength: 4 }),
  });
  fc.assert(fc.property(fc.array(request, { maxLength: 12 }), (requests) => {
    const o = offer('cpus:2;mem:512;ports:[31000-31008]');
    const budget = new OfferBudget(o);
    let total = Resources.empty();
    const handed: number[] = [];
    for (const req of requests) {
      const r = budget.take(req);
      if (!r.ok) continue;
      total = total.plus(Resources.fromJSON(r.resources));
      handed.push(...r.ports);
      assert.equal(r.ports.length, req.ports.length);
      req.ports.forEach((p, i) => { if (p !== 0) assert.equal(r.ports[i], p); });
    }
    assert.ok(Resources.fromJSON(o.resources).contains(total), `${total} within ${Resources.fromJSON(o.resources)}`);
    assert.equal(new Set(handed).size, handed.length);
    assert.ok(handed.every((p) => p >= 31000 && p <= 31008));
  }));
});
