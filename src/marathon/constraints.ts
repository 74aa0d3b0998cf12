/**
 * Marathon placement constraints (`[field, operator, value?]`): validation with Marathon's messages, and the
 * decision whether one offer may take one more instance of an app given where its other instances run.
 *
 * Contract:
 * - `validateConstraints(raw, path)` returns Marathon-style `details` entries (empty = valid). Operators are
 *   case-insensitive on input as in Marathon (`op.toUpperCase`); `normalizeConstraints` returns them upper-cased.
 * - `evaluateConstraints(constraints, offer, placed)` is pure: `placed` holds the agents of the app's other
 *   non-terminal instances (one entry per instance). All constraints must hold; the first that does not is named
 *   in `reason`, e.g. `constraint [hostname, UNIQUE] not met on h1`.
 * Semantics follow Marathon 1.x (mesosphere.mesos.Constraints before the 1.10 GROUP_BY change): see
 * docs/decisions/0040-marathon-constraints-health-deployments.md.
 */
import type { AttributeJSON, Offer } from '../proto/mesos.ts';
import { offerFieldValue } from '../framework/offer-matcher.ts';

export type Constraint = [field: string, operator: string, value?: string];

export type ValidationDetail = { path: string; errors: string[] };

/** Where an instance runs, or an offer's agent: what constraints look at. */
export type PlacedAgent = Pick<Offer, 'hostname' | 'attributes'>;
type Agent = PlacedAgent;

export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

// Marathon's messages (api/v2/validation/SchedulingValidation.scala).
const MSG = {
  arity: 'Each constraint must have either 2 or 3 fields',
  operator: 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS',
  illegal: 'illegal constraint specification',
  uniqueValue: 'UNIQUE does not accept a value',
  groupBy: 'GROUP BY must define an integer value or else no value at all',
  maxPer: 'MAX_PER requires an integer value',
  likeValue: 'LIKE and UNLIKE require a non-empty, regular expression value',
  regex: 'is not a valid regular expression',
  isValue: 'IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)',
  notArray: 'expected an array of constraints, each an array of 2 or 3 strings',
  notStrings: 'each constraint must be an array of strings',
} as const;

/** Java's Integer.parseInt: optional sign, decimal digits, 32-bit range. */
function parseJavaInt(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** Full-match regex as Java's String.matches; undefined when the pattern does not compile. */
function fullMatchRegex(pattern: string): RegExp | undefined {
  try { return new RegExp(`^(?:${pattern})$`, 'u'); } catch { /* try without unicode mode */ }
  try { return new RegExp(`^(?:${pattern})$`); } catch { return undefined; }
}

function validateOne(c: unknown): string[] {
  if (!Array.isArray(c)) return [MSG.notStrings];
  if (c.length < 2 || c.length > 3) return [MSG.arity];
  if (!c.every((x) => typeof x === 'string')) return [MSG.notStrings];
  const [field, op, value] = c as string[];
  if (!field) return [MSG.illegal];
  const operator = op!.toUpperCase();
  if (!(CONSTRAINT_OPERATORS as readonly string[]).includes(operator)) return [MSG.operator];
  switch (operator as ConstraintOperator) {
    case 'UNIQUE': return value === undefined ? [] : [MSG.uniqueValue];
    case 'CLUSTER': return [];
    case 'GROUP_BY': return value === undefined || parseJavaInt(value) !== undefined ? [] : [MSG.groupBy];
    case 'MAX_PER': return value !== undefined && parseJavaInt(value) !== undefined ? [] : [MSG.maxPer];
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined || value === '') return [MSG.likeValue];
      return fullMatchRegex(value) ? [] : [MSG.regex];
    case 'IS': return /^[a-zA-Z0-9_/.-]*$/.test(value ?? '') ? [] : [MSG.isValue];
  }
}

/** Marathon's rules for `constraints`; each failing constraint is reported at `<path>(<index>)`. */
export function validateConstraints(raw: unknown, path = '/constraints'): ValidationDetail[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return [{ path, errors: [MSG.notArray] }];
  const details: ValidationDetail[] = [];
  raw.forEach((c, i) => {
    const errors = validateOne(c);
    if (errors.length > 0) details.push({ path: `${path}(${i})`, errors });
  });
  return details;
}

/** Valid constraints with upper-cased operators (call after validateConstraints returned no details). */
export function normalizeConstraints(raw: readonly (readonly string[])[]): Constraint[] {
  return raw.map(([field, op, value]) => (value === undefined ? [field!, op!.toUpperCase()] : [field!, op!.toUpperCase(), value]));
}

/** Java DecimalFormat("0.###") with HALF_EVEN rounding, as Marathon prints scalar attributes. */
export function formatScalar(v: number): string {
  const scaled = v * 1000;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : (floor % 2 === 0 ? floor : floor + 1);
  const out = rounded / 1000;
  return String(Object.is(out, -0) ? 0 : out);
}

/**
 * The text Marathon compares for a field: hostname (`hostname` or `@hostname`) or the attribute's value, with
 * scalars as "0.###", ranges as "[a-b,c-d]" and sets as sorted "{a,b}". `@region`/`@zone` (fault domains) are not
 * modelled and read as absent.
 */
export function constraintFieldValue(agent: Agent, field: string): string | undefined {
  if (field === '@hostname') return agent.hostname;
  if (field === '@region' || field === '@zone') return undefined;
  const attr = (agent.attributes as AttributeJSON[] | undefined)?.find((a) => a.name === field);
  if (attr?.type === 'SCALAR') return formatScalar(attr.scalar?.value ?? 0);
  if (attr?.type === 'RANGES') {
    const ranges = [...(attr.ranges?.range ?? [])].sort((a, b) => a.begin - b.begin);
    return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(',')}]`;
  }
  if (attr?.type === 'SET') return `{${[...(attr.set?.item ?? [])].sort().join(',')}}`;
  return offerFieldValue(agent, field);
}

/** GROUP_BY as Marathon 1.x decides it from the counts per value among placed instances. */
function groupByAllows(offerValue: string, placedValues: Array<string | undefined>, value: string | undefined): boolean {
  const wanted = Math.max(0, value === 'inf' ? Number.MAX_SAFE_INTEGER : parseJavaInt(value ?? '') ?? 0);
  const counts = new Map<string | undefined, number>();
  for (const v of placedValues) counts.set(v, (counts.get(v) ?? 0) + 1);
  const mine = counts.get(offerValue);
  // A value no instance has yet is always welcome; a known one only while it is among the smallest groups and
  // at least `wanted` distinct values are in use.
  if (mine === undefined) return true;
  const smallest = Math.min(...counts.values());
  return counts.size >= wanted && mine === smallest;
}

function meets(c: Constraint, offer: Agent, placed: readonly Agent[]): boolean {
  const [field, rawOp, value] = c;
  const op = rawOp.toUpperCase();
  const offerValue = constraintFieldValue(offer, field);
  // Only UNLIKE can hold on an agent that lacks the field.
  if (offerValue === undefined) return op === 'UNLIKE';
  const placedValues = () => placed.map((p) => constraintFieldValue(p, field));
  switch (op) {
    case 'UNIQUE': return placedValues().every((v) => v !== offerValue);
    case 'CLUSTER':
      if (value === undefined || value === '') return placed.length === 0 || constraintFieldValue(placed[0]!, field) === offerValue;
      return offerValue === value;
    case 'GROUP_BY': return groupByAllows(offerValue, placedValues(), value);
    case 'MAX_PER': {
      const max = parseJavaInt(value ?? '');
      if (max === undefined) return false;
      return placedValues().filter((v) => v === offerValue).length < max;
    }
    case 'LIKE':
    case 'UNLIKE': {
      if (!value) return false; // Marathon logs "value is required" and rejects
      const re = fullMatchRegex(value);
      if (!re) return false;
      return op === 'LIKE' ? re.test(offerValue) : !re.test(offerValue);
    }
    case 'IS': {
      // A numeric-looking value compares as Marathon prints scalars, so "1.0" matches the scalar attribute 1.
      const expected = value === undefined ? '' : /^[0-9]+(?:\.[0-9]+)?$/.test(value) ? formatScalar(Number(value)) : value;
      return offerValue === expected;
    }
    default: return false;
  }
}

export function describeConstraint(c: Constraint): string {
  return `[${c.filter((x) => x !== undefined).join(', ')}]`;
}

/** Whether `offer` may take one more instance; the reason names the first unmet constraint and the agent. */
export type ConstraintResult = { ok: true } | { ok: false; reason: string };

export function evaluateConstraints(constraints: readonly Constraint[], offer: Agent, placed: readonly Agent[]): ConstraintResult {
  for (const c of constraints) {
    if (!meets(c, offer, placed)) return { ok: false, reason: `constraint ${describeConstraint(c)} not met on ${offer.hostname}` };
  }
  return { ok: true };
}
