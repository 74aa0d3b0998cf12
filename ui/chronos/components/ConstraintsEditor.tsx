// Placement constraints [attribute, operator, value] with the operators the server keeps.
import { CONSTRAINT_OPERATORS } from '../../../src/chronos/constraint-operators.ts';
import { constraintRowsNamed, type ConstraintRow } from '../job-form.ts';
import { RowsEditor } from './RowsEditor.tsx';

export function ConstraintsEditor({ value, onChange, error }: { value: ConstraintRow[]; onChange(v: ConstraintRow[]): void; error?: string }) {
  const bad = constraintRowsNamed(error, value);
  return (
    <RowsEditor legend="Constraints" noun="constraint" rowClass="constraint-row" columns={['Attribute', 'Operator', 'Value']} rows={value} onChange={onChange} error={error}
      blank={() => ({ attribute: '', operator: 'EQUALS', value: '' })}
      hint={<>Where runs may start: an agent attribute (or <code>hostname</code>) that EQUALS a value, or is LIKE / UNLIKE a regular expression.</>}>
      {(row, i, set) => (
        <>
          <input aria-label={`Constraint ${i + 1} attribute`} placeholder="rack" className="mono" value={row.attribute} aria-invalid={bad.has(i) || undefined} onChange={(e) => set({ attribute: e.target.value })} />
          <select aria-label={`Constraint ${i + 1} operator`} value={row.operator} aria-invalid={bad.has(i) || undefined} onChange={(e) => set({ operator: e.target.value })}>
            {CONSTRAINT_OPERATORS.map((op) => <option key={op} value={op}>{op}</option>)}
            {!(CONSTRAINT_OPERATORS as readonly string[]).includes(row.operator) && <option value={row.operator}>{row.operator}</option>}
          </select>
          <input aria-label={`Constraint ${i + 1} value`} placeholder={row.operator === 'EQUALS' ? 'a' : 'a|b'} className="mono" value={row.value} aria-invalid={bad.has(i) || undefined} onChange={(e) => set({ value: e.target.value })} />
        </>
      )}
    </RowsEditor>
  );
}
