// Endpoints the web console needs beyond Chronos' own API (extensions; see docs/decisions/0120-chronos-console.md):
// an event stream of job and task changes, a preview of a schedule's next runs, and where the Mesos master is.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../common/clock.ts';
import type { ChronosEvent, ChronosEvents } from './events.ts';
import { BadRequest, type ChronosScheduler } from './scheduler.ts';
import { formatSchedule, parseSchedule, upcomingRuns } from './schedule.ts';
import { jobSummary } from './summary.ts';
import { writeBounded } from '../common/event-stream.ts';
import { singleQuery } from '../common/http.ts';
import { acquireStreamSlot } from '../security/http-limits.ts';
import { principalOf } from '../security/http-auth.ts';
import { allows, type Permissions } from '../security/prefix-permissions.ts';

export interface ConsoleApiDeps {
  scheduler: ChronosScheduler;
  events: ChronosEvents;
  clock: Clock;
  /** The framework as registered now: its id and the master it is subscribed to (host:port). */
  framework(): { frameworkId?: string; master?: string };
  /** --http-permissions: the stream only carries jobs the caller may view. */
  permissions?: Permissions;
}

const PREVIEW_MAX = 100;
const KEEPALIVE_MS = 15_000;

export function registerConsoleApi(app: FastifyInstance, deps: ConsoleApiDeps): void {
  const { scheduler } = deps;
  for (const p of ['/v1/scheduler', '/scheduler']) {
    // SSE: `event: <type>` with {type, jobName, taskId?, taskStatus?, timestamp, job?}; `job` is the job's summary
    // row after the change (absent once deleted), so a list updates a row without fetching anything.
    app.get(`${p}/events`, (req, reply) => {
      // HEAD gets the stream's headers only: node sends no headers for body writes to a HEAD, so never start one.
      if (req.method === 'HEAD') return reply.code(200).type('text/event-stream').header('Cache-Control', 'no-cache, no-store').send();
      const slot = acquireStreamSlot(req, reply);
      if ('refused' in slot) return reply.code(429).type('application/json').send(JSON.stringify({ message: slot.refused, status: 'Too Many Requests' }));
      const principal = principalOf(req);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no', 'Access-Control-Allow-Origin': '*' });
      res.write(': attached\n\n');
      const send = (e: ChronosEvent) => {
        if (!allows(deps.permissions, principal, 'view', e.jobName)) return; // jobs this user may not view stay hidden
        const job = scheduler.job(e.jobName);
        const body = { ...e, ...(job ? { job: jobSummary(job, scheduler.status(e.jobName), scheduler.nextRunAt(e.jobName)) } : {}) };
        writeBounded(res, `event: ${e.type}\ndata: ${JSON.stringify(body)}\n\n`, slot.maxBufferedBytes);
      };
      const unsubscribe = deps.events.subscribe(send);
      const keepAlive = setInterval(() => writeBounded(res, ': keep-alive\n\n', slot.maxBufferedBytes), KEEPALIVE_MS);
      keepAlive.unref();
      res.on('close', () => { clearInterval(keepAlive); unsubscribe(); });
      req.log.debug('chronos event stream attached');
    });

    app.get(`${p}/iso8601/preview`, (req, reply) => {
      const q = singleQuery(req); // a repeated parameter counts once, as everywhere in the API
      if (!q.schedule) throw new BadRequest('schedule: required, e.g. R/2026-11-24T10:00:00Z/PT1H');
      const count = q.count === undefined || q.count === '' ? 5 : Number(q.count);
      if (!Number.isInteger(count) || count < 1 || count > PREVIEW_MAX) throw new BadRequest(`count: '${q.count}' is not an integer from 1 to ${PREVIEW_MAX}`);
      const now = deps.clock.now();
      const parsed = parseSchedule(q.schedule, now, q.scheduleTimeZone ?? '');
      if (!parsed.ok) throw new BadRequest(parsed.message);
      return reply.type('application/json').send(JSON.stringify({
        schedule: formatSchedule(parsed.schedule), scheduleTimeZone: q.scheduleTimeZone ?? '',
        next: upcomingRuns(parsed.schedule, now, count).map((ms) => new Date(ms).toISOString()),
      }));
    });

    app.get(`${p}/framework`, (_req, reply) => {
      const f = deps.framework();
      return reply.type('application/json').send(JSON.stringify({ frameworkId: f.frameworkId ?? '', master: f.master ?? '' }));
    });
  }
}
