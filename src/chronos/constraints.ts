// Chronos placement constraints `[attribute, operator, value]` evaluated against an offer. Pure.
import type { Offer } from '../proto/mesos.ts';
import { offerFieldValue } from '../framework/offer-matcher.ts';
import { CONSTRAINT_OPERATORS } from './constraint-operators.ts';

export { CONSTRAINT_OPERATORS };

export type Constraint = [string, string, string];

/** A regex Chronos would compile for LIKE/UNLIKE, or an error message naming the constraint. */
export function constraintError(c: Constraint): string | undefined {
  if (c[1] === 'LIKE' || c[1] === 'UNLIKE') {
    try { new RegExp(`^(?:${c[2]})$`); } catch { return `constraint [${c.map((x) => JSON.stringify(x)).join(', ')}]: '${c[2]}' is not a valid regular expression`; }
  }
  return undefined;
}

/** EQUALS: the field equals the value; LIKE: it fully matches the regex; UNLIKE: it does not (or is absent). */
export function offerSatisfies(offer: Pick<Offer, 'hostname' | 'attributes'>, constraints: readonly Constraint[]): boolean {
  return constraints.every(([field, op, value]) => {
    const actual = offerFieldValue(offer, field);
    switch (op) {
      case 'EQUALS': return actual === value;
      case 'LIKE': return actual !== undefined && new RegExp(`^(?:${value})$`).test(actual);
      case 'UNLIKE': return actual === undefined || !new RegExp(`^(?:${value})$`).test(actual);
      default: return true;
    }
  });
}
