// Mesos ACLs (--acls, the JSON shape of mesos.ACLs) and their evaluation as Mesos' local authorizer does it:
// the first rule whose subject and object both *match* decides, by whether both are *allowed*; no matching rule
// → `permissive` (default true). Pure functions; the servers ask `isAuthorized` at each decision point.
import { z } from 'zod';

/** ACL actions and the name of each one's object field in the JSON. */
export const ACL_ACTIONS = {
  register_frameworks: 'roles',
  run_tasks: 'users',
  teardown_frameworks: 'framework_principals',
  view_frameworks: 'users',
  view_tasks: 'users',
  view_executors: 'users',
  view_agents: 'agents',
  access_sandboxes: 'users',
  get_endpoints: 'paths',
} as const;
export type AclAction = keyof typeof ACL_ACTIONS;

/** An entity: `values` (some), or `type` ANY / NONE. Mesos also accepts "type": "SOME" with values. */
export type Entity = { kind: 'ANY' } | { kind: 'NONE' } | { kind: 'SOME'; values: string[] };
export interface AclRule { subjects: Entity; objects: Entity }
export interface Acls { permissive: boolean; rules: Partial<Record<AclAction, AclRule[]>> }

const entitySchema = z.object({
  values: z.array(z.string()).optional(),
  type: z.enum(['ANY', 'NONE', 'SOME']).optional(),
}).strict().superRefine((e, ctx) => {
  if (e.values !== undefined && e.type !== undefined && e.type !== 'SOME') ctx.addIssue({ code: 'custom', message: `'values' cannot go with type ${e.type}` });
  if (e.values === undefined && (e.type === undefined || e.type === 'SOME')) ctx.addIssue({ code: 'custom', message: "expected 'values' or 'type' (ANY or NONE)" });
});
type EntityJson = z.infer<typeof entitySchema>;

function toEntity(e: EntityJson | undefined): Entity {
  // An entity left out of a rule is ANY, as in Mesos' protobuf default.
  if (!e) return { kind: 'ANY' };
  if (e.values !== undefined) return { kind: 'SOME', values: e.values };
  return { kind: e.type as 'ANY' | 'NONE' };
}

function ruleSchema(objectField: string) {
  return z.object({ principals: entitySchema.optional(), [objectField]: entitySchema.optional() }).strict();
}

const aclsFileSchema = z.object({
  permissive: z.boolean().default(true),
  ...Object.fromEntries(Object.entries(ACL_ACTIONS).map(([action, field]) => [action, z.array(ruleSchema(field)).optional()])),
}).strict();

/** Parses an --acls file's text; throws with the offending field named. */
export function parseAcls(text: string): Acls {
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
  const parsed = aclsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const action = issue.path[0] as AclAction | undefined;
    const unknown = issue.code !== 'unrecognized_keys' ? ''
      : action && action in ACL_ACTIONS ? `: a ${action} rule has 'principals' and '${ACL_ACTIONS[action]}'`
        : `: known are permissive, ${Object.keys(ACL_ACTIONS).join(', ')}`;
    throw new Error(`${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}${unknown}`);
  }
  const data = parsed.data as Record<string, unknown> & { permissive: boolean };
  const rules: Acls['rules'] = {};
  for (const [action, field] of Object.entries(ACL_ACTIONS) as Array<[AclAction, string]>) {
    const list = data[action] as Array<Record<string, EntityJson | undefined>> | undefined;
    if (list) rules[action] = list.map((r) => ({ subjects: toEntity(r.principals), objects: toEntity(r[field]) }));
  }
  return { permissive: data.permissive, rules };
}

/** What a request is about: a principal (or anonymous = ANY) and an object value (or unknown = ANY). */
function requestEntity(value: string | undefined): Entity {
  return value === undefined ? { kind: 'ANY' } : { kind: 'SOME', values: [value] };
}

const subset = (a: string[], b: string[]): boolean => a.every((v) => b.includes(v));

/** Whether a rule applies to the request entity. */
function matches(request: Entity, acl: Entity): boolean {
  if (request.kind === 'NONE') return acl.kind === 'NONE';
  if (request.kind === 'ANY') return acl.kind === 'ANY' || acl.kind === 'NONE';
  if (acl.kind !== 'SOME') return true;
  return subset(request.values, acl.values);
}

/** Whether a matching rule grants the request entity. */
function allows(request: Entity, acl: Entity): boolean {
  if (request.kind !== 'SOME') return acl.kind === 'ANY';
  if (acl.kind === 'ANY') return true;
  if (acl.kind === 'NONE') return false;
  return subset(request.values, acl.values);
}

/** Mesos' local authorizer decision for one action. `principal` undefined = anonymous; `object` undefined = any. */
export function isAuthorized(acls: Acls | undefined, action: AclAction, principal: string | undefined, object: string | undefined): boolean {
  if (!acls) return true;
  const subject = requestEntity(principal);
  const target = requestEntity(object);
  for (const rule of acls.rules[action] ?? []) {
    if (matches(subject, rule.subjects) && matches(target, rule.objects)) return allows(subject, rule.subjects) && allows(target, rule.objects);
  }
  return acls.permissive;
}

/** Whether a rule explicitly names `value` among its objects for a principal (used for root: ANY is not enough). */
export function explicitlyAllows(acls: Acls | undefined, action: AclAction, principal: string | undefined, value: string): boolean {
  if (!acls) return false;
  const subject = requestEntity(principal);
  const target: Entity = { kind: 'SOME', values: [value] };
  for (const rule of acls.rules[action] ?? []) {
    if (matches(subject, rule.subjects) && matches(target, rule.objects)) {
      return allows(subject, rule.subjects) && rule.objects.kind === 'SOME' && rule.objects.values.includes(value);
    }
  }
  return false;
}

/** True when the ACLs can hide anything from view (a fast path keeps unfiltered state rendering when not). */
export function restrictsViewing(acls: Acls | undefined): boolean {
  if (!acls) return false;
  if (!acls.permissive) return true;
  return (['view_frameworks', 'view_tasks', 'view_executors', 'view_agents'] as const).some((a) => (acls.rules[a]?.length ?? 0) > 0);
}
