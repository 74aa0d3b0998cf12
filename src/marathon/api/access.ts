// The v2 API's side of per-user permissions (permissions.ts): checks bound to a request's authenticated
// principal, 403 for forbidden actions, and which events of /v2/events a principal may see. Without
// --http-permissions every check passes.
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../security/http-auth.ts';
import { allows, forbiddenMessage, ForbiddenError, seesInto, type PermissionAction, type Permissions } from '../../security/prefix-permissions.ts';

export { ForbiddenError };

export interface Access {
  /** Whether permissions are configured at all (lists need no filtering otherwise). */
  readonly enabled: boolean;
  can(req: FastifyRequest, action: PermissionAction, id: string): boolean;
  /** Throws ForbiddenError unless the request's principal may do `action` on `id`. */
  require(req: FastifyRequest, action: PermissionAction, id: string): void;
  /** Whether the group `id` is visible (it, or something inside it, may be viewed). */
  seesInto(req: FastifyRequest, id: string): boolean;
  /** Whether an event of /v2/events may be shown to this request's principal. */
  showsEvent(req: FastifyRequest, event: Record<string, unknown>): boolean;
}

export function createAccess(permissions: Permissions | undefined): Access {
  const who = (req: FastifyRequest) => principalOf(req);
  const can = (req: FastifyRequest, action: PermissionAction, id: string) => allows(permissions, who(req), action, id);
  return {
    enabled: permissions !== undefined,
    can,
    require(req, action, id) {
      if (can(req, action, id)) return;
      throw new ForbiddenError(forbiddenMessage(who(req), action, id));
    },
    seesInto: (req, id) => seesInto(permissions, who(req), id),
    showsEvent(req, event) {
      if (!permissions) return true;
      const { apps, groups } = pathsOfEvent(event);
      return apps.every((id) => can(req, 'view', id)) && groups.every((id) => seesInto(permissions, who(req), id));
    },
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The app ids and group ids an event is about (task events name their app, deployment events carry a plan with
 * the affected apps' definitions and step actions). An event naming none is about no app (stream attached...).
 */
export function pathsOfEvent(event: Record<string, unknown>): { apps: string[]; groups: string[] } {
  const apps = new Set<string>();
  for (const v of [event.appId, event.runSpecId, (event.appDefinition as { id?: unknown } | undefined)?.id]) {
    const id = str(v);
    if (id) apps.add(id);
  }
  const plan = event.plan as { original?: { apps?: unknown[] }; target?: { apps?: unknown[] }; steps?: unknown[] } | undefined;
  if (plan && typeof plan === 'object') {
    for (const g of [plan.original, plan.target]) for (const a of g?.apps ?? []) { const id = str((a as { id?: unknown })?.id); if (id) apps.add(id); }
    for (const s of plan.steps ?? []) for (const a of (s as { actions?: unknown[] })?.actions ?? []) { const id = str((a as { app?: unknown })?.app); if (id) apps.add(id); }
  }
  const step = event.currentStep as { actions?: unknown[] } | undefined;
  for (const a of step?.actions ?? []) { const id = str((a as { app?: unknown })?.app); if (id) apps.add(id); }
  const group = str(event.groupId);
  return { apps: [...apps], groups: group ? [group] : [] };
}
