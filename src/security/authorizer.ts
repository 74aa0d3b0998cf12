// The authorization questions the master and agent ask, over Mesos ACLs (acls.ts), each a pure function.
import { explicitlyAllows, isAuthorized, type Acls } from './acls.ts';

/**
 * Why a task may not run as `user` for a framework's principal, or undefined when it may. Root is special
 * (decision 0092): with --acls, a root task needs a run_tasks rule naming "root" explicitly (ANY is not enough)
 * AND --allow-root-tasks; --allow-root-tasks=false refuses root whatever the ACLs say.
 */
export function runTaskRefusal(acls: Acls | undefined, allowRootTasks: boolean, principal: string | undefined, user: string): string | undefined {
  const who = principal === undefined ? 'a framework without a principal' : `principal '${principal}'`;
  if (user === 'root') {
    if (!allowRootTasks) return "Not authorized to launch as user 'root': the master runs with --allow-root-tasks=false";
    if (acls && !explicitlyAllows(acls, 'run_tasks', principal, 'root')) return `Not authorized to launch as user 'root': no run_tasks ACL names user 'root' for ${who}`;
    return undefined;
  }
  return isAuthorized(acls, 'run_tasks', principal, user) ? undefined : `Not authorized to launch as user '${user}' (${who}, run_tasks ACL)`;
}

/** The roles of a SUBSCRIBE the principal may not register with (register_frameworks). */
export function forbiddenRoles(acls: Acls | undefined, principal: string | undefined, roles: string[]): string[] {
  return roles.filter((role) => !isAuthorized(acls, 'register_frameworks', principal, role));
}

export function mayTeardown(acls: Acls | undefined, principal: string | undefined, frameworkPrincipal: string | undefined): boolean {
  return isAuthorized(acls, 'teardown_frameworks', principal, frameworkPrincipal);
}

/** The 403 message for a refused teardown. */
export function teardownForbidden(principal: string | undefined, frameworkId: string): string {
  return `${who(principal)} not authorized to teardown framework '${frameworkId}' (teardown_frameworks ACL)`;
}

/** "Principal 'x' is" / "Anonymous requests are", for refusal messages. */
export function who(principal: string | undefined): string {
  return principal === undefined ? 'Anonymous requests are' : `Principal '${principal}' is`;
}

export function mayAccessSandbox(acls: Acls | undefined, principal: string | undefined, user: string | undefined): boolean {
  return isAuthorized(acls, 'access_sandboxes', principal, user);
}
