// The task's user (CommandInfo.user, else FrameworkInfo.user under --switch-user) for the mesos containerizer: the task runs as that user (uid, primary gid and supplementary
// groups, as Mesos' os::su), its sandbox owned by that user. The task wrapper itself stays the agent's user, since it
// enters cgroups and records the exit status in the agent's work dir; only the command is started through
// util-linux `setpriv`, so switching costs no extra process once the command runs.
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Account { name: string; uid: number; gid: number }

let ownName: string | undefined;

/** The user the agent runs as (read once). */
export function agentUserName(): string {
  try { ownName ??= userInfo().username; } catch { ownName = ''; }
  return ownName;
}

/** One /etc/passwd-format line (as `getent passwd` prints it), or undefined when it is not one. */
export function parsePasswdLine(line: string): Account | undefined {
  const f = line.trim().split(':');
  if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) };
}

/** The argv prefix that runs a command as `account`, or none when the agent already is that user. */
export function switchUserArgs(account: Account, current: { uid: number; gid: number }): string[] {
  if (account.uid === current.uid && account.gid === current.gid) return [];
  return ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--'];
}

/** The user a task runs as and the field that named it (for error messages). */
export interface TaskUser { name: string; field: 'CommandInfo.user' | 'FrameworkInfo.user' }

/**
 * Mesos' --switch_user: CommandInfo.user, else FrameworkInfo.user, when switching is on; with --no-switch-user every
 * task runs as the agent's user. FrameworkInfo.user only counts on a root agent (a non-root agent cannot switch, and
 * frameworks fill the field in by default); an explicit CommandInfo.user is always honoured or refused.
 */
export function taskUser(o: { commandUser?: string | undefined; frameworkUser?: string | undefined; switchUser: boolean; agentIsRoot: boolean }): TaskUser | undefined {
  if (!o.switchUser) return undefined;
  if (o.commandUser) return { name: o.commandUser, field: 'CommandInfo.user' };
  if (o.frameworkUser && o.agentIsRoot) return { name: o.frameworkUser, field: 'FrameworkInfo.user' };
  return undefined;
}

/** Resolves a user name through NSS (`getent passwd`, so LDAP users count too); throws a message naming the user. */
export async function lookUpUser(name: string, field: TaskUser['field'] = 'CommandInfo.user'): Promise<Account> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('getent', ['passwd', '--', name], { timeout: 10_000 }));
  } catch (err) {
    const code = (err as { code?: number | string }).code;
    if (code === 2) throw new Error(`No such user '${name}' on this agent (${field})`);
    throw new Error(`Failed to look up user '${name}': ${(err as Error).message}`);
  }
  const account = parsePasswdLine(stdout.split('\n')[0] ?? '');
  if (!account) throw new Error(`Failed to look up user '${name}': unexpected answer '${stdout.trim()}'`);
  return account;
}

/** Hands the sandbox (and what the fetcher put there) to the task's user, as Mesos chowns the executor's directory. */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { recursive: true })) await chown(join(dir, entry), uid, gid);
}

/**
 * As Mesos' docker containerizer: the task's user owns the sandbox and what the fetcher put there, while the
 * container runs as its image's user (DockerInfo.parameters `user` changes that). Unknown user: throws.
 */
export async function giveSandboxTo(user: TaskUser, sandbox: string): Promise<void> {
  if (user.name === agentUserName()) return;
  const account = await lookUpUser(user.name, user.field);
  if (account.uid === process.getuid?.()) return;
  if (process.getuid?.() !== 0) throw new Error(`cannot give the sandbox to user '${user.name}' (uid ${account.uid}, ${user.field}): the agent is not running as root`);
  await chownTree(sandbox, account.uid, account.gid);
}
