// What one Marathon event means for the console's copy of the state: which apps to refetch (debounced, one
// GET /v2/apps/<id> each), which to drop, and whether the deployments, the launch queue or the groups changed. Pure.
import type { MarathonEvent } from './types.ts';

export interface EventEffect {
  apps: string[]; removed: string[]; deployments: boolean; queue: boolean;
  /** The group list may have changed (groups can exist without apps, so app events do not say). */
  groups?: true;
}

const NONE: EventEffect = { apps: [], removed: [], deployments: false, queue: false };

function str(v: unknown): string | undefined { return typeof v === 'string' && v ? v : undefined; }

/** App ids a deployment plan touches: every step's actions and the apps of its target and original groups. */
function planApps(plan: unknown): string[] {
  const p = plan as { steps?: Array<{ actions?: Array<{ app?: string }> }>; target?: { apps?: Array<{ id?: string }> }; original?: { apps?: Array<{ id?: string }> } } | undefined;
  const ids = new Set<string>();
  for (const s of p?.steps ?? []) for (const a of s.actions ?? []) if (a.app) ids.add(a.app);
  for (const a of [...(p?.target?.apps ?? []), ...(p?.original?.apps ?? [])]) if (a.id) ids.add(a.id);
  return [...ids];
}

export function eventEffect(e: MarathonEvent): EventEffect {
  switch (e.eventType) {
    case 'status_update_event': {
      const appId = str(e.appId);
      return appId ? { ...NONE, apps: [appId], queue: true } : NONE;
    }
    case 'health_status_changed_event':
    case 'unhealthy_task_kill_event':
    case 'failed_health_check_event': {
      const appId = str(e.appId);
      return appId ? { ...NONE, apps: [appId] } : NONE;
    }
    case 'api_post_event': {
      const appId = str((e.appDefinition as { id?: unknown } | undefined)?.id);
      return { ...NONE, apps: appId ? [appId] : [], deployments: true, queue: true };
    }
    case 'deployment_info':
    case 'deployment_step_success':
    case 'deployment_step_failure':
    case 'deployment_success':
    case 'deployment_failed':
      return { apps: planApps(e.plan), removed: [], deployments: true, queue: true };
    case 'app_terminated_event': {
      const appId = str(e.appId);
      // Its groups may have gone with it (groups without apps exist only when created through /v2/groups).
      return { ...NONE, removed: appId ? [appId] : [], queue: true, groups: true };
    }
    case 'group_change_success':
    case 'group_change_failed':
      return { ...NONE, groups: true };
    default:
      return NONE;
  }
}
