// The job's arguments, one per row.
import { RowsEditor } from './RowsEditor.tsx';

export function ArgumentsEditor({ value, onChange, shell, error }: { value: string[]; onChange(v: string[]): void; shell: boolean; error?: string }) {
  const hint = shell
    ? 'With a shell they are appended to the command line (";" removed). Turn the shell off to pass them to the command as its own arguments.'
    : 'Passed to the command as its arguments (no shell): no quoting needed.';
  return (
    <RowsEditor legend="Arguments" noun="argument" rowClass="arg-row" rows={value.map((text) => ({ text }))} onChange={(rows) => onChange(rows.map((r) => r.text))}
      blank={() => ({ text: '' })} error={error} hint={hint}>
      {(row, i, set) => <input aria-label={`Argument ${i + 1}`} className="mono" value={row.text} onChange={(e) => set({ text: e.target.value })} />}
    </RowsEditor>
  );
}
