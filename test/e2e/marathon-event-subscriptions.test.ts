// Marathon's HTTP callback subscribers (--event-subscriber http_callback): /v2/eventSubscriptions registers,
// lists and removes callback URLs; every event is POSTed to them as JSON; subscriptions survive a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

/** A loopback HTTP server that records the JSON bodies POSTed to it. */
async function receiver(): Promise<{ url: string; events: any[]; server: Server }> {
  const events: any[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      events.push({ contentType: req.headers['content-type'], ...JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, events, server };
}

describe('marathon event subscriptions', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  const flags = ['--event-subscriber', 'http_callback'];
  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 34, agentArgs: ['--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir, flags);
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
  });

  it('POSTs every event to subscribed callbacks, keeps subscriptions across a restart and stops after unsubscribe', async () => {
    const hook = await receiver();
    try {
      const q = `?callbackUrl=${encodeURIComponent(hook.url)}`;
      const subscribed = await api(marathon.url, 'POST', `/v2/eventSubscriptions${q}`);
      assert.equal(subscribed.status, 200, subscribed.text);
      assert.equal(subscribed.body.eventType, 'subscribe_event');
      assert.equal(subscribed.body.callbackUrl, hook.url);
      assert.equal(subscribed.body.clientIp, '127.0.0.1');
      assert.deepEqual((await api(marathon.url, 'GET', '/v2/eventSubscriptions')).body, { callbackUrls: [hook.url] });
      await eventually(() => hook.events.some((e) => e.eventType === 'subscribe_event'));
      assert.equal(hook.events[0].contentType, 'application/json');

      const created = await api(marathon.url, 'POST', '/v2/apps', { id: '/hooked', cmd: 'sleep 300', cpus: 0.1, mem: 16 });
      assert.equal(created.status, 201, created.text);
      const running = await eventually(() => hook.events.find((e) => e.eventType === 'status_update_event' && e.taskStatus === 'TASK_RUNNING'), 30_000);
      assert.equal(running.appId, '/hooked');
      const types = hook.events.map((e) => e.eventType);
      assert.ok(types.indexOf('api_post_event') < types.indexOf('status_update_event'), `events in order: ${types.join(' ')}`);
      assert.ok(types.includes('deployment_info'), types.join(' '));

      // The subscription is state: a restarted Marathon still delivers to it.
      await marathon.stop();
      marathon = await startMarathonRole(cluster.masterAddress, cluster.dir, flags);
      assert.deepEqual((await api(marathon.url, 'GET', '/v2/eventSubscriptions')).body, { callbackUrls: [hook.url] });
      const before = hook.events.length;
      assert.equal((await api(marathon.url, 'PUT', '/v2/apps/hooked', { instances: 2 })).status, 200);
      await eventually(() => hook.events.slice(before).some((e) => e.eventType === 'api_post_event' && e.appDefinition?.instances === 2), 30_000);

      const removed = await api(marathon.url, 'DELETE', `/v2/eventSubscriptions${q}`);
      assert.equal(removed.status, 200);
      assert.equal(removed.body.eventType, 'unsubscribe_event');
      assert.deepEqual((await api(marathon.url, 'GET', '/v2/eventSubscriptions')).body, { callbackUrls: [] });
      // Anything published after the unsubscribe (here: the app's removal) no longer arrives.
      assert.equal((await api(marathon.url, 'DELETE', '/v2/apps/hooked?force=true')).status, 200);
      const after = hook.events.length;
      await eventually(async () => (await api(marathon.url, 'GET', '/v2/apps')).body.apps.length === 0, 30_000);
      assert.ok(!hook.events.slice(after).some((e) => e.eventType === 'app_terminated_event'), 'no events after unsubscribing');
    } finally {
      hook.server.close();
    }
  });

  it('refuses callback URLs that are missing or not http(s) with 422 naming the field', async () => {
    for (const q of ['', '?callbackUrl=', '?callbackUrl=ftp%3A%2F%2Fx', '?callbackUrl=not%20a%20url']) {
      const res = await api(marathon.url, 'POST', `/v2/eventSubscriptions${q}`);
      assert.equal(res.status, 422, `${q}: ${res.text}`);
      assert.equal(res.body.details[0].path, '/callbackUrl');
    }
  });

  it('without --event-subscriber http_callback the endpoints answer 400 with Marathon\'s message', async () => {
    const plain = await startMarathonRole(cluster.masterAddress, `${cluster.dir}/plain`);
    try {
      const res = await api(plain.url, 'GET', '/v2/eventSubscriptions');
      assert.equal(res.status, 400);
      assert.match(res.body.message, /--event_subscriber http_callback/);
    } finally {
      await plain.stop();
    }
  });
});
