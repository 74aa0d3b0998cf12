// Service endpoints: /v2/info, /v2/leader, /ping, /metrics and the /v2/events Server-Sent Events stream.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus, MarathonEvent } from '../events.ts';
import type { MarathonScheduler } from '../scheduler.ts';
import { queryList, sendJson } from './common.ts';
import { createAccess, type Access } from './access.ts';
import { writeBounded } from '../../common/event-stream.ts';
import { acquireStreamSlot } from '../../security/http-limits.ts';

export interface ServiceInfo {
  /** host:port this Marathon serves on. */
  address(): string;
  leader(): string | undefined;
  isLeader(): boolean;
  abdicate(): Promise<void>;
  config: Record<string, unknown>;
  /** --zk URL and session timeout when state and election are in ZooKeeper. */
  zk?: { url: string; sessionTimeoutMs: number };
}

/** The Marathon release whose API this reproduces, reported as `version` so clients pick the 1.x API. */
export const MARATHON_API_VERSION = '1.11.0';

export function marathonMetrics(m: MarathonScheduler, events: EventBus): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'trireme_marathon_' });
  new Gauge({ name: 'marathon_apps_active_gauge', help: 'Apps Marathon manages', registers: [registry], collect() { this.set(m.apps.size); } });
  new Gauge({ name: 'marathon_deployments_active_gauge', help: 'Deployments in progress', registers: [registry], collect() { this.set(m.deployments.size); } });
  new Gauge({ name: 'marathon_instances_launch_overdue_gauge', help: 'Instances waiting in the launch queue', registers: [registry], collect() { this.set(m.queue().reduce((n, e) => n + e.count, 0)); } });
  new Gauge({
    name: 'marathon_tasks', help: 'Tasks by Mesos state', labelNames: ['state'], registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const i of m.instances.values()) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({ name: 'marathon_http_event_streams_active_gauge', help: 'Attached /v2/events streams', registers: [registry], collect() { this.set(events.subscribers); } });
  const byType = new Counter({ name: 'marathon_events_total', help: 'Events published, by type', labelNames: ['type'], registers: [registry] });
  events.subscribe((e) => byType.inc({ type: e.eventType }));
  return registry;
}

export function registerServiceApi(app: FastifyInstance, m: MarathonScheduler, events: EventBus, info: ServiceInfo, registry: Registry, access: Access = createAccess(undefined)): void {
  app.get('/ping', async (_req, reply) => reply.code(200).type('text/plain; charset=utf-8').header('Cache-Control', 'must-revalidate,no-cache,no-store').send('pong'));

  app.get('/metrics', async (_req, reply) => reply.code(200).type(registry.contentType).send(await registry.metrics()));

  app.get('/v2/info', async (_req, reply) => sendJson(reply, 200, {
    name: 'marathon', version: MARATHON_API_VERSION, buildref: 'trireme', elected: info.isLeader(), leader: info.leader() ?? null,
    frameworkId: m.frameworkId ?? null,
    marathon_config: info.config,
    zookeeper_config: { zk: info.zk?.url ?? null, zk_timeout: 10000, zk_session_timeout: info.zk?.sessionTimeoutMs ?? 10000, zk_max_versions: 50 },
    http_config: { http_port: Number(info.address().split(':').pop()), https_port: 8443 },
    event_subscriber: { type: 'http_callback', http_endpoints: [] },
  }));

  app.get('/v2/leader', async (_req, reply) => {
    const leader = info.leader();
    if (!leader) return sendJson(reply, 404, { message: 'There is no leader' });
    return sendJson(reply, 200, { leader });
  });

  app.delete('/v2/leader', async (req, reply) => {
    // Abdication disturbs every app: only who may change the whole tree ("/") may ask for it.
    access.require(req, 'update', '/');
    if (!info.isLeader()) return sendJson(reply, 404, { message: 'There is no leader' });
    // Answer first: abdicating drops this instance's scheduler connection.
    setTimeout(() => { void info.abdicate(); }, 100).unref();
    return sendJson(reply, 200, { message: 'Leadership abdicated' });
  });

  app.get('/v2/events', (req, reply) => {
    const types = new Set(queryList(req, 'event_type'));
    // HEAD gets the stream's headers only: node sends no headers for body writes to a HEAD, so never start one.
    if (req.method === 'HEAD') return reply.code(200).type('text/event-stream').header('Cache-Control', 'no-cache, no-store').send();
    const slot = acquireStreamSlot(req, reply);
    if ('refused' in slot) return sendJson(reply, 429, { message: slot.refused });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': attached\n\n');
    const send = (e: MarathonEvent) => {
      if (types.size > 0 && !types.has(e.eventType)) return;
      if (!access.showsEvent(req, e)) return; // events of apps this principal may not view stay hidden
      writeBounded(res, `event: ${e.eventType}\ndata: ${JSON.stringify(e)}\n\n`, slot.maxBufferedBytes);
    };
    const unsubscribe = events.subscribe(send);
    const keepAlive = setInterval(() => writeBounded(res, '\n', slot.maxBufferedBytes), 15_000);
    keepAlive.unref();
    const remoteAddress = req.ip;
    events.publish('event_stream_attached', { remoteAddress });
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      events.publish('event_stream_detached', { remoteAddress });
    });
  });
}
