// /v2/eventSubscriptions: register, list and remove HTTP callback subscribers (Marathon's event bus callbacks).
// Active only with --event-subscriber http_callback; otherwise 400 with Marathon's message.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventBus } from '../events.ts';
import { callbackUrlProblem, type EventSubscriptions } from '../event-subscriptions.ts';
import { sendJson } from './common.ts';

const NOT_RUNNING = 'http event callback system is not running on this Marathon instance. Please re-start this instance with "--event_subscriber http_callback".';

/** `staticUrls` (--http-endpoints) are always subscribed; they are listed but cannot be removed through the API. */
export function registerEventSubscriptionsApi(app: FastifyInstance, subscriptions: EventSubscriptions | undefined, events: EventBus, staticUrls: readonly string[] = []): void {
  const path = '/v2/eventSubscriptions';
  const callbackUrl = (req: FastifyRequest): unknown => (req.query as Record<string, unknown>).callbackUrl;

  app.get(path, async (_req, reply) => {
    if (!subscriptions) return sendJson(reply, 400, { message: NOT_RUNNING });
    return sendJson(reply, 200, { callbackUrls: [...new Set([...staticUrls, ...subscriptions.list()])] });
  });

  for (const [method, subscribed, eventType] of [['POST', true, 'subscribe_event'], ['DELETE', false, 'unsubscribe_event']] as const) {
    app.route({
      method, url: path,
      handler: async (req, reply) => {
        if (!subscriptions) return sendJson(reply, 400, { message: NOT_RUNNING });
        const url = callbackUrl(req);
        const problem = callbackUrlProblem(url);
        if (problem) return sendJson(reply, 422, { message: 'Object is not valid', details: [{ path: '/callbackUrl', errors: [problem] }] });
        await subscriptions.set(url as string, subscribed);
        // Published on the bus, so subscribers (the new one included) see it too, as in Marathon.
        return sendJson(reply, 200, events.publish(eventType, { callbackUrl: url, clientIp: req.ip }));
      },
    });
  }
}
