// A labelled input with its hint and error wired for assistive technology.
import { useId, type ReactNode } from 'react';

export interface FieldProps { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }

export function Field({ label, error, hint, wide, children }: {
  label: string; error?: string; hint?: string; wide?: boolean;
  children(props: FieldProps): ReactNode;
}) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && <span id={`${id}-hint`} className="muted small">{hint}</span>}
      {error && <span id={`${id}-error`} className="field-error" role="alert">{error}</span>}
    </div>
  );
}
