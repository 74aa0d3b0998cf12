// What a caller may see and read on the agent: view_frameworks/view_tasks/view_executors filter /state, and
// access_sandboxes guards the files API. The ACL object is the user the executor runs as (the task's command
// user, else its framework's), as in Mesos.
import type { FastifyInstance } from 'fastify';
import { textError } from '../common/http.ts';
import type { Acls } from '../security/acls.ts';
import { mayAccessSandbox, who } from '../security/authorizer.ts';
import { principalOf } from '../security/http-guard.ts';
import type { Agent, AgentTask } from './agent.ts';
import { executorDirName } from './sandbox-paths.ts';
import { isAuthorized } from '../security/acls.ts';

function taskUser(t: AgentTask): string | undefined {
  return t.info.command?.user ?? t.frameworkInfo.user;
}

/** Whether `principal` may see a task (and its framework and executor) in the agent's /state. */
export function taskVisible(acls: Acls | undefined, principal: string | undefined, t: AgentTask): boolean {
  if (!acls) return true;
  const user = taskUser(t);
  return isAuthorized(acls, 'view_frameworks', principal, t.frameworkInfo.user) && isAuthorized(acls, 'view_tasks', principal, user)
    && isAuthorized(acls, 'view_executors', principal, user);
}

/** The framework and executor whose sandbox holds `path` (virtual /frameworks/... or real work-dir path). */
export function sandboxOwner(path: string): { frameworkId: string; executorId: string } | undefined {
  const m = /(?:^|\/)frameworks\/([^/]+)\/executors\/([^/]+)(?:\/|$)/.exec(path);
  return m ? { frameworkId: m[1]!, executorId: m[2]! } : undefined;
}

/** The user the sandbox's executor runs as, when the agent knows it. */
export function sandboxUser(agent: Agent, frameworkId: string, executorId: string): string | undefined {
  for (const t of [...agent.tasks.values(), ...agent.completedTasks]) {
    const id = t.executorId || t.info.task_id.value;
    // `executorId` comes from a path: a long id appears there under its directory name.
    if (t.frameworkId === frameworkId && (id === executorId || executorDirName(id) === executorId)) return taskUser(t);
  }
  return agent.frameworks.get(frameworkId)?.user;
}

/** Refuses files API requests for sandboxes the caller may not access (403 with a message). */
export function installSandboxAuthorization(app: FastifyInstance, agent: Agent, acls: Acls | undefined): void {
  if (!acls) return;
  app.addHook('preHandler', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (path !== '/files/browse' && path !== '/files/read' && path !== '/files/download') return;
    const requested = (req.query as Record<string, string | undefined>).path;
    const owner = requested ? sandboxOwner(requested) : undefined;
    if (!owner) return;
    const user = sandboxUser(agent, owner.frameworkId, owner.executorId);
    const principal = principalOf(req);
    if (!mayAccessSandbox(acls, principal, user)) {
      return textError(reply, 403, `${who(principal)} not authorized to access the sandbox of executor '${owner.executorId}' of framework '${owner.frameworkId}' (access_sandboxes ACL)`);
    }
  });
}
