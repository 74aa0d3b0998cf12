// What a principal may see of the master (view_frameworks, view_tasks, view_agents ACLs): a read-only stand-in
// for the Master whose frameworks, tasks and agents are filtered, handed to the unchanged state views, so hidden
// objects leave every list endpoint (state, frameworks, tasks, slaves, operator GET_*) the same way.
import { isAuthorized, restrictsViewing, type Acls } from '../security/acls.ts';
import type { Master } from './master.ts';
import type { Agent, Framework, Task } from './types.ts';

export interface Viewer {
  framework(fw: Framework): boolean;
  task(task: Task, fw: Framework | undefined): boolean;
  agent(agent: Agent): boolean;
}

/** The user a task runs as, as Mesos decides it: the command's user, else the framework's. */
export function taskUser(task: Task, fw: Framework | undefined): string | undefined {
  return task.extras?.user ?? fw?.info.user;
}

export function viewer(acls: Acls | undefined, principal: string | undefined): Viewer {
  return {
    framework: (fw) => isAuthorized(acls, 'view_frameworks', principal, fw.info.user),
    task: (task, fw) => isAuthorized(acls, 'view_tasks', principal, taskUser(task, fw)),
    agent: (agent) => isAuthorized(acls, 'view_agents', principal, agent.info.hostname),
  };
}

function visibleFramework(fw: Framework, v: Viewer): Framework {
  const keep = (t: Task) => v.task(t, fw);
  return {
    ...fw,
    tasks: new Map([...fw.tasks].filter(([, t]) => keep(t))),
    unreachableTasks: new Map([...fw.unreachableTasks].filter(([, t]) => keep(t))),
    completedTasks: fw.completedTasks.filter(keep),
  };
}

/**
 * The master as `principal` may see it. Without viewing rules this is the master itself (no copying, and the
 * state renderer's caches keep working); otherwise an object whose own frameworks/agents shadow the master's.
 */
export function visibleMaster(master: Master, acls: Acls | undefined, principal: string | undefined): Master {
  if (!restrictsViewing(acls)) return master;
  const v = viewer(acls, principal);
  const frameworks = new Map<string, Framework>();
  for (const [id, fw] of master.frameworks) if (v.framework(fw)) frameworks.set(id, visibleFramework(fw, v));
  const completedFrameworks = master.completedFrameworks.filter((fw) => v.framework(fw)).map((fw) => visibleFramework(fw, v));
  const agents = new Map([...master.agents].filter(([, a]) => v.agent(a)));
  const shownAgents = new Set(agents.keys());
  const offers = new Map([...master.offers].filter(([, o]) => frameworks.has(o.frameworkId) && shownAgents.has(o.agentId)));
  const view = Object.create(master) as Master;
  Object.defineProperties(view, {
    frameworks: { value: frameworks }, completedFrameworks: { value: completedFrameworks }, agents: { value: agents }, offers: { value: offers },
  });
  return view;
}
