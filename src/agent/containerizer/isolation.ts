// Start-up choice of the mesos containerizer's isolation (--isolation): cgroups when the machine allows it,
// a clear refusal when the operator asked for cgroups that cannot be written.
import { spawnSync } from 'node:child_process';
import { CgroupManager, detectLayout } from './cgroups.ts';
import { parseIsolation } from './cgroups-limits.ts';
import type { ProcessIsolation } from './process.ts';

export const CGROUPS_ISOLATION = 'cgroups/cpu,cgroups/mem';
export const POSIX_ISOLATION = 'posix/cpu,posix/mem';

export interface IsolationFlags {
  /** undefined: cgroups when writable, else posix. */
  isolation?: string;
  enableCfs: boolean;
  cgroupsRoot: string;
}

/** Resolves the flags into the containerizer's isolation and the effective --isolation text; throws one line on misconfiguration. */
export async function setUpIsolation(flags: IsolationFlags): Promise<{ isolation: ProcessIsolation; flag: string; cgroupVersion?: string }> {
  const layout = detectLayout();
  let manager: CgroupManager | undefined;
  let unusable = 'no cgroup hierarchy with the cpu and memory controllers is mounted';
  if (layout) {
    const m = new CgroupManager(layout, flags.cgroupsRoot);
    try { await m.prepare(); manager = m; } catch (err) { unusable = `cgroups are not writable (${(err as Error).message})`; }
  }
  const text = flags.isolation ?? (manager ? CGROUPS_ISOLATION : POSIX_ISOLATION);
  const choice = parseIsolation(text);
  if ((choice.cgroupsCpu || choice.cgroupsMem) && !manager) {
    throw new Error(`--isolation '${text}' needs cgroups, but ${unusable}; run the agent as root or pass --isolation ${POSIX_ISOLATION}`);
  }
  if (choice.pidNamespace) {
    if (process.getuid?.() !== 0) throw new Error(`--isolation '${text}': namespaces/pid needs the agent to run as root`);
    if (spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`--isolation '${text}': namespaces/pid needs util-linux's unshare on the PATH`);
  }
  const usesCgroups = choice.cgroupsCpu || choice.cgroupsMem;
  return {
    isolation: { ...(usesCgroups ? { cgroups: manager } : {}), cpu: choice.cgroupsCpu, mem: choice.cgroupsMem, enableCfs: flags.enableCfs, pidNamespace: choice.pidNamespace },
    flag: text, ...(usesCgroups && layout ? { cgroupVersion: layout.version } : {}),
  };
}
