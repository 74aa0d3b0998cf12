// A list of rows the user adds and removes (files, arguments, constraints, volumes): a fieldset with its legend,
// hint and the server's message, one "Remove" per row and an "Add" button that focuses the new row's first input.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function RowsEditor<T>({ legend, noun, hint, error, rows, onChange, blank, rowClass, columns, children }: {
  legend: string;
  /** What one row is, for its buttons' names ("URI" → "Add URI", "Remove URI 2"). */
  noun: string;
  hint?: ReactNode;
  error?: string;
  rows: T[];
  onChange(rows: T[]): void;
  blank(): T;
  rowClass: string;
  /** Column titles over the rows (each input also names itself, row by row, for assistive technology). */
  columns?: string[];
  children(row: T, index: number, set: (patch: Partial<T>) => void): ReactNode;
}) {
  const id = useId();
  const list = useRef<HTMLDivElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  // Keyboard users keep their place: a new row's first input gets the focus; after a removal, the next row's Remove
  // button (or "Add" when the last row went).
  const moved = useRef<{ added: true } | { removed: number } | undefined>(undefined);
  useEffect(() => {
    const m = moved.current;
    moved.current = undefined;
    if (!m || !list.current) return;
    const rowEls = list.current.querySelectorAll<HTMLElement>(':scope > .row');
    if ('added' in m) rowEls[rowEls.length - 1]?.querySelector<HTMLElement>('input, select')?.focus();
    else (rowEls[m.removed]?.querySelector<HTMLElement>(':scope > button') ?? addButton.current)?.focus();
  }, [rows.length]);
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const set = (i: number, patch: Partial<T>) => onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="rows-editor" aria-describedby={described}>
      <legend>{legend}</legend>
      {hint && <p id={`${id}-hint`} className="muted small hint">{hint}</p>}
      <div ref={list} className={`rows ${rowClass}`}>
        {columns && rows.length > 0 && <div className="row-head" aria-hidden="true">{columns.map((c) => <span key={c}>{c}</span>)}</div>}
        {rows.map((row, i) => (
          <div key={i} className="row">
            {children(row, i, (patch) => set(i, patch))}
            <button type="button" aria-label={`Remove ${noun} ${i + 1}`} onClick={() => { moved.current = { removed: i }; onChange(rows.filter((_, k) => k !== i)); }}>Remove</button>
          </div>
        ))}
      </div>
      {error && <p id={`${id}-error`} className="field-error" role="alert">{error}</p>}
      <button ref={addButton} type="button" onClick={() => { moved.current = { added: true }; onChange([...rows, blank()]); }}>Add {noun}</button>
    </fieldset>
  );
}
