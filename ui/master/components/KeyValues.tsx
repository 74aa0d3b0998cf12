// A definition list of labelled facts (an agent's hostname, a framework's user...), folding to one column on phones.
import type { ReactNode } from 'react';

export function KeyValues({ items, label }: { items: Array<[string, ReactNode]>; label: string }) {
  return (
    <dl className="kv" aria-label={label}>
      {items.map(([k, v]) => (
        <div key={k} className="kv-item"><dt>{k}</dt><dd>{v === undefined || v === '' ? <span className="muted">–</span> : v}</dd></div>
      ))}
    </dl>
  );
}
