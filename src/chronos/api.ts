// Chronos' REST API, under /v1/scheduler (3.x) and /scheduler (2.x). Errors are Chronos' ApiResult:
// 400 {"message", "status": "Bad Request"} for anything the client got wrong; a 5xx only for our own faults.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.ts';
import { singleQuery } from '../common/http.ts';
import { parseJob, jobJson, jobListingJson, type JobDefaults, type JobKind } from './job.ts';
import { toCsv, toDot } from './graph.ts';
import { histogram, lastState, runTimes, statDuration, statistic, statTime, PERCENTILES } from './runs.ts';
import { BadRequest, type ChronosScheduler } from './scheduler.ts';
import { jobSummary } from './summary.ts';
import type { ChronosMetrics } from './metrics.ts';
import { ALL_JOBS } from './permissions.ts';
import { parseTaskId } from './task-id.ts';
import { principalOf } from '../security/http-auth.ts';
import { allows, forbiddenMessage, ForbiddenError, type PermissionAction, type Permissions } from '../security/prefix-permissions.ts';

export const PREFIXES = ['/v1/scheduler', '/scheduler'] as const;

export interface ChronosApiDeps {
  scheduler: ChronosScheduler;
  metrics: ChronosMetrics;
  defaults: JobDefaults;
  clock: Clock;
  /** host:port of the leading instance, when known. */
  leader(): string | undefined;
  /** --http-permissions: per-user permissions on job name prefixes; absent = everyone may do everything. */
  permissions?: Permissions;
}

function fail(reply: FastifyReply, code: number, message: string): FastifyReply {
  const status = code === 400 ? 'Bad Request' : code === 403 ? 'Forbidden' : code === 404 ? 'Not Found' : code === 503 ? 'Service Unavailable' : code < 500 ? 'Client Error' : 'Internal Server Error';
  return reply.code(code).type('application/json').send(JSON.stringify({ message, status }));
}

function json(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json').send(JSON.stringify(body));
}

function readBody(req: FastifyRequest): unknown {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') throw new BadRequest('the request body is empty: expected a JSON job');
  try { return JSON.parse(text); } catch (err) { throw new BadRequest(`the request body is not valid JSON: ${(err as Error).message}`); }
}

export function registerChronosApi(app: FastifyInstance, deps: ChronosApiDeps): void {
  const { scheduler } = deps;

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof BadRequest) return fail(reply, 400, err.message);
    if (err instanceof ForbiddenError) return fail(reply, 403, err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return fail(reply, err.statusCode, err.message);
    if (err.name === 'StoreUnavailableError') return fail(reply, 503, err.message);
    app.log.error({ err }, 'request failed');
    return fail(reply, 500, err.message);
  });
  // Chronos' CorsFilter: browser UIs on other origins may call the API.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
    reply.header('Access-Control-Allow-Headers', 'Content-Type, Accept, Authorization, X-Requested-With');
  });
  app.options('/*', (_req, reply) => reply.code(200).send());
  app.setNotFoundHandler((req, reply) => fail(reply, 404, `no such endpoint: ${req.method} ${req.url.split('?')[0]}`));

  // Permissions: a job is acted on by name; lists, graphs and statistics show only jobs the user may view.
  const can = (req: FastifyRequest, action: PermissionAction, name: string) => allows(deps.permissions, principalOf(req), action, name);
  const must = (req: FastifyRequest, action: PermissionAction, name: string) => {
    if (!can(req, action, name)) throw new ForbiddenError(forbiddenMessage(principalOf(req), action, name === ALL_JOBS ? 'all jobs' : name));
  };
  const visibleJobs = (req: FastifyRequest) => scheduler.allJobs().filter((j) => can(req, 'view', j.name));

  const save = async (req: FastifyRequest, reply: FastifyReply, kind: JobKind) => {
    const parsed = parseJob(readBody(req), kind, deps.defaults, deps.clock.now());
    if (!parsed.ok) throw new BadRequest(parsed.message);
    must(req, scheduler.job(parsed.job.name) ? 'update' : 'create', parsed.job.name);
    // Depending on a job is following its runs: its parents must be visible to the user.
    for (const parent of parsed.job.parents ?? []) must(req, 'view', parent);
    await scheduler.upsert(parsed.job, parsed.given);
    return reply.code(204).send();
  };
  const nameParam = (req: FastifyRequest) => (req.params as { name: string }).name;

  for (const p of PREFIXES) {
    app.post(`${p}/iso8601`, (req, reply) => save(req, reply, 'schedule'));
    app.post(`${p}/dependency`, (req, reply) => save(req, reply, 'dependency'));

    app.get(`${p}/jobs`, (req, reply) => json(reply, visibleJobs(req).map(jobListingJson)));
    app.get(`${p}/jobs/search`, (req, reply) => {
      const q = singleQuery(req);
      const name = q.name?.toLowerCase(); const command = q.command?.toLowerCase(); const any = q.any?.toLowerCase();
      const limit = intParam(q.limit, 'limit', 10); const offset = intParam(q.offset, 'offset', 0);
      const found = visibleJobs(req).filter((j) => {
        let ok = true;
        if (name && !j.name.toLowerCase().includes(name)) ok = false;
        if (command && !j.command.toLowerCase().includes(command)) ok = false;
        if (!ok && any && (j.name.toLowerCase().includes(any) || j.command.toLowerCase().includes(any))) ok = true;
        return ok;
      });
      return json(reply, found.slice(offset, offset + limit).map(jobJson));
    });
    app.get(`${p}/jobs/summary`, (req, reply) => {
      const tasks = scheduler.tasksByJob();
      return json(reply, { jobs: visibleJobs(req).map((j) => jobSummary(j, scheduler.status(j.name, tasks.get(j.name) ?? []), scheduler.nextRunAt(j.name))) });
    });

    app.get(`${p}/job/:name`, (req, reply) => {
      must(req, 'view', nameParam(req)); // before the lookup: a forbidden name answers 403 whether or not it exists
      const job = scheduler.job(nameParam(req));
      if (!job) throw new BadRequest(`Job '${nameParam(req)}' not found`);
      return json(reply, jobJson(job));
    });
    app.put(`${p}/job/:name`, async (req, reply) => {
      must(req, 'update', nameParam(req));
      const args = singleQuery(req).arguments;
      await scheduler.runNow(nameParam(req), args);
      return reply.code(204).send();
    });
    app.delete(`${p}/job/:name`, async (req, reply) => {
      must(req, 'delete', nameParam(req));
      await scheduler.remove(nameParam(req));
      return reply.code(204).send();
    });
    app.put(`${p}/job/success/:name`, async (req, reply) => {
      must(req, 'update', nameParam(req));
      const ok = await scheduler.markSuccess(nameParam(req));
      return reply.type('text/plain; charset=utf-8').send(`marked job ${nameParam(req)} as successful: ${ok}`);
    });
    app.get(`${p}/job/stat/:name`, (req, reply) => {
      const name = nameParam(req);
      must(req, 'view', name);
      if (!scheduler.job(name)) throw new BadRequest(`Job '${name}' not found`);
      const history = scheduler.jobHistory(name);
      return json(reply, {
        histogram: histogram(runTimes(history)),
        taskStatHistory: [...history].reverse().map((r) => ({
          taskId: r.taskId, jobName: r.jobName, slaveId: r.agentId ?? '', host: r.host ?? '', attempt: r.attempt,
          startTime: statTime(r.start), endTime: statTime(r.end), duration: statDuration(r.end === undefined ? undefined : r.end - r.start),
          status: r.status === 'TASK_FINISHED' ? 'success' : r.status === 'TASK_KILLED' ? 'killed' : 'fail', taskState: r.status ?? '',
          ...(r.exitStatus !== undefined ? { exitStatus: r.exitStatus } : {}), ...(r.message ? { message: r.message } : {}), numElementsProcessed: 0,
          // Extensions for the console: machine-readable times (Chronos' own are MM/dd/yy strings in UTC).
          dueAt: new Date(r.due).toISOString(), startedAt: new Date(r.start).toISOString(),
          ...(r.end !== undefined ? { endedAt: new Date(r.end).toISOString(), durationMs: r.end - r.start } : {}),
        })),
        // Extension: the job's queued and running tasks right now.
        activeTasks: scheduler.tasksOf(name).map((t) => ({
          taskId: t.taskId, state: t.state, attempt: t.attempt, dueAt: new Date(t.due).toISOString(), slaveId: t.agentId ?? '', host: t.host ?? '',
          ...(t.start !== undefined ? { startedAt: new Date(t.start).toISOString() } : {}),
        })),
      });
    });
    app.delete(`${p}/task/kill/:name`, async (req, reply) => {
      must(req, 'update', nameParam(req));
      await scheduler.killTasks(nameParam(req));
      return reply.code(204).send();
    });
    app.delete(`${p}/task/all`, async (req, reply) => {
      must(req, 'update', ALL_JOBS);
      await scheduler.purgeQueue();
      return reply.code(204).send();
    });
    app.put(`${p}/task/:taskId`, async (req, reply) => {
      const body = readBody(req) as { statusCode?: unknown } | null;
      const code = body && typeof body === 'object' ? body.statusCode : undefined;
      if (typeof code !== 'number' || !Number.isInteger(code)) throw new BadRequest('statusCode: expected an integer (0 = success)');
      const jobName = parseTaskId((req.params as { taskId: string }).taskId)?.jobName;
      if (jobName !== undefined) must(req, 'update', jobName);
      await scheduler.asyncCompleted((req.params as { taskId: string }).taskId, code);
      return reply.code(204).send();
    });

    // Edges to parents the user may not view are left out with them.
    const visibleGraph = (req: FastifyRequest) => visibleJobs(req).map((j) => ({ ...j, parents: (j.parents ?? []).filter((parent) => can(req, 'view', parent)) }));
    app.get(`${p}/graph/dot`, (req, reply) => reply.type('text/plain; charset=utf-8').send(toDot(visibleGraph(req))));
    app.get(`${p}/graph/csv`, (req, reply) => reply.type('text/plain; charset=utf-8').send(
      toCsv(visibleGraph(req), (n) => ({ lastState: lastState(scheduler.job(n)!), status: scheduler.status(n) })),
    ));
    app.get(`${p}/stats/:percentile`, (req, reply) => {
      const which = (req.params as { percentile: string }).percentile;
      if (which !== 'mean' && PERCENTILES[which] === undefined) throw new BadRequest(`unknown statistic '${which}': use one of ${[...Object.keys(PERCENTILES), 'mean'].join(', ')}`);
      const rows = visibleJobs(req)
        .map((j) => ({ jobNameLabel: j.name, time: statistic(runTimes(scheduler.jobHistory(j.name)), which) }))
        .filter((r): r is { jobNameLabel: string; time: number } => r.time !== undefined)
        .map((r) => ({ jobNameLabel: r.jobNameLabel, time: r.time / 1000 }))
        .sort((a, b) => b.time - a.time);
      return json(reply, rows);
    });
    app.get(`${p}/leader`, (_req, reply) => json(reply, { leader: deps.leader() ?? '' }));
  }
  app.get('/leader', (_req, reply) => json(reply, { leader: deps.leader() ?? '' }));
  app.get('/ping', (_req, reply) => reply.type('text/plain; charset=utf-8').send('pong\n'));
  app.get('/metrics', async (_req, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));
}

function intParam(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined || value === '') return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BadRequest(`${name}: '${value}' is not a non-negative integer`);
  return n;
}
