// Environment variables as name/value rows.
import type { EnvironmentVariable } from '../types.ts';

export function EnvEditor({ value, onChange, error }: { value: EnvironmentVariable[]; onChange(v: EnvironmentVariable[]): void; error?: string }) {
  const set = (i: number, patch: Partial<EnvironmentVariable>) => onChange(value.map((v, k) => (k === i ? { ...v, ...patch } : v)));
  return (
    <fieldset>
      <legend>Environment variables</legend>
      {value.map((v, i) => (
        <div key={i} className="env-row">
          <input aria-label={`Variable ${i + 1} name`} placeholder="NAME" className="mono" value={v.name} onChange={(e) => set(i, { name: e.target.value })} />
          <input aria-label={`Variable ${i + 1} value`} placeholder="value" className="mono" value={v.value} onChange={(e) => set(i, { value: e.target.value })} />
          <button type="button" aria-label={`Remove variable ${i + 1}`} onClick={() => onChange(value.filter((_, k) => k !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { name: '', value: '' }])}>Add variable</button>
      {error && <p className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}
