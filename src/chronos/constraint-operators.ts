// The placement-constraint operators Chronos knows, in a module without imports so the web console's form offers
// exactly the operators the job reader keeps (others are dropped when a job is read, as Chronos does).
export const CONSTRAINT_OPERATORS = ['EQUALS', 'LIKE', 'UNLIKE'] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];
