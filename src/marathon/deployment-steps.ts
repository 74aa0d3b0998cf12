// The steps of one deployment: Marathon's plan (deployment-plan.ts) over the apps before and after a change, and
// which apps a deployment holds back until its earlier steps are done. Pure.
import type { AppDefinition } from './app-definition.ts';
import { computeDeploymentSteps, type AppSpec } from './deployment-plan.ts';
import type { Deployment, DeploymentAction } from './model.ts';
import { isInGroup } from './groups.ts';
import { parentOf } from './path-id.ts';

/** Group id → the ids (apps or groups) it depends on. */
export type GroupDependencies = ReadonlyMap<string, readonly string[]>;

/**
 * The apps an app waits for, as Marathon orders them: its own dependencies and those of every group enclosing it;
 * a dependency on a group means every app in that group (apps inside the depending group itself excepted).
 */
export function effectiveDependencies(app: Pick<AppDefinition, 'id' | 'dependencies'>, appIds: readonly string[], groups: GroupDependencies): string[] {
  const out = new Set<string>();
  const expand = (dep: string, within: string | undefined) => {
    for (const id of appIds) if (id !== app.id && (id === dep || isInGroup(id, dep)) && !(within && isInGroup(id, within))) out.add(id);
  };
  for (const d of app.dependencies) expand(d, undefined);
  for (let g = parentOf(app.id); g !== '/'; g = parentOf(g)) for (const d of groups.get(g) ?? []) expand(d, g);
  return [...out].sort();
}

/**
 * What the plan compares: `lastConfigChangeAt` is both version and config key, since it changes exactly on a config
 * change or a restart (a scale leaves it alone).
 */
export function appSpec(app: AppDefinition, dependencies: string[] = app.dependencies): AppSpec {
  const key = app.versionInfo.lastConfigChangeAt;
  return { id: app.id, version: key, instances: app.instances, dependencies, configKey: key };
}

/**
 * The steps from `before` to `after` (all apps, not only the changed ones, so dependency chains through
 * untouched apps order the layers), with app and group dependencies (`groups`: the groups after the change). A change that alters nothing (same definition PUT again) still gets one step
 * with `fallback`, as before. Throws DependencyCycleError for a cyclic target.
 */
export function stepsForChange(before: Iterable<AppDefinition>, after: Iterable<AppDefinition>, fallback: DeploymentAction[], groups: GroupDependencies = new Map()): Array<{ actions: DeploymentAction[] }> {
  const specs = (apps: AppDefinition[]) => {
    const ids = apps.map((a) => a.id);
    return apps.map((a) => appSpec(a, effectiveDependencies(a, ids, groups)));
  };
  const steps = computeDeploymentSteps(specs([...before]), specs([...after]));
  return steps.length > 0 ? steps : [{ actions: fallback }];
}

/** Whether one action of a step is done, given which apps have converged and which still exist. */
export type ActionDone = (action: DeploymentAction) => boolean;

/**
 * Moves a deployment past every finished step (from its `currentStep`, 1-based): returns the steps finished now, in
 * order, and the new current step (totalSteps + 1 when all are done).
 */
export function advanceSteps(d: Pick<Deployment, 'steps' | 'currentStep'>, done: ActionDone): { finished: number[]; currentStep: number } {
  const finished: number[] = [];
  let current = d.currentStep;
  while (current <= d.steps.length && d.steps[current - 1]!.actions.every(done)) {
    finished.push(current);
    current++;
  }
  return { finished, currentStep: current };
}

/** Apps a deployment must not touch yet: those scaled or restarted in a step after the current one. */
export function heldApps(d: Pick<Deployment, 'steps' | 'currentStep'>): Set<string> {
  const held = new Set<string>();
  for (const step of d.steps.slice(d.currentStep)) {
    for (const a of step.actions) if (a.action === 'ScaleApplication' || a.action === 'RestartApplication') held.add(a.app);
  }
  return held;
}
