// Form building blocks: a labelled input with its errors next to it (aria-invalid + aria-describedby), and an
// editor for lists of rows (env vars, ports, health checks...) with add / remove buttons.
import { useId, type ReactNode } from 'react';

export type Errors = (key: string) => string[] | undefined;

export function FieldErrors({ id, errors }: { id: string; errors: string[] | undefined }) {
  if (!errors?.length) return null;
  return <span id={id} className="field-error" data-testid="field-error">{errors.join(' ')}</span>;
}

export function TextField({ label, value, onChange, errors, type = 'text', placeholder, mono, readOnly, step, min, list, name }: {
  label: string; value: string; onChange(v: string): void; errors?: string[]; type?: string; placeholder?: string; mono?: boolean;
  readOnly?: boolean; step?: string; min?: string; list?: string; name?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input id={`${id}-input`} type={type} value={value} name={name} placeholder={placeholder} readOnly={readOnly} step={step} min={min} list={list}
        className={mono ? 'mono' : undefined} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? id : undefined}
        onChange={(e) => onChange(e.target.value)} />
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

export function SelectField({ label, value, onChange, options, errors }: {
  label: string; value: string; onChange(v: string): void; options: Array<[string, string]>; errors?: string[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <select id={`${id}-input`} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? id : undefined}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

/** A multi-line text input, labelled, with its errors. */
export function TextAreaField({ label, value, onChange, errors, rows = 3, placeholder, name }: {
  label: string; value: string; onChange(v: string): void; errors?: string[]; rows?: number; placeholder?: string; name?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <textarea id={`${id}-input`} className="mono" name={name} rows={rows} value={value} placeholder={placeholder} spellCheck={false}
        aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? id : undefined} onChange={(e) => onChange(e.target.value)} />
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

export function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange(v: boolean): void }) {
  return <label className="check"><input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}</label>;
}

/** A list of rows; `render` draws one row's inputs, `update` replaces it. */
export function RowsEditor<R>({ title, rows, onChange, newRow, render, addLabel, errors, hint }: {
  title: string; rows: R[]; onChange(rows: R[]): void; newRow(): R; addLabel: string; hint?: ReactNode;
  render(row: R, index: number, update: (patch: Partial<R>) => void): ReactNode; errors?: string[];
}) {
  const id = useId();
  return (
    <fieldset className="rows" aria-describedby={errors?.length ? id : undefined}>
      <legend>{title}</legend>
      {hint && <p className="muted hint">{hint}</p>}
      <FieldErrors id={id} errors={errors} />
      {rows.map((row, i) => (
        <div className="row" key={i} role="group" aria-label={`${title} ${i + 1}`}>
          {render(row, i, (patch) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r))))}
          <button type="button" className="remove" aria-label={`Remove ${title.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, newRow()])}>{addLabel}</button>
    </fieldset>
  );
}
