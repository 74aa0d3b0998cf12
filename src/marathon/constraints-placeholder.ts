// PLACEHOLDER — to be replaced by src/marathon/constraints.ts (evaluateConstraints) from the constraints branch.
// Same shape: (constraints, offer, placedTasksOfApp) => {ok: true} | {ok: false, reason}. Only UNIQUE and
// hostname CLUSTER are evaluated here; every other operator is accepted so apps using them still launch.
import { offerFieldValue } from '../framework/offer-matcher.ts';
import type { Offer } from '../proto/mesos.ts';

/** Where an already placed task of the app runs: enough of its agent's offer to evaluate constraints. */
export type PlacedTask = Pick<Offer, 'hostname' | 'attributes'>;

export type ConstraintResult = { ok: true } | { ok: false; reason: string };

export function evaluateConstraints(constraints: readonly (readonly string[])[], offer: Pick<Offer, 'hostname' | 'attributes'>, placedTasksOfApp: readonly PlacedTask[]): ConstraintResult {
  for (const [field, operator, value] of constraints) {
    if (field === undefined || operator === undefined) continue;
    const here = offerFieldValue(offer, field);
    if (operator === 'UNIQUE') {
      if (here === undefined) return { ok: false, reason: `UNIQUE on '${field}': the agent has no such attribute` };
      if (placedTasksOfApp.some((t) => offerFieldValue(t, field) === here)) return { ok: false, reason: `UNIQUE on '${field}': an instance already runs where ${field} is '${here}'` };
    } else if (operator === 'CLUSTER' && field === 'hostname') {
      const wanted = value ?? (placedTasksOfApp[0] ? placedTasksOfApp[0].hostname : undefined);
      if (wanted !== undefined && here !== wanted) return { ok: false, reason: `CLUSTER on hostname: needs '${wanted}', offer is from '${here}'` };
    }
  }
  return { ok: true };
}
